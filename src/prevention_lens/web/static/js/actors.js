/*
 * The actor pages' drawings, from JSON the pages embed (no inline script: CSP):
 *  - world maps with `data-values-from` (actors per country, coverage gaps) are coloured with
 *    LensWorldMap.colorBy;
 *  - the network view of /actors/network: a d3 force layout with pan and zoom, filters by
 *    level, sector, country and community, and a details panel for the clicked actor.
 * Circles are sized by betweenness (brokers are large) and coloured by the widest level.
 */
(function () {
  "use strict";

  const LEVELS = ["grassroots", "local", "national", "regional", "international"];
  const MIN_RADIUS = 5;
  const MAX_RADIUS = 22;
  const HEIGHT = 560;
  const SETTLE_TICKS = 300;

  // ---- maps ---------------------------------------------------------------------------------

  function colourMaps() {
    document.querySelectorAll("[data-worldmap][data-values-from]").forEach(function (element) {
      const source = document.getElementById(element.getAttribute("data-values-from"));
      if (!source || !window.LensWorldMap) return;
      const values = JSON.parse(source.textContent || "{}");
      window.LensWorldMap.colorBy(element, values, {
        label: element.getAttribute("data-values-label") || "",
        scale: "Blues",
        format: "d",
      });
    });
  }

  // ---- the network view ---------------------------------------------------------------------

  function readNetwork() {
    const source = document.getElementById("network-data");
    if (!source) return null;
    const data = JSON.parse(source.textContent || "{}");
    return {
      nodes: Array.isArray(data.nodes) ? data.nodes : [],
      links: Array.isArray(data.links) ? data.links : [],
      exampleLabel: data.example_label || null,
    };
  }

  function widestLevel(node) {
    let widest = null;
    (node.levels || []).forEach(function (level) {
      if (widest === null || LEVELS.indexOf(level) > LEVELS.indexOf(widest)) widest = level;
    });
    return widest || "unknown";
  }

  function matches(node, filters) {
    if (filters.level && (node.levels || []).indexOf(filters.level) < 0) return false;
    if (filters.sector && (node.sectors || []).indexOf(filters.sector) < 0) return false;
    if (filters.country && (node.countries || []).indexOf(filters.country) < 0) return false;
    if (filters.community !== "" && String(node.community) !== filters.community) return false;
    return true;
  }

  function currentFilters(form) {
    const data = new FormData(form);
    return {
      level: String(data.get("level") || ""),
      sector: String(data.get("sector") || ""),
      country: String(data.get("country") || ""),
      community: String(data.get("community") || ""),
    };
  }

  function addRow(list, label, value) {
    if (value === null || value === undefined || value === "") return;
    const term = document.createElement("dt");
    term.textContent = label;
    const detail = document.createElement("dd");
    detail.textContent = Array.isArray(value) ? value.join(", ") : String(value);
    list.appendChild(term);
    list.appendChild(detail);
  }

  // Each country links to its hub page, like the countries on every other actor page.
  function addCountries(list, keys) {
    const term = document.createElement("dt");
    term.textContent = "Countries";
    const detail = document.createElement("dd");
    keys.forEach(function (key, index) {
      if (index) detail.appendChild(document.createTextNode(", "));
      const link = document.createElement("a");
      link.href = "/countries/" + encodeURIComponent(key);
      link.textContent = key;
      detail.appendChild(link);
    });
    list.appendChild(term);
    list.appendChild(detail);
  }

  function showDetails(panel, node, neighbours, exampleLabel) {
    panel.textContent = "";
    const heading = document.createElement("h2");
    heading.textContent = node.name;
    panel.appendChild(heading);
    if (node.is_example && exampleLabel) {
      const note = document.createElement("p");
      note.className = "badge example";
      note.textContent = "Example";
      panel.appendChild(note);
    }
    const list = document.createElement("dl");
    addRow(list, "Kind", node.kind_label || node.kind);
    addRow(list, "Levels", node.level_labels || node.levels);
    addRow(list, "Sectors", node.sector_labels || node.sectors);
    addCountries(list, node.countries || []);
    addRow(list, "Community", node.community);
    addRow(list, "Relationships", node.degree);
    if (typeof node.betweenness === "number") {
      addRow(list, "Betweenness", node.betweenness.toFixed(3));
    }
    addRow(list, "Connected to", neighbours);
    panel.appendChild(list);
    const link = document.createElement("a");
    link.href = "/actors/" + encodeURIComponent(node.id);
    link.className = "button";
    link.textContent = "Open its page";
    panel.appendChild(link);
  }

  function drawNetwork(figure, data) {
    const panel = document.getElementById("network-details");
    const form = document.getElementById("network-filters");
    if (!data.nodes.length) {
      // The server's message stays: it says why there is nothing and where the example is.
      figure.classList.add("is-ready");
      return;
    }
    figure.textContent = "";
    const width = Math.max(320, figure.clientWidth || 800);
    const byId = new Map();
    const nodes = data.nodes.map(function (node) {
      const copy = Object.assign({}, node);
      copy.widest = widestLevel(node);
      byId.set(String(node.id), copy);
      return copy;
    });
    const links = data.links
      .filter(function (link) {
        return byId.has(String(link.source)) && byId.has(String(link.target));
      })
      .map(function (link) {
        return Object.assign({}, link, {
          source: byId.get(String(link.source)),
          target: byId.get(String(link.target)),
        });
      });
    const neighbours = new Map();
    links.forEach(function (link) {
      [
        [link.source, link.target],
        [link.target, link.source],
      ].forEach(function (pair) {
        const key = String(pair[0].id);
        if (!neighbours.has(key)) neighbours.set(key, []);
        neighbours.get(key).push(pair[1].name);
      });
    });
    const most = d3.max(nodes, function (node) { return node.betweenness || 0; }) || 1;
    const radius = d3.scaleSqrt().domain([0, most]).range([MIN_RADIUS, MAX_RADIUS]);

    const svg = d3
      .select(figure)
      .append("svg")
      .attr("viewBox", "0 0 " + width + " " + HEIGHT)
      .attr("role", "img")
      .attr("aria-label", nodes.length + " actors and " + links.length + " relationships");
    const world = svg.append("g").attr("class", "network-world");
    const lines = world
      .append("g")
      .attr("class", "network-links")
      .selectAll("line")
      .data(links)
      .join("line")
      .attr("class", function (link) { return "network-link strength-" + (link.strength || 2); });
    lines.append("title").text(function (link) {
      return link.source.name + " — " + link.target.name + " (" + (link.kind_label || link.kind) + ")";
    });
    const circles = world
      .append("g")
      .attr("class", "network-nodes")
      .selectAll("circle")
      .data(nodes)
      .join("circle")
      .attr("class", function (node) { return "network-node level-" + node.widest; })
      .attr("r", function (node) { return radius(node.betweenness || 0); })
      .attr("tabindex", "0")
      .attr("role", "button")
      .attr("aria-label", function (node) { return node.name; });
    circles.append("title").text(function (node) { return node.name; });

    function select(node) {
      circles.classed("selected", function (other) { return other === node; });
      if (panel) {
        showDetails(panel, node, neighbours.get(String(node.id)) || [], data.exampleLabel);
      }
    }
    circles
      .on("click", function (event, node) {
        event.stopPropagation();
        select(node);
      })
      .on("keydown", function (event, node) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(node);
        }
      });

    const zoom = d3
      .zoom()
      .scaleExtent([0.2, 8])
      .on("zoom", function (event) {
        world.attr("transform", event.transform);
      });
    svg.call(zoom);

    const simulation = d3
      .forceSimulation(nodes)
      .force(
        "link",
        d3.forceLink(links).distance(70).strength(function (link) {
          return 0.2 + 0.15 * (link.strength || 2);
        })
      )
      .force("charge", d3.forceManyBody().strength(-160))
      .force("center", d3.forceCenter(width / 2, HEIGHT / 2))
      .force("collide", d3.forceCollide().radius(function (node) {
        return radius(node.betweenness || 0) + 2;
      }))
      .stop();
    // A settled layout at once: no moving picture for screen readers or slow machines.
    for (let i = 0; i < SETTLE_TICKS; i++) simulation.tick();
    lines
      .attr("x1", function (link) { return link.source.x; })
      .attr("y1", function (link) { return link.source.y; })
      .attr("x2", function (link) { return link.target.x; })
      .attr("y2", function (link) { return link.target.y; });
    circles
      .attr("cx", function (node) { return node.x; })
      .attr("cy", function (node) { return node.y; });

    function applyFilters() {
      const filters = currentFilters(form);
      nodes.forEach(function (node) { node.shown = matches(node, filters); });
      circles.classed("filtered-out", function (node) { return !node.shown; });
      lines.classed("filtered-out", function (link) {
        return !(link.source.shown && link.target.shown);
      });
    }
    if (form) {
      form.addEventListener("change", applyFilters);
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      const reset = document.getElementById("network-reset");
      if (reset) {
        reset.addEventListener("click", function () {
          form.reset();
          applyFilters();
          svg.transition().duration(250).call(zoom.transform, d3.zoomIdentity);
        });
      }
      applyFilters();
    }
    figure.classList.add("is-ready");
  }

  function start() {
    colourMaps();
    const figure = document.getElementById("actor-network");
    const data = readNetwork();
    if (!figure || !data) return;
    if (typeof d3 === "undefined") {
      figure.textContent = "The drawing library is missing (run make assets).";
      figure.classList.add("is-failed");
      return;
    }
    drawNetwork(figure, data);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
