/* The public explorer: the price chart, and an inclusion-proof check done in the browser.
 *
 * Proof check (RFC 9162 §2.1.3.2), bytes exactly as the ledger hashes them
 * (src/zengzhi/ledger/merkle.py):
 *   leaf      = the transaction's 32-byte chain hash (hex in the page and the proof)
 *   leaf hash = SHA-256(0x00 || leaf)
 *   node hash = SHA-256(0x01 || left || right)
 *   walk `path` (sibling hashes, leaf upwards) with index = seq - first_seq of the
 *   checkpoint and size = its number of transactions; the result must equal the root
 *   published for that checkpoint (the page's data-root), not merely the proof's own.
 * SHA-256 is WebCrypto's crypto.subtle.digest (available on HTTPS and on localhost).
 */
(function () {
  "use strict";

  var HEX32 = /^[0-9a-f]{64}$/;

  function bytesOf(hex) {
    if (typeof hex !== "string" || !HEX32.test(hex)) {
      throw new Error("not a 32-byte hex hash: " + String(hex).slice(0, 80));
    }
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
  }

  function hexOf(bytes) {
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  async function sha256(prefix, parts) {
    var length = 1;
    parts.forEach(function (p) { length += p.length; });
    var data = new Uint8Array(length);
    data[0] = prefix;
    var at = 1;
    parts.forEach(function (p) { data.set(p, at); at += p.length; });
    return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  }

  /* Does `path` prove that `leafHex` is leaf `index` of the tree of `size` with `rootHex`? */
  async function verifyInclusion(leafHex, index, size, pathHex, rootHex) {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size)) return false;
    if (index < 0 || index >= size || !Array.isArray(pathHex)) return false;
    var fn = index, sn = size - 1;
    var r = await sha256(0x00, [bytesOf(leafHex)]);
    for (var i = 0; i < pathHex.length; i++) {
      var p = bytesOf(pathHex[i]);
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(0x01, [p, r]);
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await sha256(0x01, [r, p]);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && hexOf(r) === rootHex;
  }

  /* Check the proof the API serves against what the page published. */
  async function checkProof(proof, expected) {
    if (proof.leaf !== expected.leaf) return { ok: false, why: "leaf" };
    if (proof.root !== expected.root || proof.checkpoint !== expected.checkpoint) {
      return { ok: false, why: "root" };
    }
    var ok = await verifyInclusion(proof.leaf, proof.index, proof.size, proof.path, expected.root);
    return { ok: ok, steps: proof.path.length };
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function setUpProof() {
    var box = document.getElementById("proof");
    var button = document.getElementById("verify-button");
    var result = document.getElementById("verify-result");
    if (!box || !button || !result) return;
    button.addEventListener("click", async function () {
      result.className = "verify-result";
      result.textContent = result.dataset.working;
      button.disabled = true;
      try {
        if (!window.crypto || !crypto.subtle) throw new Error("WebCrypto needs HTTPS");
        var reply = await fetch(box.dataset.proofUrl, { headers: { Accept: "application/json" } });
        var body = await reply.json();
        if (!reply.ok) throw new Error((body.error && body.error.message) || reply.status);
        var outcome = await checkProof(body, {
          leaf: box.dataset.leaf,
          root: box.dataset.root,
          checkpoint: Number(box.dataset.checkpoint),
        });
        result.classList.add(outcome.ok ? "ok" : "bad");
        result.textContent = outcome.ok
          ? "✓ " + fill(result.dataset.ok, { n: box.dataset.checkpoint, steps: outcome.steps })
          : "✗ " + result.dataset.bad;
      } catch (error) {
        result.classList.add("bad");
        result.textContent = "✗ " + fill(result.dataset.error, { why: error.message || error });
      } finally {
        button.disabled = false;
      }
    });
  }

  function setUpChart() {
    var canvas = document.getElementById("price-chart");
    var data = document.getElementById("price-data");
    if (!canvas || !data || typeof Chart === "undefined") return;
    var points = JSON.parse(data.textContent);
    // drawing only: the exact prices are the 4-decimal strings in the data and the API
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          data: points.map(function (p) { return { x: p.seq, y: Number(p.price), label: p.price }; }),
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
              title: function (items) { return "#" + items[0].raw.x; },
              label: function (item) { return item.raw.label; },
            },
          },
        },
        scales: {
          x: { type: "linear", title: { display: true, text: canvas.dataset.xLabel },
               ticks: { precision: 0 } },
          y: { title: { display: true, text: canvas.dataset.yLabel } },
        },
      },
    });
    canvas.dataset.ready = "true";
  }

  window.zengzhiExplorer = { verifyInclusion: verifyInclusion, checkProof: checkProof };
  document.addEventListener("DOMContentLoaded", function () {
    setUpChart();
    setUpProof();
  });
})();
