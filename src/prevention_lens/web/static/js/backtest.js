/* Draws the backtest's reliability and catch curves from the JSON the page embeds (CSP: no
 * inline script). One line per model; EWP's published backtest is drawn dashed. */
(function () {
  "use strict";
  const WIDTH = 460, HEIGHT = 300, M = { top: 12, right: 16, bottom: 42, left: 52 };
  const colours = ["#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214"];

  function frame(figure, xLabel, yLabel, xDomain, yDomain) {
    const svg = d3.select(figure).append("svg")
      .attr("viewBox", "0 0 " + WIDTH + " " + HEIGHT).attr("role", "img");
    const x = d3.scaleLinear().domain(xDomain).range([M.left, WIDTH - M.right]).nice();
    const y = d3.scaleLinear().domain(yDomain).range([HEIGHT - M.bottom, M.top]).nice();
    svg.append("g").attr("transform", "translate(0," + (HEIGHT - M.bottom) + ")")
      .call(d3.axisBottom(x).ticks(6));
    svg.append("g").attr("transform", "translate(" + M.left + ",0)").call(d3.axisLeft(y).ticks(6));
    svg.append("text").attr("x", (M.left + WIDTH - M.right) / 2).attr("y", HEIGHT - 6)
      .attr("text-anchor", "middle").attr("class", "axis-label").text(xLabel);
    svg.append("text").attr("transform", "rotate(-90)").attr("x", -(HEIGHT - M.bottom) / 2)
      .attr("y", 14).attr("text-anchor", "middle").attr("class", "axis-label").text(yLabel);
    return { svg: svg, x: x, y: y };
  }

  function line(chart, points, colour, dashed) {
    chart.svg.append("path").datum(points)
      .attr("fill", "none").attr("stroke", colour).attr("stroke-width", 2)
      .attr("stroke-dasharray", dashed ? "5 4" : null)
      .attr("d", d3.line().x(function (p) { return chart.x(p[0]); })
        .y(function (p) { return chart.y(p[1]); }));
  }

  function legend(figure, names) {
    const list = d3.select(figure).append("ul").attr("class", "chart-legend");
    names.forEach(function (name, i) {
      const item = list.append("li");
      item.append("span").attr("class", "swatch " + (name === "ewp_published" ? "dashed" : ""))
        .style("background", colours[i % colours.length]);
      item.append("span").text(name);
    });
  }

  function draw() {
    const source = document.getElementById("backtest-curves");
    if (!source || !window.d3) return;
    const curves = JSON.parse(source.textContent || "{}");
    const names = Object.keys(curves);
    if (!names.length) return;
    const reliabilityFigure = document.querySelector("[data-chart=reliability]");
    const catchFigure = document.querySelector("[data-chart=catch]");
    let top = 0;
    names.forEach(function (name) {
      curves[name].reliability.forEach(function (b) {
        top = Math.max(top, b.mean_forecast, b.observed_rate);
      });
    });
    const rel = frame(reliabilityFigure, "mean forecast", "observed rate", [0, top], [0, top]);
    line(rel, [[0, 0], [top, top]], "#999", true);
    const onsets = curves[names[0]].onsets;
    const deepest = curves[names[0]].catch.length;
    const ctc = frame(catchFigure, "top k countries each year", "onsets caught", [1, deepest], [0, onsets]);
    names.forEach(function (name, i) {
      const colour = colours[i % colours.length];
      const dashed = name === "ewp_published";
      line(rel, curves[name].reliability.map(function (b) {
        return [b.mean_forecast, b.observed_rate];
      }), colour, dashed);
      line(ctc, curves[name].catch.map(function (c, k) { return [k + 1, c]; }), colour, dashed);
    });
    legend(reliabilityFigure, names);
    legend(catchFigure, names);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
