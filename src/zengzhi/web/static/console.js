/* The operator console's dashboard charts (vendored Chart.js, no CDN).
 *
 * The data is the page's JSON (#dashboard-data): per-day series built by the same report
 * functions as the CSV exports. Amounts arrive as exact decimal strings; Number() is used
 * for drawing only, never for a figure shown as text.
 */
(function () {
  "use strict";

  var RED = "#b4232a", BLUE = "#0550ae", GREEN = "#1a7f37", GREY = "#8c959f";

  function numbers(values) {
    return values.map(function (v) { return v === null ? null : Number(v); });
  }

  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    config.options = Object.assign({
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } },
    }, config.options || {});
    new Chart(canvas, config);
    canvas.dataset.ready = "true";
  }

  function setUp() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof Chart === "undefined") return;
    var d = JSON.parse(source.textContent);
    var el = function (id) { return document.getElementById(id).dataset; };

    chart("chart-price", {
      type: "line",
      data: {
        labels: d.days,
        datasets: [{ label: el("chart-price").price, data: numbers(d.price), borderColor: RED,
                     backgroundColor: RED, spanGaps: true, stepped: "before", pointRadius: 3 }],
      },
      options: { plugins: { legend: { display: false } } },
    });

    chart("chart-pool", {
      type: "line",
      data: {
        labels: d.days,
        datasets: [
          { label: el("chart-pool").pool, data: numbers(d.pool_yuan), yAxisID: "y",
            borderColor: BLUE, backgroundColor: BLUE, spanGaps: true, pointRadius: 3 },
          { label: el("chart-pool").points, data: numbers(d.points), yAxisID: "y1",
            borderColor: GREEN, backgroundColor: GREEN, spanGaps: true, pointRadius: 3 },
        ],
      },
      options: { scales: {
        y: { position: "left", beginAtZero: true },
        y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } },
      } },
    });

    chart("chart-orders", {
      data: {
        labels: d.days,
        datasets: [
          { type: "bar", label: el("chart-orders").amount, data: numbers(d.orders_yuan),
            yAxisID: "y", backgroundColor: BLUE },
          { type: "line", label: el("chart-orders").count, data: d.orders, yAxisID: "y1",
            borderColor: RED, backgroundColor: RED },
        ],
      },
      options: { scales: {
        y: { position: "left", beginAtZero: true },
        y1: { position: "right", beginAtZero: true, ticks: { precision: 0 },
              grid: { drawOnChartArea: false } },
      } },
    });

    var p = el("chart-payouts");
    chart("chart-payouts", {
      type: "bar",
      data: {
        labels: d.days,
        datasets: [
          { label: p.sales, data: numbers(d.sales_yuan), backgroundColor: GREEN },
          { label: p.exits, data: numbers(d.exits_yuan), backgroundColor: RED },
          { label: p.withdrawn, data: numbers(d.withdrawn_yuan), backgroundColor: GREY },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    });

    chart("chart-exits", {
      type: "bar",
      data: {
        labels: d.days,
        datasets: [{ label: el("chart-exits").count, data: d.exits, backgroundColor: RED }],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
