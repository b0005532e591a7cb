/*
 * The incident map and timeline of /incidents, drawn from the JSON the page embeds in
 * <script type="application/json" id="incident-points"> (no inline script: CSP).
 *
 * Map: country outlines from world-atlas, one point per record (at its coordinates as the
 * reader may see them, else at its country's centre), gathered into clusters on a screen grid
 * that is rebuilt at every zoom. Timeline: incidents per month; dragging across it shows only
 * those months on the map.
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

  function readPoints() {
    const source = document.getElementById("incident-points");
    if (!source) return null;
    const data = JSON.parse(source.textContent || "{}");
    return Array.isArray(data.points) ? data.points : [];
  }

  function isoId(value) {
    if (value === null || value === undefined || value === "") return null;
    const number = Number(value);
    return Number.isInteger(number) && number > 0 ? String(number).padStart(3, "0") : null;
  }

  function monthKey(point) {
    return point.date.slice(0, 7);
  }

  function monthStart(key) {
    return new Date(Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, 1));
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  // ---- state shared by the map and the timeline -------------------------------------------

  const state = {
    points: [],
    months: null, // a Set of "YYYY-MM" chosen on the timeline, or null for all
    redraw: null,
  };

  function chosen() {
    if (!state.months) return state.points;
    return state.points.filter(function (point) {
      return state.months.has(monthKey(point));
    });
  }

  function announce() {
    const status = document.getElementById("incident-selection");
    if (!status) return;
    if (!state.months) {
      status.textContent = state.points.length
        ? "Drag across the timeline to show only some months on the map."
        : "";
      return;
    }
    const months = Array.from(state.months).sort();
    status.textContent =
      "The map shows " +
      plural(chosen().length, "incident") +
      " from " +
      months[0] +
      " to " +
      months[months.length - 1] +
      ". Click the timeline outside the selection to show all again.";
  }

  // ---- the map ------------------------------------------------------------------------------

  function clusters(points, transform) {
    const cells = new Map();
    points.forEach(function (point) {
      const x = transform.applyX(point.x);
      const y = transform.applyY(point.y);
      const key = Math.floor(x / CELL_PX) + ":" + Math.floor(y / CELL_PX);
      let cell = cells.get(key);
      if (!cell) {
        cell = { key: key, x: 0, y: 0, points: [] };
        cells.set(key, cell);
      }
      cell.x += x;
      cell.y += y;
      cell.points.push(point);
    });
    return Array.from(cells.values()).map(function (cell) {
      cell.x /= cell.points.length;
      cell.y /= cell.points.length;
      return cell;
    });
  }

  function pointLabel(point) {
    return point.title + " · " + point.date + " · " + point.category + " · " + point.country;
  }

  function drawMarks(layer, points, transform, zoomTo) {
    layer.selectAll("*").remove();
    clusters(points, transform).forEach(function (cell) {
      if (cell.points.length === 1) {
        const point = cell.points[0];
        const link = layer
          .append("a")
          .attr("href", "/incidents/" + encodeURIComponent(point.id))
          .attr("aria-label", pointLabel(point));
        link
          .append("circle")
          .attr("class", point.approximate ? "incident-point approximate" : "incident-point")
          .attr("cx", cell.x)
          .attr("cy", cell.y)
          .attr("r", POINT_RADIUS)
          .append("title")
          .text(pointLabel(point) + (point.approximate ? " (placed at the country's centre)" : ""));
        return;
      }
      const count = cell.points.length;
      const group = layer
        .append("g")
        .attr("class", "incident-cluster")
        .attr("tabindex", "0")
        .attr("role", "button")
        .attr("aria-label", plural(count, "incident") + " here; zoom in to separate them");
      group
        .append("circle")
        .attr("cx", cell.x)
        .attr("cy", cell.y)
        .attr("r", Math.min(26, POINT_RADIUS + 3 * Math.sqrt(count)))
        .append("title")
        .text(plural(count, "incident") + " here; click to zoom in");
      group
        .append("text")
        .attr("x", cell.x)
        .attr("y", cell.y)
        .attr("dy", "0.35em")
        .attr("text-anchor", "middle")
        .attr("aria-hidden", "true")
        .text(count);
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

  function place(points, features, path, projection) {
    const centres = new Map();
    features.forEach(function (feature) {
      const iso = isoId(feature.id);
      if (iso) centres.set(iso, path.centroid(feature));
    });
    let unplaced = 0;
    const placed = [];
    points.forEach(function (point) {
      let xy = null;
      if (Number.isFinite(point.lat) && Number.isFinite(point.lon)) {
        xy = projection([point.lon, point.lat]);
        point.approximate = false;
      } else {
        xy = centres.get(isoId(point.iso)) || null;
        point.approximate = true;
      }
      if (!xy || !Number.isFinite(xy[0]) || !Number.isFinite(xy[1])) {
        unplaced += 1;
        return;
      }
      point.x = xy[0];
      point.y = xy[1];
      placed.push(point);
    });
    return { placed: placed, unplaced: unplaced };
  }

  function firstView(placed, width, height) {
    if (!placed.length) return d3.zoomIdentity;
    const xs = d3.extent(placed, function (p) { return p.x; });
    const ys = d3.extent(placed, function (p) { return p.y; });
    const spanX = Math.max(xs[1] - xs[0], width / FIRST_VIEW_MAX_ZOOM);
    const spanY = Math.max(ys[1] - ys[0], height / FIRST_VIEW_MAX_ZOOM);
    const k = Math.max(1, Math.min(FIRST_VIEW_MAX_ZOOM, (0.8 * width) / spanX, (0.8 * height) / spanY));
    const cx = (xs[0] + xs[1]) / 2;
    const cy = (ys[0] + ys[1]) / 2;
    return d3.zoomIdentity.translate(width / 2 - k * cx, height / 2 - k * cy).scale(k);
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
    figure.querySelectorAll(".incident-map-message").forEach(function (node) { node.remove(); });

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
    const marks = svg.append("g").attr("class", "incident-marks");

    const layout = place(state.points, features, path, projection);
    let transform = d3.zoomIdentity;
    const zoom = d3
      .zoom()
      .scaleExtent([1, MAX_ZOOM])
      .translateExtent([[0, 0], [width, height]])
      .on("zoom", function (event) {
        transform = event.transform;
        ground.attr("transform", transform);
        redraw();
      });
    function zoomTo(cell) {
      const k = Math.min(MAX_ZOOM, transform.k * 3);
      const x = transform.invertX(cell.x);
      const y = transform.invertY(cell.y);
      const target = d3.zoomIdentity.translate(width / 2 - k * x, height / 2 - k * y).scale(k);
      svg.transition().duration(300).call(zoom.transform, target);
    }
    function redraw() {
      const shown = new Set(chosen());
      const visible = layout.placed.filter(function (point) { return shown.has(point); });
      drawMarks(marks, visible, transform, zoomTo);
    }
    state.redraw = redraw;
    svg.call(zoom);
    const home = firstView(layout.placed, width, height);
    svg.call(zoom.transform, home);
    redraw();
    zoomButtons(figure, svg, zoom, home);

    const caption = document.createElement("figcaption");
    caption.className = "incident-map-caption";
    const notes = [plural(layout.placed.length, "incident") + " on the map"];
    const approximate = layout.placed.filter(function (p) { return p.approximate; }).length;
    if (approximate) notes.push(approximate + " without coordinates, placed at their country's centre (hollow)");
    if (layout.unplaced) notes.push(layout.unplaced + " could not be placed");
    caption.textContent = notes.join("; ") + ". Numbered circles are clusters: click one to zoom in.";
    figure.appendChild(caption);
  }

  // ---- the timeline -------------------------------------------------------------------------

  function drawTimeline(figure) {
    const counts = d3.rollup(state.points, function (group) { return group.length; }, monthKey);
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
        if (!event.selection) {
          state.months = null;
        } else {
          const from = x.invert(event.selection[0]);
          const to = x.invert(event.selection[1]);
          state.months = new Set(
            months
              .filter(function (m) {
                const middle = new Date((m.start.getTime() + d3.utcMonth.offset(m.start, 1).getTime()) / 2);
                return middle >= from && middle <= to;
              })
              .map(function (m) { return m.key; })
          );
        }
        bars.classed("outside", function (m) {
          return state.months !== null && !state.months.has(m.key);
        });
        if (state.redraw) state.redraw();
        announce();
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
    const points = readPoints();
    if (!mapFigure || points === null) return;
    if (typeof d3 === "undefined" || typeof topojson === "undefined") {
      failed(mapFigure, "The map libraries are missing (run make assets).");
      return;
    }
    state.points = points;
    if (timelineFigure) drawTimeline(timelineFigure);
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
