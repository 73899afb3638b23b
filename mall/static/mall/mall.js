/* Quanzi H5 storefront: small progressive enhancements. Every page works without it. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  /* ---- toasts --------------------------------------------------------------------- */
  function hideLater(el, ms) {
    setTimeout(function () {
      el.classList.add("is-hiding");
      setTimeout(function () { el.remove(); }, 450);
    }, ms);
  }

  function toast(text, kind, ms) {
    var box = $("[data-toasts]");
    if (!box || !text) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (kind || "info");
    el.setAttribute("role", "status");
    el.setAttribute("data-testid", "message");
    el.textContent = text;
    box.appendChild(el);
    hideLater(el, ms || 3000);
  }

  function initToasts() {
    $$("[data-toasts] .toast").forEach(function (el) {
      // A development-mode code must stay readable long enough to be typed.
      hideLater(el, el.classList.contains("toast-info") ? 10000 : 3500);
    });
  }

  /* ---- copy buttons (every app): [data-copy="text"] ---------------------------------
     The toast texts come from the button's data-copied / data-copy-failed, else from the
     page's [data-copied] element. When copying fails, [data-copy-target] is selected so
     a long press copies it. */
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
    area.remove();
    return ok;
  }

  function copyText(text) {
    // The async clipboard needs a secure context; WeChat's browser often lacks it.
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; },
        function () { return legacyCopy(text); });
    }
    return Promise.resolve(legacyCopy(text));
  }

  function selectContents(el) {
    var selection = window.getSelection && window.getSelection();
    if (!selection || !document.createRange) return;
    var range = document.createRange();
    range.selectNodeContents(el);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function initCopy() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-copy]");
      if (!button) return;
      var labels = button.hasAttribute("data-copied") ? button : $("[data-copied]");
      copyText(button.getAttribute("data-copy")).then(function (ok) {
        var target = button.getAttribute("data-copy-target");
        if (!ok && target && $(target)) selectContents($(target));
        if (!labels) return;
        toast(labels.getAttribute(ok ? "data-copied" : "data-copy-failed"), ok ? "success" : "error", 1800);
      });
    });
  }

  /* ---- back arrows: go back when we came from this site, else follow the link ------ */
  function initBack() {
    $$("[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var sameSite = document.referrer && document.referrer.indexOf(location.origin + "/") === 0;
        if (sameSite && history.length > 1) {
          event.preventDefault();
          history.back();
        }
      });
    });
  }

  /* ---- scroll-snap carousels (home banner, product gallery) ------------------------- */
  function trackDots(track, dots, onIndex) {
    var ticking = false;
    track.addEventListener("scroll", function () {
      if (ticking) return;
      ticking = true;
      requestAnimationFrame(function () {
        ticking = false;
        var index = Math.round(track.scrollLeft / Math.max(track.clientWidth, 1));
        dots.forEach(function (dot, i) { dot.classList.toggle("is-on", i === index); });
        if (onIndex) onIndex(index);
      });
    }, { passive: true });
  }

  function initCarousel() {
    $$("[data-carousel]").forEach(function (carousel) {
      var track = $("[data-carousel-track]", carousel);
      var dots = $$("[data-carousel-dots] i", carousel);
      if (!track || dots.length < 2) return;
      trackDots(track, dots);
      var paused = false;
      ["touchstart", "pointerdown", "mouseenter"].forEach(function (name) {
        carousel.addEventListener(name, function () { paused = true; }, { passive: true });
      });
      ["touchend", "mouseleave"].forEach(function (name) {
        carousel.addEventListener(name, function () { paused = false; }, { passive: true });
      });
      setInterval(function () {
        if (paused || document.hidden) return;
        var width = track.clientWidth;
        var next = Math.round(track.scrollLeft / width) + 1;
        track.scrollTo({ left: (next >= dots.length ? 0 : next) * width, behavior: "smooth" });
      }, 4000);
    });
  }

  function initGallery() {
    var gallery = $("[data-gallery]");
    if (!gallery) return;
    var track = $("[data-gallery-track]", gallery);
    var dots = $$("[data-gallery-dots] i", gallery);
    var counter = $("[data-gallery-index]", gallery);
    if (!track || dots.length < 2) return;
    trackDots(track, dots, function (index) { if (counter) counter.textContent = String(index + 1); });
  }

  /* ---- "load more": fetch the next page and append its cards ---------------------- */
  function initLoadMore() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-load-more]");
      if (!link || !window.fetch || !window.DOMParser) return;
      var grid = $("[data-grid]");
      if (!grid) return;
      event.preventDefault();
      link.classList.add("is-loading");
      fetch(link.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var nextGrid = $("[data-grid]", doc);
          if (nextGrid) {
            Array.prototype.slice.call(nextGrid.children).forEach(function (card) {
              grid.appendChild(document.adoptNode(card));
            });
          }
          var pager = link.closest(".pager");
          var nextPager = $(".pager", doc);
          if (pager && nextPager) pager.replaceWith(document.adoptNode(nextPager));
          else if (pager) pager.remove();
        })
        .catch(function () { location.href = link.href; });
    });
  }

  /* ---- SKU picker on the product page: a bottom sheet (sheets.js) ----------------------
     The choice stays made after 加入购物车: the add is posted in the page (JSON) and the
     cart badges are updated; without fetch the page posts and comes back with ?sku=<id>. */
  function setCartBadges(count) {
    $$("[data-cart-badge]").forEach(function (badge) {
      badge.textContent = count > 99 ? "99+" : String(count);
      badge.hidden = !(count > 0);
    });
  }

  function initSkuPicker() {
    var picker = $("[data-sku-picker]");
    var dataEl = document.getElementById("sku-data");
    if (!picker || !dataEl) return;
    var data = JSON.parse(dataEl.textContent);
    var names = data.specs.map(function (spec) { return spec.name; });
    var skus = data.skus;
    var selected = {};
    var buttons = $$("[data-spec]", picker);
    var priceEls = [$('[data-testid="price"]'), $("[data-sku-price]", picker)].filter(Boolean);
    var stockEl = $('[data-testid="stock"]', picker);
    var hintEl = $("[data-sku-hint]", picker);
    var chosenEl = $("[data-sku-chosen]");
    var chosenLongEl = $("[data-sku-chosen-long]", picker);
    var qty = $("[data-qty]", picker);
    var minus = $("[data-qty-minus]", picker);
    var plus = $("[data-qty-plus]", picker);
    var skuInput = $("[data-sku-input]");
    var form = $("[data-buy-form]");
    var sheet = picker.closest("[data-sheet]");
    var cartEnabled = form && form.hasAttribute("data-enabled");
    var stockTpl = picker.dataset.stockTpl || "{n}";
    var chooseTpl = picker.dataset.chooseTpl || "{specs}";
    var chosenTpl = picker.dataset.chosenTpl || "{n}";
    var soldOut = picker.dataset.soldout || "";

    function matches(sku, partial) {
      return Object.keys(partial).every(function (key) { return sku.specs[key] === partial[key]; });
    }
    function stockOf(partial) {
      return skus.reduce(function (sum, sku) { return matches(sku, partial) ? sum + sku.stock : sum; }, 0);
    }
    function withChoice(name, value) {
      var partial = {};
      Object.keys(selected).forEach(function (key) { partial[key] = selected[key]; });
      partial[name] = value;
      return partial;
    }
    function currentSku() {
      if (!names.every(function (name) { return name in selected; })) return null;
      return skus.filter(function (sku) { return matches(sku, selected); })[0] || null;
    }

    function setQuantity(value, max) {
      var n = parseInt(value, 10);
      if (!(n >= 1)) n = 1;
      n = Math.min(n, Math.max(max, 1));
      qty.value = String(n);
      qty.max = String(Math.max(max, 1));
      minus.disabled = n <= 1;
      plus.disabled = n >= max;
    }

    function chosenText(missing) {
      if (missing.length) return chooseTpl.replace("{specs}", missing.join(" / "));
      var values = names.map(function (name) { return selected[name]; });
      return values.concat([chosenTpl.replace("{n}", qty.value)]).join(" · ");
    }

    function render() {
      buttons.forEach(function (button) {
        var name = button.dataset.spec;
        var isSelected = selected[name] === button.dataset.value;
        button.classList.toggle("is-selected", isSelected);
        button.setAttribute("aria-pressed", isSelected ? "true" : "false");
        // A value is offered only if some in-stock SKU has it with the other choices made.
        button.disabled = !isSelected && stockOf(withChoice(name, button.dataset.value)) <= 0;
      });
      var sku = currentSku();
      var available = sku ? sku.stock : stockOf(selected);
      priceEls.forEach(function (el) { el.textContent = sku ? sku.price_display : el.dataset.default; });
      stockEl.textContent = available > 0 ? stockTpl.replace("{n}", String(available)) : soldOut;
      var missing = names.filter(function (name) { return !(name in selected); });
      hintEl.textContent = missing.length ? chooseTpl.replace("{specs}", missing.join(" / ")) : "";
      setQuantity(qty.value, available);
      if (chosenEl) chosenEl.textContent = chosenText(missing);
      if (chosenLongEl) chosenLongEl.textContent = chosenText(missing);
      if (skuInput) skuInput.value = sku ? String(sku.id) : "";
      if (cartEnabled) {
        $$("[data-sheet-submit]").forEach(function (b) { b.disabled = !(sku && sku.stock > 0); });
      }
    }

    picker.addEventListener("click", function (event) {
      var button = event.target.closest("[data-spec]");
      if (!button || button.disabled) return;
      var name = button.dataset.spec;
      if (selected[name] === button.dataset.value) delete selected[name];
      else selected[name] = button.dataset.value;
      render();
    });
    function step(delta) {
      var sku = currentSku();
      setQuantity((parseInt(qty.value, 10) || 1) + delta, sku ? sku.stock : stockOf(selected));
      render();
    }
    minus.addEventListener("click", function () { step(-1); });
    plus.addEventListener("click", function () { step(1); });
    qty.addEventListener("change", function () { step(0); });

    // The choice to keep (?sku=<id> after a post without the script), else single values.
    var kept = skus.filter(function (sku) { return sku.id === data.selected && sku.stock > 0; })[0];
    if (kept) {
      names.forEach(function (name) { selected[name] = kept.specs[name]; });
    } else {
      data.specs.forEach(function (spec) {
        if (spec.values.length === 1 && stockOf(withChoice(spec.name, spec.values[0])) > 0) {
          selected[spec.name] = spec.values[0];
        }
      });
    }
    render();
    if (form && cartEnabled) initBuyForm(form, sheet, currentSku);
  }

  function initBuyForm(form, sheet, currentSku) {
    var sheets = window.QuanziSheets;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var action = submitter ? submitter.value : "add";
      var sku = currentSku();
      // The action bar's buttons open the sheet until a SKU in stock is chosen.
      if (!(sku && sku.stock > 0)) {
        event.preventDefault();
        if (sheet && sheets) sheets.open(sheet);
        return;
      }
      if (action !== "add" || !window.fetch || !window.FormData) return;
      event.preventDefault();
      var body = new FormData(form);
      body.set("action", "add");
      // getAttribute: form.action is the buttons named "action", not the URL.
      fetch(form.getAttribute("action"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          return response.json().then(function (json) { return { ok: response.ok, json: json }; });
        })
        .then(function (result) {
          toast(result.json.detail, result.ok ? "success" : "error");
          if (!result.ok) return;
          setCartBadges(result.json.cart_count);
          if (sheet && sheets) sheets.close(sheet);
        })
        .catch(function () {
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "action"; input.value = "add";
          form.appendChild(input);
          form.submit();
        });
    });
  }

  /* ---- sign-up: send the SMS code without leaving the page, then count down --------- */
  function initSendCode() {
    var button = $("[data-send-code]");
    if (!button || !window.fetch) return;
    var form = button.form;
    var label = button.textContent;

    function countdown(seconds) {
      button.disabled = true;
      var left = seconds;
      var tpl = button.dataset.countdownTpl || "{n}";
      button.textContent = tpl.replace("{n}", String(left));
      var timer = setInterval(function () {
        left -= 1;
        if (left <= 0) {
          clearInterval(timer);
          button.disabled = false;
          button.textContent = label;
        } else {
          button.textContent = tpl.replace("{n}", String(left));
        }
      }, 1000);
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      var body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      body.append("phone", form.querySelector("[name=phone]").value);
      button.disabled = true;
      fetch(button.dataset.url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (json) { return { ok: response.ok, json: json }; });
        })
        .then(function (result) {
          if (!result.ok) {
            toast(result.json.detail, "error");
            button.disabled = false;
            return;
          }
          toast(result.json.detail, "success");
          if (result.json.dev_message) toast(result.json.dev_message, "info", 15000);
          countdown(60);
          var code = form.querySelector("[name=code]");
          if (code) code.focus();
        })
        .catch(function () {
          // Fall back to the plain form post, which works without this script.
          button.disabled = false;
          form.action = button.getAttribute("formaction");
          form.submit();
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initToasts();
    initCopy();
    initBack();
    initCarousel();
    initGallery();
    initLoadMore();
    initSkuPicker();
    initSendCode();
  });

  window.Quanzi = { toast: toast };
})();
