/* Quanzi H5 earnings pages: small progressive enhancements. Every page works without them. */
(function () {
  "use strict";

  /* The withdrawal form: "withdraw all", and the fee and what arrives, as the server
     computes them (fee = amount × rate, rounded half up to the fen), in integer fen. */
  var form = document.querySelector("[data-withdraw-form]");
  if (!form) return;
  var input = form.querySelector("[name=amount]");
  var all = form.querySelector("[data-fill-all]");
  var preview = form.querySelector("[data-fee-preview]");
  var rateE4 = parseInt(form.getAttribute("data-fee-rate-e4"), 10) || 0;

  function toFen(text) {
    var match = /^\s*(\d{1,8})(?:\.(\d{1,2}))?\s*$/.exec(text || "");
    if (!match) return null;
    return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
  }

  function yuan(fen) {
    var whole = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + whole + "." + ("0" + (fen % 100)).slice(-2);
  }

  function update() {
    if (!preview) return;
    var amount = toFen(input.value);
    if (amount === null || amount <= 0) {
      preview.hidden = true;
      return;
    }
    var fee = Math.floor((amount * rateE4 + 5000) / 10000);
    preview.textContent = preview.getAttribute("data-tpl")
      .replace("{fee}", yuan(fee)).replace("{net}", yuan(amount - fee));
    preview.hidden = false;
  }

  if (all) {
    all.addEventListener("click", function () {
      input.value = all.getAttribute("data-fill-all");
      update();
    });
  }
  input.addEventListener("input", update);
  update();
})();
