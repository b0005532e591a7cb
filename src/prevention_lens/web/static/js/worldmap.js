/*
 * The world-map component: every element with `data-worldmap` becomes an SVG map of the
 * countries, keyed to the country reference by ISO 3166 numeric code.
 *
 * Plain ES2017 over the vendored d3 and topojson-client (no build step, no CDN).
 * Markup options:  data-color-by="region"   colour countries by region, with a legend
 *                  data-region="Africa"     dim the countries outside that region
 *                  data-highlight="104"     highlight one ISO numeric id (zoom in if small)
 * Public API:      window.LensWorldMap.render(element, options) -> Promise<map>
 *                  window.LensWorldMap.colorBy(element, valuesByKey, {label, scale, domain, format})
 */
(function () {
  "use strict";

  const ATLAS_URLS = {
    "110m": "/static/vendor/world-atlas/countries-110m.json",
    "50m": "/static/vendor/world-atlas/countries-50m.json",
  };
  const COUNTRIES_URL = "/api/v1/countries";
  const CREDIT = "Country outlines: Natural Earth via world-atlas";
  const NO_DATA_LABEL = "no data";
  // A country narrower than this share of the map is zoomed in on when highlighted.
  const SMALL_SHARE = 0.12;
  const MAX_ZOOM = 8;
  const TINY_PX = 14;
  const ANTARCTICA = "010";
  const ZOOMED_RATIO = 0.62;
  const OWNED = "data-worldmap-part";

  const states = new WeakMap();
  const requests = new Map();
  let nextId = 0;

  // ---- data -------------------------------------------------------------------------------

  function getJSON(url) {
    if (!requests.has(url)) {
      const request = fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (!response.ok) {
          throw new Error(url + " answered HTTP " + response.status);
        }
        return response.json();
      });
      requests.set(url, request);
    }
    return requests.get(url);
  }

  function normalise(name) {
    return String(name || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "");
  }

  function isoId(value) {
    if (value === null || value === undefined || value === "") return null;
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) return null;
    return String(number).padStart(3, "0");
  }

  // Current states only: a historical state shares its ISO code with its successor.
  function indexCountries(rows) {
    const index = { byIso: new Map(), byName: new Map(), byKey: new Map(), regions: [] };
    const regions = new Set();
    rows.forEach(function (row) {
      if (row.end_date) return;
      index.byKey.set(row.key, row);
      const iso = isoId(row.iso_numeric);
      if (iso) index.byIso.set(iso, row);
      index.byName.set(normalise(row.name), row);
      if (row.region) regions.add(row.region);
    });
    index.regions = Array.from(regions).sort();
    return index;
  }

  // world-atlas leaves features without an ISO code (Kosovo, N. Cyprus, Somaliland) without an
  // id; those are matched by name, so a country the reference knows is still clickable.
  function recordFor(feature, index) {
    const iso = isoId(feature.id);
    if (iso) return index.byIso.get(iso) || null;
    if (feature.id !== undefined && feature.id !== null && feature.id !== "") return null;
    return index.byName.get(normalise(feature.properties && feature.properties.name)) || null;
  }

  function loadFeatures(resolution) {
    return getJSON(ATLAS_URLS[resolution]).then(function (topology) {
      return topojson.feature(topology, topology.objects.countries).features;
    });
  }

  function loadCountries() {
    return getJSON(COUNTRIES_URL).then(indexCountries, function () {
      return null; // the outlines still draw; the caption says the records are missing
    });
  }

  // ---- options ----------------------------------------------------------------------------

  function optionsFromElement(element) {
    const data = element.dataset;
    return {
      colorBy: data.colorBy || null,
      region: data.region || null,
      highlight: isoId(data.highlight),
    };
  }

  // ---- drawing ----------------------------------------------------------------------------

  function clearOwned(element) {
    element.querySelectorAll("[" + OWNED + "]").forEach(function (node) {
      if (node.parentNode === element) node.remove();
    });
  }

  function part(element, tag, className) {
    const node = document.createElement(tag);
    node.className = className;
    node.setAttribute(OWNED, "");
    element.appendChild(node);
    return node;
  }

  function zoomFor(projection, path, feature, width, height) {
    const bounds = path.bounds(feature);
    const boxWidth = bounds[1][0] - bounds[0][0];
    const boxHeight = bounds[1][1] - bounds[0][1];
    if (!(boxWidth > 0 && boxHeight > 0) || boxWidth > width * SMALL_SHARE * 2) return null;
    const zoom = Math.min(MAX_ZOOM, (width * 0.3) / boxWidth, (height * 0.45) / boxHeight);
    if (zoom < 1.5) return null;
    return {
      zoom: zoom,
      centre: [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
    };
  }

  function applyZoom(projection, zoom, width, height) {
    const translate = projection.translate();
    projection
      .scale(projection.scale() * zoom.zoom)
      .translate([
        width / 2 - zoom.zoom * (zoom.centre[0] - translate[0]),
        height / 2 - zoom.zoom * (zoom.centre[1] - translate[1]),
      ]);
  }

  // A highlighted country a few pixels wide (Bahrain, Singapore) gets a ring so it can be found.
  function markIfTiny(svg, path, feature) {
    const bounds = path.bounds(feature);
    const size = Math.max(bounds[1][0] - bounds[0][0], bounds[1][1] - bounds[0][1]);
    if (!(size < TINY_PX)) return;
    const centre = path.centroid(feature);
    svg
      .append("circle")
      .attr("class", "highlight-ring")
      .attr("cx", centre[0])
      .attr("cy", centre[1])
      .attr("r", TINY_PX)
      .attr("aria-hidden", "true");
  }

  function draw(state, features) {
    const element = state.element;
    const options = state.options;
    const index = state.index;
    const width = Math.max(280, Math.round(element.clientWidth || 960));
    const sphere = { type: "Sphere" };
    const projection = d3.geoEqualEarth().fitWidth(width, sphere);
    const path = d3.geoPath(projection);
    // Antarctica is no state and would take a tenth of the height: the map stops above it.
    if (options.highlight !== ANTARCTICA) {
      features = features.filter(function (feature) {
        return isoId(feature.id) !== ANTARCTICA;
      });
    }
    const sphereBottom = path.bounds(sphere)[1][1];
    const landBottom = path.bounds({ type: "FeatureCollection", features: features })[1][1];
    let height = Math.ceil(Math.min(sphereBottom, landBottom + width * 0.015));

    const target = options.highlight
      ? features.find(function (feature) {
          return isoId(feature.id) === options.highlight;
        })
      : null;
    let zoom = null;
    if (target) {
      // A zoomed-in view is not bound to the world's proportions: a taller frame shows more.
      zoom = zoomFor(projection, path, target, width, Math.round(width * ZOOMED_RATIO));
      if (zoom) {
        height = Math.round(width * ZOOMED_RATIO);
        applyZoom(projection, zoom, width, height);
      }
    }

    const canvas = part(element, "div", "worldmap-canvas");
    const svg = d3
      .select(canvas)
      .append("svg")
      .attr("viewBox", "0 0 " + width + " " + height)
      .attr("preserveAspectRatio", "xMidYMid meet")
      .attr("role", "group")
      .attr("aria-label", element.getAttribute("aria-label") || "World map");
    svg.append("path").datum(sphere).attr("class", "sphere").attr("d", path);
    svg
      .append("path")
      .datum(d3.geoGraticule10())
      .attr("class", "graticule")
      .attr("d", path)
      .attr("aria-hidden", "true");

    const layer = svg.append("g").attr("class", "countries");
    const items = features.map(function (feature) {
      return {
        feature: feature,
        record: index ? recordFor(feature, index) : null,
        name: (feature.properties && feature.properties.name) || "Unnamed territory",
      };
    });

    const groups = layer
      .selectAll(".country-item")
      .data(items)
      .join(function (enter) {
        return enter.append(function (item) {
          const tag = item.record ? "a" : "g";
          return document.createElementNS("http://www.w3.org/2000/svg", tag);
        });
      })
      .attr("class", "country-item");
    groups
      .filter(function (item) {
        return item.record;
      })
      .attr("href", function (item) {
        return "/countries/" + encodeURIComponent(item.record.key);
      })
      .attr("aria-label", function (item) {
        return item.record.name;
      });
    groups
      .filter(function (item) {
        return !item.record;
      })
      .attr("aria-hidden", "true");

    const paths = groups
      .append("path")
      .attr("d", function (item) {
        return path(item.feature);
      })
      .attr("data-iso", function (item) {
        return isoId(item.feature.id) || "";
      })
      .attr("data-key", function (item) {
        return item.record ? item.record.key : null;
      })
      .attr("class", function (item) {
        const classes = ["country"];
        if (!item.record) classes.push("no-record");
        if (options.region && (!item.record || item.record.region !== options.region)) {
          classes.push("dimmed");
        }
        if (options.highlight && isoId(item.feature.id) === options.highlight) {
          classes.push("highlight");
        }
        return classes.join(" ");
      });
    // The highlighted country is drawn last so its outline is not hidden by its neighbours.
    groups
      .filter(function (item) {
        return options.highlight && isoId(item.feature.id) === options.highlight;
      })
      .raise();

    if (target) markIfTiny(svg, path, target);

    state.svg = svg;
    state.paths = paths;
    state.items = items;
    state.tooltip = part(canvas, "div", "worldmap-tooltip");
    state.tooltip.setAttribute("role", "status");
    state.tooltip.hidden = true;
    state.legend = part(element, "div", "worldmap-legend");
    const caption = part(element, "figcaption", "worldmap-credit");
    caption.textContent = CREDIT + (zoom || state.resolution === "50m" ? " (1:50m)." : " (1:110m).");
    if (!index) {
      const note = document.createElement("span");
      note.className = "worldmap-note";
      note.textContent = " The country records could not be loaded; outlines only.";
      caption.appendChild(note);
    } else if (options.highlight && !target) {
      const note = document.createElement("span");
      note.className = "worldmap-note";
      note.textContent = " This country is too small to be drawn at this scale.";
      caption.appendChild(note);
    }
    bindTooltip(state, groups);
  }

  // ---- tooltip ----------------------------------------------------------------------------

  function tooltipText(state, item) {
    if (!item.record) return item.name + " (not in the country reference)";
    const name = item.record.name;
    if (state.values) {
      const value = state.values.get(item.record.key);
      const shown = value === undefined || value === null ? NO_DATA_LABEL : state.format(value);
      return name + " · " + state.valueLabel + ": " + shown;
    }
    if (state.options.colorBy === "region" || state.options.region) {
      return name + " · " + item.record.region;
    }
    return name;
  }

  function showTooltip(state, item, x, y) {
    const tooltip = state.tooltip;
    const canvas = tooltip.parentNode;
    tooltip.textContent = tooltipText(state, item);
    tooltip.hidden = false;
    const maxLeft = canvas.clientWidth - tooltip.offsetWidth - 4;
    tooltip.style.left = Math.max(4, Math.min(x + 12, maxLeft)) + "px";
    tooltip.style.top = Math.max(4, y - tooltip.offsetHeight - 10) + "px";
  }

  function hideTooltip(state) {
    state.tooltip.hidden = true;
  }

  function bindTooltip(state, groups) {
    const canvas = state.tooltip.parentNode;
    groups
      .on("pointermove", function (event, item) {
        const box = canvas.getBoundingClientRect();
        showTooltip(state, item, event.clientX - box.left, event.clientY - box.top);
      })
      .on("pointerleave", function () {
        hideTooltip(state);
      })
      .on("focus", function (event, item) {
        const box = canvas.getBoundingClientRect();
        const shape = this.getBoundingClientRect();
        showTooltip(
          state,
          item,
          shape.left + shape.width / 2 - box.left,
          shape.top + shape.height / 2 - box.top
        );
      })
      .on("blur", function () {
        hideTooltip(state);
      });
  }

  // ---- colours and legends ----------------------------------------------------------------

  function regionColours(regions) {
    const palette = d3.schemeTableau10;
    return d3.scaleOrdinal(regions, palette.slice(0, Math.max(1, regions.length)));
  }

  function legendTitle(legend, text) {
    const title = document.createElement("span");
    title.className = "legend-title";
    title.textContent = text;
    legend.appendChild(title);
  }

  function swatch(list, colour, label, extraClass) {
    const item = document.createElement("li");
    if (extraClass) item.className = extraClass;
    const box = document.createElement("span");
    box.className = "swatch";
    if (colour) box.style.backgroundColor = colour;
    item.appendChild(box);
    item.appendChild(document.createTextNode(label));
    list.appendChild(item);
  }

  function colourByRegion(state) {
    if (!state.index) return;
    const colour = regionColours(state.index.regions);
    state.paths.style("fill", function (item) {
      return item.record && item.record.region ? colour(item.record.region) : null;
    });
    const legend = state.legend;
    legend.textContent = "";
    legendTitle(legend, "Region");
    const list = document.createElement("ul");
    const drawn = new Set(
      state.items.map(function (item) {
        return item.record && item.record.region;
      })
    );
    state.index.regions
      .filter(function (region) {
        return drawn.has(region);
      })
      .forEach(function (region) {
        const active = state.options.region === region ? "active" : "";
        swatch(list, colour(region), region, active);
      });
    swatch(list, null, "not in the reference", "no-record");
    legend.appendChild(list);
  }

  function interpolatorFor(name) {
    const fn = d3["interpolate" + name];
    return typeof fn === "function" ? fn : d3.interpolateYlOrRd;
  }

  function numericScale(values, settings) {
    if (typeof settings.scale === "function") return settings.scale;
    const numbers = Array.from(values.values()).filter(Number.isFinite);
    let domain = settings.domain;
    if (!domain) {
      const extent = d3.extent(numbers);
      domain = extent[0] === undefined ? [0, 1] : [Math.min(0, extent[0]), extent[1] || 1];
    }
    const interpolator =
      typeof settings.scale === "string" ? interpolatorFor(settings.scale) : d3.interpolateYlOrRd;
    return d3.scaleSequential(interpolator).domain(domain);
  }

  function formatter(format) {
    if (typeof format === "function") return format;
    const number = d3.format(format || ",.3~r");
    return function (value) {
      return typeof value === "number" ? number(value) : String(value);
    };
  }

  // A colour bar for continuous scales, swatches for threshold, quantize and ordinal scales.
  function numericLegend(state, scale, label) {
    const legend = state.legend;
    legend.textContent = "";
    legendTitle(legend, label);
    const domain = scale.domain();
    const continuous =
      typeof scale.interpolator === "function" ||
      (typeof scale.invertExtent !== "function" &&
        typeof scale.ticks === "function" &&
        domain.every(Number.isFinite));
    if (!continuous) {
      const list = document.createElement("ul");
      if (typeof scale.invertExtent === "function") {
        scale.range().forEach(function (colour) {
          const extent = scale.invertExtent(colour).map(function (bound) {
            return bound === undefined || bound === null ? "" : state.format(bound);
          });
          swatch(list, colour, extent[0] + "–" + extent[1]);
        });
      } else {
        domain.forEach(function (value) {
          swatch(list, scale(value), state.format(value));
        });
      }
      swatch(list, null, NO_DATA_LABEL, "no-record");
      legend.appendChild(list);
      return;
    }
    const low = domain[0];
    const high = domain[domain.length - 1];
    const barWidth = 240;
    const gradientId = "lens-worldmap-gradient-" + nextId++;
    const svg = d3
      .select(legend)
      .append("svg")
      .attr("class", "legend-bar")
      .attr("viewBox", "0 0 " + (barWidth + 24) + " 34")
      .attr("role", "img")
      .attr("aria-label", label + " from " + state.format(low) + " to " + state.format(high));
    const gradient = svg.append("defs").append("linearGradient").attr("id", gradientId);
    d3.range(0, 1.0001, 0.1).forEach(function (t) {
      gradient
        .append("stop")
        .attr("offset", t)
        .attr("stop-color", scale(low + t * (high - low)));
    });
    svg
      .append("rect")
      .attr("x", 12)
      .attr("y", 2)
      .attr("width", barWidth)
      .attr("height", 12)
      .attr("fill", "url(#" + gradientId + ")");
    const axisScale = d3.scaleLinear().domain([low, high]).range([12, 12 + barWidth]);
    svg
      .append("g")
      .attr("class", "legend-axis")
      .attr("transform", "translate(0,14)")
      .call(d3.axisBottom(axisScale).ticks(5).tickSize(4).tickFormat(state.format));
    const list = document.createElement("ul");
    swatch(list, null, NO_DATA_LABEL, "no-record");
    legend.appendChild(list);
  }

  function applyValues(state, valuesByKey, settings) {
    settings = settings || {};
    if (!valuesByKey) {
      state.values = null;
      state.paths.style("fill", null).classed("no-value", false);
      state.legend.textContent = "";
      if (state.options.colorBy === "region") colourByRegion(state);
      return state;
    }
    const values = new Map();
    Object.keys(valuesByKey).forEach(function (key) {
      const value = Number(valuesByKey[key]);
      if (valuesByKey[key] !== null && Number.isFinite(value)) values.set(key, value);
    });
    const scale = numericScale(values, settings);
    state.values = values;
    state.valueLabel = settings.label || "Value";
    state.format = formatter(settings.format);
    state.paths
      .style("fill", function (item) {
        const value = item.record ? values.get(item.record.key) : undefined;
        return value === undefined ? null : scale(value);
      })
      .classed("no-value", function (item) {
        return !item.record || !values.has(item.record.key);
      });
    numericLegend(state, scale, state.valueLabel);
    return state;
  }

  // ---- public API -------------------------------------------------------------------------

  function failed(element, message) {
    clearOwned(element);
    element.classList.remove("is-loading");
    element.classList.add("is-failed");
    const note = part(element, "p", "worldmap-message");
    note.textContent = message;
  }

  function render(element, options) {
    if (!element) return Promise.reject(new Error("LensWorldMap.render needs an element"));
    if (typeof d3 === "undefined" || typeof topojson === "undefined") {
      failed(element, "The map libraries are missing (run make assets).");
      return Promise.resolve(null);
    }
    const settings = Object.assign(optionsFromElement(element), options || {});
    settings.highlight = isoId(settings.highlight);
    const state = {
      element: element,
      options: settings,
      index: null,
      values: null,
      format: formatter(null),
      valueLabel: "Value",
      resolution: "110m",
    };
    clearOwned(element);
    element.classList.remove("is-failed");
    element.classList.add("is-loading");
    const loading = part(element, "p", "worldmap-message");
    loading.textContent = "Loading the map…";

    const ready = Promise.all([loadFeatures("110m"), loadCountries()])
      .then(function (loaded) {
        state.index = loaded[1];
        return chooseFeatures(element, settings, loaded[0]);
      })
      .then(function (chosen) {
        state.resolution = chosen.resolution;
        clearOwned(element);
        element.classList.remove("is-loading");
        draw(state, chosen.features);
        if (settings.colorBy === "region") colourByRegion(state);
        element.classList.add("is-ready");
        element.dispatchEvent(new CustomEvent("worldmap:ready", { detail: { map: state } }));
        return state;
      })
      .catch(function () {
        failed(element, "The world map could not be loaded.");
        return null;
      });
    states.set(element, ready);
    return ready;
  }

  // A highlighted small or missing country is worth the finer 1:50m outlines.
  function chooseFeatures(element, settings, coarse) {
    if (!settings.highlight) return { resolution: "110m", features: coarse };
    const width = Math.max(280, Math.round(element.clientWidth || 960));
    const projection = d3.geoEqualEarth().fitWidth(width, { type: "Sphere" });
    const path = d3.geoPath(projection);
    const target = coarse.find(function (feature) {
      return isoId(feature.id) === settings.highlight;
    });
    if (target && !zoomFor(projection, path, target, width, width / 2)) {
      return { resolution: "110m", features: coarse };
    }
    return loadFeatures("50m").then(
      function (fine) {
        return { resolution: "50m", features: fine };
      },
      function () {
        return { resolution: "110m", features: coarse };
      }
    );
  }

  function colorBy(element, valuesByKey, settings) {
    const ready = states.get(element) || render(element);
    return ready.then(function (state) {
      return state ? applyValues(state, valuesByKey, settings) : null;
    });
  }

  window.LensWorldMap = { render: render, colorBy: colorBy };

  function renderAll() {
    document.querySelectorAll("[data-worldmap]").forEach(function (element) {
      render(element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
