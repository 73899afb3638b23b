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

  /* "Are you sure?" before cancelling, confirming receipt, deleting: forms with data-confirm
     ask in the in-page confirmation sheet (mall/sheets.js), never with window.confirm(). */

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

  /* ---- address form: province → city → district lists from the offline division data -- */
  function initRegionPicker() {
    var box = $("[data-region-picker]");
    var dataEl = document.getElementById("region-data");
    if (!box || !dataEl) return;
    var tree = JSON.parse(dataEl.textContent);
    var province = $("[data-region=province]", box);
    var city = $("[data-region=city]", box);
    var district = $("[data-region=district]", box);

    function fill(select, names) {
      var keep = select.value;
      select.textContent = "";
      var prompt = document.createElement("option");
      prompt.value = "";
      prompt.textContent = select.dataset.prompt || "";
      select.appendChild(prompt);
      names.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name;
        select.appendChild(option);
      });
      select.value = names.indexOf(keep) >= 0 ? keep : "";
      // A list of one (a city that is its own district) is chosen already.
      if (!select.value && names.length === 1) select.value = names[0];
      select.disabled = names.length === 0;
    }
    function citiesOf(name) {
      var found = tree.filter(function (p) { return p[0] === name; })[0];
      return found ? found[1] : [];
    }
    function districtsOf(provinceName, cityName) {
      var found = citiesOf(provinceName).filter(function (c) { return c[0] === cityName; })[0];
      return found ? found[1] : [];
    }
    province.addEventListener("change", function () {
      fill(city, citiesOf(province.value).map(function (c) { return c[0]; }));
      fill(district, districtsOf(province.value, city.value));
    });
    city.addEventListener("change", function () { fill(district, districtsOf(province.value, city.value)); });
    if (!province.value) { city.disabled = true; district.disabled = true; }
    else if (!city.value) district.disabled = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    initRegionPicker();
    initCart();
    initSubmitOnce();
    initCountdown();
    initAfterSaleAmount();
    initPhotoPick();
  });
})();
