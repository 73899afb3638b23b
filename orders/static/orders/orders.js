/* Quanzi H5, orders pages: small progressive enhancements. Every page works without it. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function formatFen(fen) {
    var yuan = Math.floor(fen / 100);
    var cents = String(fen % 100);
    return "¥" + String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + (cents.length < 2 ? "0" + cents : cents);
  }

  /* ---- cart: tick lines, select all, live subtotal and count -------------------------- */
  function initCart() {
    var form = $("[data-cart-form]");
    if (!form) return;
    var checks = $$("[data-line-check]");
    var all = $("[data-check-all]");
    var total = $("[data-cart-total]");
    var count = $("[data-cart-count]");
    var submit = $("[data-cart-submit]");

    function render() {
      var fen = 0, n = 0, enabled = 0;
      checks.forEach(function (box) {
        if (box.disabled) return;
        enabled += 1;
        if (box.checked) { fen += parseInt(box.dataset.amountFen, 10) || 0; n += 1; }
      });
      total.textContent = formatFen(fen);
      count.textContent = String(n);
      submit.disabled = n === 0;
      if (all) all.checked = enabled > 0 && n === enabled;
    }
    checks.forEach(function (box) { box.addEventListener("change", render); });
    if (all) {
      all.addEventListener("change", function () {
        checks.forEach(function (box) { if (!box.disabled) box.checked = all.checked; });
        render();
      });
    }
    render();
  }

  /* ---- "are you sure?" before cancelling, confirming receipt, deleting ------------------ */
  function initConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var text = form.getAttribute("data-confirm");
      if (text && !window.confirm(text)) event.preventDefault();
    }, true);
  }

  /* ---- submit once: a double tap must not post twice ------------------------------------ */
  function initSubmitOnce() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-submit-once") || event.defaultPrevented) return;
      if (form.dataset.submitted) { event.preventDefault(); return; }
      form.dataset.submitted = "1";
      // Disabled after the event, so the pressed button's name/value is still sent.
      setTimeout(function () {
        $$("button[type=submit]", form).forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }

  /* ---- the payment countdown on an unpaid order ------------------------------------------ */
  function initCountdown() {
    $$("[data-countdown]").forEach(function (el) {
      var left = parseInt(el.dataset.seconds, 10) || 0;
      var end = Date.now() + left * 1000;
      function pad(n) { return n < 10 ? "0" + n : String(n); }
      function tick() {
        var s = Math.max(0, Math.round((end - Date.now()) / 1000));
        el.textContent = pad(Math.floor(s / 60)) + ":" + pad(s % 60);
        if (s <= 0) {
          clearInterval(timer);
          setTimeout(function () { location.reload(); }, 1500);
        }
      }
      var timer = setInterval(tick, 1000);
      tick();
    });
  }

  /* ---- after-sales form: the amount follows the quantity (capped at what was paid) ------- */
  function initAfterSaleAmount() {
    var form = $("[data-aftersale-form]");
    var capsEl = document.getElementById("refund-caps");
    if (!form || !capsEl) return;
    var caps = JSON.parse(capsEl.textContent);
    var quantity = $("[name=quantity]", form);
    var amount = $("[name=amount]", form);
    var capText = $("[data-cap]", form);
    function render(resetAmount) {
      var cap = caps[quantity.value];
      if (!cap) return;
      amount.max = cap;
      if (resetAmount || !amount.value || parseFloat(amount.value) > parseFloat(cap)) amount.value = cap;
      if (capText) capText.textContent = capText.dataset.tpl.replace("{amount}", "¥" + cap);
    }
    quantity.addEventListener("change", function () { render(true); });
    render(false);
  }

  /* ---- after-sales form: photo tiles with previews; more than the maximum is refused -- */
  function initPhotoPick() {
    var box = $("[data-photo-pick]");
    if (!box) return;
    var input = $("input[type=file]", box);
    var previews = $("[data-photo-previews]", box);
    var add = $(".photo-add", box);
    var error = $("[data-photo-error]", box.parentNode);
    var max = parseInt(box.dataset.max, 10) || 3;
    var urls = [];
    if (!input || !previews || !add || !window.URL || !URL.createObjectURL) return;
    box.classList.add("is-enhanced");
    add.hidden = false;
    input.addEventListener("change", function () {
      urls.forEach(function (url) { URL.revokeObjectURL(url); });
      urls = [];
      previews.textContent = "";
      var files = Array.prototype.slice.call(input.files || []);
      var tooMany = files.length > max;
      if (tooMany) {
        input.value = "";  // the shopper picks again
        files = [];
      }
      if (error) {
        error.textContent = tooMany ? box.dataset.tooMany : "";
        error.hidden = !tooMany;
      }
      files.forEach(function (file) {
        var url = URL.createObjectURL(file);
        urls.push(url);
        var tile = document.createElement("span");
        var img = document.createElement("img");
        img.src = url;
        img.alt = file.name;
        tile.appendChild(img);
        previews.appendChild(tile);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCart();
    initConfirm();
    initSubmitOnce();
    initCountdown();
    initAfterSaleAmount();
    initPhotoPick();
  });
})();
