/*
 * The incident map and timeline of /incidents, drawn from counts the server makes over every
 * matching record: the page embeds the first ones in
 * <script type="application/json" id="incident-counts"> (no inline script: CSP) and the map
 * asks /api/v1/incidents/aggregate for finer cells as it zooms and for the months chosen on the
 * timeline.
 *
 * Map: country outlines from world-atlas; counts per grid cell (at the cell's centre) and, for
 * records without coordinates, per country (at its centre, hollow), gathered into clusters on a
 * screen grid rebuilt at every zoom. Timeline: incidents per month over all matching records;
 * dragging across it shows only those months on the map.
 */
(function () {
  "use strict";

  const ATLAS_URL = "/static/vendor/world-atlas/countries-110m.json";
  const CELL_PX = 36; // points closer than one grid cell on screen form one cluster
  const MAX_ZOOM = 64;
  const FIRST_VIEW_MAX_ZOOM = 12;
  const POINT_RADIUS = 5;
  const TIMELINE_HEIGHT = 150;
  const MARGIN = { top: 10, right: 14, bottom: 28, left: 40 };

  // Cell sizes the server offers, coarse to fine (incidents.aggregates.CELL_SIZES).
  const CELL_SIZES = [5, 2, 1, 0.5, 0.25, 0.1, 0.05];

  function readCounts() {
    const source = document.getElementById("incident-counts");
    if (!source) return null;
    const data = JSON.parse(source.textContent || "{}");
    return {
      total: Number(data.total) || 0,
      cellDegrees: Number(data.cell_degrees) || 1,
      cells: Array.isArray(data.cells) ? data.cells : [],
      unplaced: Array.isArray(data.unplaced) ? data.unplaced : [],
      months: Array.isArray(data.months) ? data.months : [],
      query: typeof data.query === "string" ? data.query : "",
      api: typeof data.api === "string" ? data.api : "/api/v1/incidents/aggregate",
    };
  }

  function isoId(value) {
    if (value === null || value === undefined || value === "") return null;
    const number = Number(value);
    return Number.isInteger(number) && number > 0 ? String(number).padStart(3, "0") : null;
  }

  function monthStart(key) {
    return new Date(Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, 1));
  }

  function monthEnd(key) {
    return d3.utcDay.offset(d3.utcMonth.offset(monthStart(key), 1), -1).toISOString().slice(0, 10);
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  // ---- state shared by the map and the timeline -------------------------------------------

  const state = {
    counts: null, // the latest answer drawn on the map
    query: "", // the page's filters, as a query string
    api: "",
    range: null, // [first, last] "YYYY-MM" chosen on the timeline, or null for all
    cellDegrees: 1,
    redraw: null,
    pending: null,
  };

  function announce(message) {
    const status = document.getElementById("incident-selection");
    if (!status) return;
    if (message) {
      status.textContent = message;
      return;
    }
    if (!state.range) {
      status.textContent = state.counts && state.counts.total
        ? "Drag across the timeline to show only some months on the map."
        : "";
      return;
    }
    status.textContent =
      "The map shows " +
      plural(state.counts ? state.counts.total : 0, "incident") +
      " from " +
      state.range[0] +
      " to " +
      state.range[1] +
      ". Click the timeline outside the selection to show all again.";
  }

  // The filters with the chosen months and cell size; the months never widen the filters.
  function requestUrl() {
    const params = new URLSearchParams(state.query);
    if (state.range) {
      const from = state.range[0] + "-01";
      const to = monthEnd(state.range[1]);
      const given = [params.get("date_from") || "", params.get("date_to") || ""];
      params.set("date_from", given[0] && given[0] > from ? given[0] : from);
      params.set("date_to", given[1] && given[1] < to ? given[1] : to);
    }
    params.set("cell", String(state.cellDegrees));
    return state.api + "?" + params.toString();
  }

  function refresh() {
    if (state.pending) state.pending.abort();
    const controller = new AbortController();
    state.pending = controller;
    fetch(requestUrl(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        state.pending = null;
        state.counts = {
          total: Number(data.total) || 0,
          cellDegrees: Number(data.cell_degrees) || state.cellDegrees,
          cells: data.cells || [],
          unplaced: data.unplaced || [],
        };
        if (state.redraw) state.redraw();
        announce();
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        state.pending = null;
        announce("The map could not be updated; it still shows the earlier counts.");
      });
  }

  // ---- the map ------------------------------------------------------------------------------

  function clusters(marks, transform) {
    const cells = new Map();
    marks.forEach(function (mark) {
      const x = transform.applyX(mark.x);
      const y = transform.applyY(mark.y);
      const key = Math.floor(x / CELL_PX) + ":" + Math.floor(y / CELL_PX);
      let cell = cells.get(key);
      if (!cell) {
        cell = { key: key, x: 0, y: 0, count: 0, deaths: 0, approximate: true };
        cells.set(key, cell);
      }
      cell.x += x * mark.count;
      cell.y += y * mark.count;
      cell.count += mark.count;
      cell.deaths += mark.deaths;
      cell.approximate = cell.approximate && mark.approximate;
    });
    return Array.from(cells.values()).map(function (cell) {
      cell.x /= cell.count;
      cell.y /= cell.count;
      return cell;
    });
  }

  function label(cell) {
    return (
      plural(cell.count, "incident") +
      (cell.deaths ? ", " + plural(cell.deaths, "death") : "") +
      (cell.approximate ? " (placed at the country's centre)" : " here")
    );
  }

  function drawMarks(layer, marks, transform, zoomTo) {
    layer.selectAll("*").remove();
    clusters(marks, transform).forEach(function (cell) {
      const group = layer
        .append("g")
        .attr("class", "incident-cluster" + (cell.approximate ? " approximate" : ""))
        .attr("tabindex", "0")
        .attr("role", "button")
        .attr("aria-label", label(cell) + "; zoom in to see where");
      group
        .append("circle")
        .attr("cx", cell.x)
        .attr("cy", cell.y)
        .attr("r", Math.min(26, POINT_RADIUS + 3 * Math.sqrt(cell.count)))
        .append("title")
        .text(label(cell) + "; click to zoom in");
      group
        .append("text")
        .attr("x", cell.x)
        .attr("y", cell.y)
        .attr("dy", "0.35em")
        .attr("text-anchor", "middle")
        .attr("aria-hidden", "true")
        .text(cell.count);
      group.on("click", function () {
        zoomTo(cell);
      });
      group.on("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          zoomTo(cell);
        }
      });
    });
  }

  // Screen positions of the counts: cells at their centre, the rest at their country's centre.
  function place(counts, centres, projection) {
    const marks = [];
    let unplaced = 0;
    const half = counts.cellDegrees / 2;
    counts.cells.forEach(function (cell) {
      const xy = projection([cell.west + half, cell.south + half]);
      if (!xy || !Number.isFinite(xy[0]) || !Number.isFinite(xy[1])) {
        unplaced += cell.count;
        return;
      }
      marks.push({ x: xy[0], y: xy[1], count: cell.count, deaths: cell.deaths, approximate: false });
    });
    counts.unplaced.forEach(function (country) {
      const xy = centres.get(isoId(country.iso_numeric));
      if (!xy || !Number.isFinite(xy[0]) || !Number.isFinite(xy[1])) {
        unplaced += country.count;
        return;
      }
      marks.push({ x: xy[0], y: xy[1], count: country.count, deaths: country.deaths, approximate: true });
    });
    return { marks: marks, unplaced: unplaced };
  }

  function firstView(marks, width, height) {
    if (!marks.length) return d3.zoomIdentity;
    const xs = d3.extent(marks, function (p) { return p.x; });
    const ys = d3.extent(marks, function (p) { return p.y; });
    const spanX = Math.max(xs[1] - xs[0], width / FIRST_VIEW_MAX_ZOOM);
    const spanY = Math.max(ys[1] - ys[0], height / FIRST_VIEW_MAX_ZOOM);
    const k = Math.max(1, Math.min(FIRST_VIEW_MAX_ZOOM, (0.8 * width) / spanX, (0.8 * height) / spanY));
    const cx = (xs[0] + xs[1]) / 2;
    const cy = (ys[0] + ys[1]) / 2;
    return d3.zoomIdentity.translate(width / 2 - k * cx, height / 2 - k * cy).scale(k);
  }

  // The coarsest cell that is still well under one screen cluster at this zoom.
  function cellFor(k, pixelsPerDegree) {
    for (let i = 0; i < CELL_SIZES.length; i += 1) {
      if (CELL_SIZES[i] * pixelsPerDegree * k <= CELL_PX / 2) return CELL_SIZES[i];
    }
    return CELL_SIZES[CELL_SIZES.length - 1];
  }

  function zoomButtons(figure, svg, zoom, home) {
    const bar = document.createElement("div");
    bar.className = "incident-map-controls";
    [
      ["Zoom in", function () { svg.transition().duration(250).call(zoom.scaleBy, 2); }],
      ["Zoom out", function () { svg.transition().duration(250).call(zoom.scaleBy, 0.5); }],
      ["Show all", function () { svg.transition().duration(250).call(zoom.transform, home); }],
    ].forEach(function (item) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = item[0];
      button.addEventListener("click", item[1]);
      bar.appendChild(button);
    });
    figure.insertBefore(bar, figure.firstChild);
  }

  function drawMap(figure, features) {
    const width = Math.max(300, Math.round(figure.clientWidth || 960));
    const height = Math.round(width * 0.5);
    const sphere = { type: "Sphere" };
    const projection = d3.geoEqualEarth().fitSize([width, height], sphere);
    const path = d3.geoPath(projection);
    const pixelsPerDegree = width / 360;
    figure.querySelectorAll(".incident-map-message").forEach(function (node) { node.remove(); });
    const centres = new Map();
    features.forEach(function (feature) {
      const iso = isoId(feature.id);
      if (iso) centres.set(iso, path.centroid(feature));
    });

    const svg = d3
      .select(figure)
      .append("svg")
      .attr("viewBox", "0 0 " + width + " " + height)
      .attr("role", "group")
      .attr("aria-label", figure.getAttribute("aria-label") || "Map of the incidents");
    const ground = svg.append("g").attr("class", "incident-map-ground");
    ground.append("path").datum(sphere).attr("class", "sphere").attr("d", path);
    ground
      .append("g")
      .attr("class", "countries")
      .selectAll("path")
      .data(features)
      .join("path")
      .attr("class", "country")
      .attr("d", path);
    const layer = svg.append("g").attr("class", "incident-marks");
    const caption = document.createElement("figcaption");
    caption.className = "incident-map-caption";

    let transform = d3.zoomIdentity;
    let layout = place(state.counts, centres, projection);
    const zoom = d3
      .zoom()
      .scaleExtent([1, MAX_ZOOM])
      .translateExtent([[0, 0], [width, height]])
      .on("zoom", function (event) {
        transform = event.transform;
        ground.attr("transform", transform);
        drawMarks(layer, layout.marks, transform, zoomTo);
      })
      .on("end", function () {
        const wanted = cellFor(transform.k, pixelsPerDegree);
        if (wanted !== state.cellDegrees) {
          state.cellDegrees = wanted;
          refresh();
        }
      });
    function zoomTo(cell) {
      const k = Math.min(MAX_ZOOM, transform.k * 3);
      const x = transform.invertX(cell.x);
      const y = transform.invertY(cell.y);
      const target = d3.zoomIdentity.translate(width / 2 - k * x, height / 2 - k * y).scale(k);
      svg.transition().duration(300).call(zoom.transform, target);
    }
    function redraw() {
      layout = place(state.counts, centres, projection);
      drawMarks(layer, layout.marks, transform, zoomTo);
      const placed = d3.sum(layout.marks, function (m) { return m.count; });
      const approximate = d3.sum(layout.marks, function (m) { return m.approximate ? m.count : 0; });
      const notes = [plural(placed, "incident") + " on the map"];
      if (approximate) notes.push(approximate + " without coordinates, counted at their country's centre (hollow)");
      if (layout.unplaced) notes.push(layout.unplaced + " could not be placed");
      caption.textContent =
        notes.join("; ") + ". Numbers count incidents in an area (squares of " +
        state.counts.cellDegrees + "° at this zoom): click one to zoom in.";
    }
    state.redraw = redraw;
    svg.call(zoom);
    const home = firstView(layout.marks, width, height);
    svg.call(zoom.transform, home);
    redraw();
    zoomButtons(figure, svg, zoom, home);
    figure.appendChild(caption);
  }

  // ---- the timeline -------------------------------------------------------------------------

  function drawTimeline(figure, monthly) {
    const counts = new Map(monthly.map(function (m) { return [m.month, Number(m.count) || 0]; }));
    if (!counts.size) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = "No incidents to chart.";
      figure.appendChild(empty);
      return;
    }
    const keys = Array.from(counts.keys()).sort();
    const first = monthStart(keys[0]);
    const last = d3.utcMonth.offset(monthStart(keys[keys.length - 1]), 1);
    const months = d3.utcMonth.range(first, last).map(function (date) {
      const key = date.toISOString().slice(0, 7);
      return { key: key, start: date, count: counts.get(key) || 0 };
    });
    const width = Math.max(300, Math.round(figure.clientWidth || 960));
    const x = d3.scaleUtc().domain([first, last]).range([MARGIN.left, width - MARGIN.right]);
    const top = d3.max(months, function (m) { return m.count; });
    const y = d3
      .scaleLinear()
      .domain([0, top])
      .nice()
      .range([TIMELINE_HEIGHT - MARGIN.bottom, MARGIN.top]);
    const svg = d3
      .select(figure)
      .append("svg")
      .attr("viewBox", "0 0 " + width + " " + TIMELINE_HEIGHT)
      .attr("role", "img")
      .attr("aria-label", "Incidents per month from " + keys[0] + " to " + keys[keys.length - 1]);
    const bars = svg
      .append("g")
      .attr("class", "timeline-bars")
      .selectAll("rect")
      .data(months.filter(function (m) { return m.count > 0; }))
      .join("rect")
      .attr("class", "timeline-bar")
      .attr("x", function (m) { return x(m.start); })
      .attr("width", function (m) {
        return Math.max(1, x(d3.utcMonth.offset(m.start, 1)) - x(m.start) - 1);
      })
      .attr("y", function (m) { return y(m.count); })
      .attr("height", function (m) { return y(0) - y(m.count); });
    bars.append("title").text(function (m) { return m.key + ": " + plural(m.count, "incident"); });
    svg
      .append("g")
      .attr("class", "timeline-axis")
      .attr("transform", "translate(0," + (TIMELINE_HEIGHT - MARGIN.bottom) + ")")
      .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 90))));
    svg
      .append("g")
      .attr("class", "timeline-axis")
      .attr("transform", "translate(" + MARGIN.left + ",0)")
      .call(d3.axisLeft(y).ticks(Math.min(4, top)).tickFormat(d3.format("d")));

    const brush = d3
      .brushX()
      .extent([[MARGIN.left, MARGIN.top], [width - MARGIN.right, TIMELINE_HEIGHT - MARGIN.bottom]])
      .on("brush end", function (event) {
        let chosen = null;
        if (event.selection) {
          const from = x.invert(event.selection[0]);
          const to = x.invert(event.selection[1]);
          const inside = months
            .filter(function (m) {
              const middle = new Date((m.start.getTime() + d3.utcMonth.offset(m.start, 1).getTime()) / 2);
              return middle >= from && middle <= to;
            })
            .map(function (m) { return m.key; });
          chosen = inside.length ? [inside[0], inside[inside.length - 1]] : null;
        }
        bars.classed("outside", function (m) {
          return chosen !== null && (m.key < chosen[0] || m.key > chosen[1]);
        });
        // The map is asked again once the drag ends, not at every step of it.
        if (event.type !== "end") return;
        const before = state.range ? state.range.join() : "";
        state.range = chosen;
        if ((chosen ? chosen.join() : "") !== before) refresh();
        else announce();
      });
    svg.append("g").attr("class", "timeline-brush").call(brush);
  }

  // ---- start --------------------------------------------------------------------------------

  function failed(figure, message) {
    figure.classList.add("is-failed");
    figure.querySelectorAll(".incident-map-message").forEach(function (node) {
      node.textContent = message;
    });
  }

  function start() {
    const mapFigure = document.getElementById("incident-map");
    const timelineFigure = document.getElementById("incident-timeline");
    const counts = readCounts();
    if (!mapFigure || counts === null) return;
    if (typeof d3 === "undefined" || typeof topojson === "undefined") {
      failed(mapFigure, "The map libraries are missing (run make assets).");
      return;
    }
    state.counts = counts;
    state.query = counts.query;
    state.api = counts.api;
    state.cellDegrees = counts.cellDegrees;
    if (timelineFigure) drawTimeline(timelineFigure, counts.months);
    announce();
    fetch(ATLAS_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(ATLAS_URL + " answered HTTP " + response.status);
        return response.json();
      })
      .then(function (topology) {
        const features = topojson.feature(topology, topology.objects.countries).features;
        drawMap(mapFigure, features);
        mapFigure.classList.add("is-ready");
      })
      .catch(function () {
        failed(mapFigure, "The map could not be loaded.");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
