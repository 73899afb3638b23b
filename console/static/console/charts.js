/* The console's charts (Chart.js, vendored in vendor/). Data: the JSON in #qz-chart-data,
   written by the page. On the dashboard a 7 / 30 days switch redraws from the same data. */
(function () {
  "use strict";

  function money(value) { return value === null ? null : Number(value); }

  function slice(data, days) {
    var from = Math.max(0, data.days.length - days);
    var out = {};
    Object.keys(data).forEach(function (key) {
      out[key] = Array.isArray(data[key]) ? data[key].slice(from) : data[key];
    });
    return out;
  }

  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } } }
  };

  function options(extra) { return Object.assign({}, common, extra); }

  function draw(root, data) {
    var labels = data.labels;
    var days = data.days.map(function (d) { return d.slice(5); });
    var charts = [];
    charts.push(new Chart(root.querySelector("#chart-sales"), {
      type: "bar",
      data: { labels: days, datasets: [
        { label: labels.gmv, data: data.gmv.map(money), yAxisID: "y", backgroundColor: "#79aec8" },
        { label: labels.orders, data: data.orders, type: "line", yAxisID: "y1", borderColor: "#c0392b",
          backgroundColor: "#c0392b", pointRadius: 2 }
      ] },
      options: options({ scales: Object.assign({}, common.scales, {
        y: { beginAtZero: true, position: "left" },
        y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } }
      }) })
    }));
    charts.push(new Chart(root.querySelector("#chart-members"), {
      type: "bar",
      data: { labels: days, datasets: [
        { label: labels.members, data: data.new_members, backgroundColor: "#417690" },
        { label: labels.resellers, data: data.new_resellers, backgroundColor: "#f5dd5d" }
      ] },
      options: options({ scales: Object.assign({}, common.scales, { y: { beginAtZero: true, ticks: { precision: 0 } } }) })
    }));
    charts.push(new Chart(root.querySelector("#chart-liability"), {
      type: "line",
      data: { labels: days, datasets: [
        { label: labels.liability, data: data.liability.map(money), borderColor: "#417690",
          backgroundColor: "#417690", spanGaps: true, pointRadius: 2 }
      ] },
      options: options({ scales: Object.assign({}, common.scales, { y: { beginAtZero: true } }) })
    }));
    return charts;
  }

  function start() {
    var root = document.querySelector("[data-chart-root]");
    var source = document.getElementById("qz-chart-data");
    if (!root || !source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = draw(root, data);
    if (!root.hasAttribute("data-range-switch")) { return; }
    root.querySelectorAll("[data-days]").forEach(function (button) {
      button.addEventListener("click", function () {
        charts.forEach(function (chart) { chart.destroy(); });
        charts = draw(root, slice(data, Number(button.dataset.days)));
        root.querySelectorAll("[data-days]").forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
      });
    });
    root.querySelector('[data-days="7"]').click();
  }

  document.addEventListener("DOMContentLoaded", start);
}());
