/* Quanzi H5: bottom sheets (every app). Every page works without this script.

   - [data-sheet="name"] is a sheet; [data-open-sheet="name"] opens it, [data-sheet-close]
     inside it closes it, and so does Escape. Opening and closing are announced with the
     events "sheet:open" / "sheet:close" on the sheet.
   - The confirmation sheet replaces the browser's confirm(): a form with data-confirm="…"
     asks first; 确定 submits it with the button that was pressed, 取消 does nothing. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  var lastFocus = null;

  function open(sheet) {
    if (!sheet || sheet.classList.contains("is-open")) return;
    lastFocus = document.activeElement;
    sheet.hidden = false;
    document.documentElement.classList.add("has-sheet");
    // Next frame, so the slide-in transition runs from the closed position.
    requestAnimationFrame(function () { sheet.classList.add("is-open"); });
    var focusable = $("[data-sheet-focus], .sheet-panel button:not([disabled])", sheet);
    if (focusable) focusable.focus({ preventScroll: true });
    sheet.dispatchEvent(new CustomEvent("sheet:open"));
  }

  function close(sheet) {
    if (!sheet || sheet.hidden) return;
    sheet.classList.remove("is-open");
    sheet.hidden = true;
    if (!document.querySelector(".sheet.is-open")) document.documentElement.classList.remove("has-sheet");
    if (lastFocus && lastFocus.focus) lastFocus.focus({ preventScroll: true });
    sheet.dispatchEvent(new CustomEvent("sheet:close"));
  }

  function byName(name) { return $('[data-sheet="' + name + '"]'); }

  function initSheets() {
    document.addEventListener("click", function (event) {
      var opener = event.target.closest("[data-open-sheet]");
      if (opener) {
        var sheet = byName(opener.getAttribute("data-open-sheet"));
        if (sheet) { event.preventDefault(); open(sheet); }
        return;
      }
      var closer = event.target.closest("[data-sheet-close]");
      if (closer) close(closer.closest("[data-sheet]"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var sheet = document.querySelector(".sheet.is-open");
      if (sheet) close(sheet);
    });
  }

  function initConfirm() {
    var sheet = byName("confirm");
    if (!sheet) return;
    var text = $("[data-confirm-text]", sheet);
    var ok = $("[data-confirm-ok]", sheet);
    var pending = null;  // {form, submitter}

    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute("data-confirm");
      if (!question) return;
      if (form.dataset.confirmed) { delete form.dataset.confirmed; return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      pending = { form: form, submitter: event.submitter || null };
      text.textContent = question;
      ok.textContent = form.getAttribute("data-confirm-ok") || ok.dataset.defaultLabel;
      ok.classList.toggle("btn-danger", form.hasAttribute("data-confirm-danger"));
      open(sheet);
    }, true);

    ok.addEventListener("click", function () {
      if (!pending) return;
      var form = pending.form, submitter = pending.submitter;
      pending = null;
      close(sheet);
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else form.submit();
    });
    sheet.addEventListener("sheet:close", function () { pending = null; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    initSheets();
    initConfirm();
  });

  window.QuanziSheets = { open: open, close: close, byName: byName };
})();
