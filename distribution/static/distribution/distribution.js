/* Quanzi H5: the reseller centre. Copy buttons; every page works without this script. */
(function () {
  "use strict";

  function toast(text, kind) {
    var box = document.querySelector("[data-toasts]");
    if (!box || !text) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (kind || "success");
    el.setAttribute("role", "status");
    el.setAttribute("data-testid", "message");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () {
      el.classList.add("is-hiding");
      setTimeout(function () { el.remove(); }, 450);
    }, 1800);
  }

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

  function copy(text) {
    // The async clipboard needs a secure context; WeChat's browser often lacks it.
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; },
        function () { return legacyCopy(text); });
    }
    return Promise.resolve(legacyCopy(text));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var labels = document.querySelector("[data-copied]");
    copy(button.getAttribute("data-copy")).then(function (ok) {
      if (!labels) return;
      toast(ok ? labels.getAttribute("data-copied") : labels.getAttribute("data-copy-failed"),
        ok ? "success" : "error");
    });
  });
})();
