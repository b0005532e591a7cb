/* Colours world maps by the risk values a page embeds as JSON (no inline script: CSP). */
(function () {
  "use strict";
  function colourMaps() {
    document.querySelectorAll("[data-worldmap][data-values-from]").forEach(function (element) {
      const source = document.getElementById(element.getAttribute("data-values-from"));
      if (!source || !window.LensWorldMap) return;
      const values = JSON.parse(source.textContent || "{}");
      window.LensWorldMap.colorBy(element, values, {
        label: element.getAttribute("data-values-label") || "",
        format: function (value) { return (value * 100).toFixed(1) + "%"; },
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", colourMaps);
  } else {
    colourMaps();
  }
})();
