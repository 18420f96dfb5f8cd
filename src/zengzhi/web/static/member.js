/* The member app: the price chart (vendored Chart.js), forms that submit once, copy link.
 *
 * A form marked data-once disables its buttons after the first submit, so a double tap
 * sends one request; the server's idempotency key is what guarantees it (a re-sent form
 * is answered with the first result), this only spares the member a confusing second page.
 */
(function () {
  "use strict";

  function setUpChart() {
    var canvas = document.getElementById("price-chart");
    var data = document.getElementById("price-data");
    if (!canvas || !data || typeof Chart === "undefined") return;
    var points = JSON.parse(data.textContent);
    var locale = canvas.dataset.locale || "zh-CN";
    var day = function (ms) {
      return new Date(ms).toLocaleDateString(locale, { month: "2-digit", day: "2-digit" });
    };
    var moment = function (ms) { return new Date(ms).toLocaleString(locale); };
    // drawing only: the exact prices are the 4-decimal strings shown on the pages
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          data: points.map(function (p) { return { x: p.t, y: Number(p.price), label: p.price }; }),
          borderColor: "#b4232a",
          backgroundColor: "#b4232a",
          pointRadius: points.length > 60 ? 0 : 2,
          borderWidth: 2,
          stepped: "before",
        }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) { return moment(items[0].raw.x); },
              label: function (item) { return item.raw.label; },
            },
          },
        },
        scales: {
          x: { type: "linear", ticks: { maxTicksLimit: 5, callback: function (v) { return day(v); } } },
          y: { title: { display: true, text: canvas.dataset.yLabel } },
        },
      },
    });
    canvas.dataset.ready = "true";
  }

  function setUpOnce() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        // after this event: the clicked button's name/value must still be sent
        setTimeout(function () {
          form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  }

  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.querySelector(button.dataset.copy);
        if (!field) return;
        field.select();
        var done = function () { button.textContent = button.dataset.copied; };
        if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
        else if (document.execCommand("copy")) done();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpChart();
    setUpOnce();
    setUpCopy();
  });
})();
