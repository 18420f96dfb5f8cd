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
    // times in the economy's zone, as on every other page (not the browser's)
    var zone = { timeZone: canvas.dataset.timezone || "Asia/Shanghai" };
    var shown = function (ms, parts) {
      try { return new Date(ms).toLocaleString(locale, Object.assign({}, zone, parts)); }
      catch (e) { return new Date(ms).toLocaleString(locale, parts); }  // unknown zone name
    };
    var day = function (ms) { return shown(ms, { month: "2-digit", day: "2-digit" }); };
    var moment = function (ms) { return shown(ms, {}); };
    var time = function (ms) { return shown(ms, { hour: "2-digit", minute: "2-digit" }); };
    // the axis spans the data (padded when it is one instant); days, or hours within a day
    var first = points.length ? points[0].t : Date.now();
    var last = points.length ? points[points.length - 1].t : first;
    if (last - first < 60 * 60 * 1000) { first -= 30 * 60 * 1000; last += 30 * 60 * 1000; }
    var label = last - first < 2 * 24 * 60 * 60 * 1000 ? time : day;
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
          x: { type: "linear", min: first, max: last,
               ticks: { maxTicksLimit: 4, callback: function (v) { return label(v); } } },
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
        var text = field.textContent.trim();
        var done = function () { button.textContent = button.dataset.copied; };
        if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () {});
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpChart();
    setUpOnce();
    setUpCopy();
  });
})();
