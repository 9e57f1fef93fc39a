/* Statistics charts: each canvas#<id> draws the JSON in script#<id>-data (no inline script: the CSP
   forbids it). Bars of demand beside supply; the table under the chart carries the same figures. */
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.id + "-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var sets = [];
    if (data.demand && data.demand.some(function (v) { return v !== null; })) {
      sets.push({ label: data.demandLabel || "需求人数", data: data.demand, backgroundColor: "#c62828" });
    }
    if (data.supply && data.supply.some(function (v) { return v !== null; })) {
      sets.push({ label: data.supplyLabel || "求职人数", data: data.supply, backgroundColor: "#1565c0" });
    }
    new Chart(canvas, {
      type: data.type || "bar",
      data: { labels: data.labels, datasets: sets },
      options: { responsive: true, animation: false,
                 scales: { y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[id]").forEach(function (c) {
      if (document.getElementById(c.id + "-data")) { draw(c); }
    });
  });
})();
