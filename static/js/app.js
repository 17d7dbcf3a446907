/* Small things every page shares: toasts leave by themselves after a while; print buttons
 * ([data-print]); a select that filters as soon as it changes ([data-submit-on-change]); and money in
 * whole fen (HuotongMoney), so a page that adds up amounts never adds floating-point yuan. */
(function () {
  "use strict";
  var LIFETIME = 6000;

  // --- money: "12.50" is 1250 fen, exactly ------------------------------------------------------
  var AMOUNT = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;

  /* The fen in a typed or rendered amount ("12.5", "12.50", "１２.５", ".5", "1,250.00"); 0 for
     anything else (empty, letters, a part of a fen). */
  function fen(text) {
    var plain = String(text === undefined || text === null ? "" : text).normalize("NFKC").replace(/,/g, "");
    var match = AMOUNT.exec(plain);
    if (!match || (match[2] === "" && !match[3])) return 0;
    var decimals = match[3] || "";
    if (/[1-9]/.test(decimals.slice(2))) return 0; // a part of a fen is not money
    var amount = parseInt(match[2] || "0", 10) * 100 + parseInt((decimals + "00").slice(0, 2), 10);
    return match[1] === "-" ? -amount : amount;
  }

  /* An amount in fen written as the money filter writes it: "¥1,250.00" (the prefix from <html data-currency>). */
  function format(amount) {
    var prefix = document.documentElement.getAttribute("data-currency") || "¥";
    var whole = Math.floor(Math.abs(amount) / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ("0" + (Math.abs(amount) % 100)).slice(-2);
    return (amount < 0 ? "-" : "") + prefix + whole + "." + cents;
  }

  window.HuotongMoney = { fen: fen, format: format };

  // --- toasts ------------------------------------------------------------------------------------
  function fade(toast) {
    if (toast.dataset.fading) return;
    toast.dataset.fading = "1";
    setTimeout(function () { toast.remove(); }, LIFETIME);
  }

  function fadeAll() { document.querySelectorAll("#toasts .toast").forEach(fade); }

  document.addEventListener("DOMContentLoaded", fadeAll);
  // A page asked to print as it opens (a Z report's reprint): print once it has loaded.
  window.addEventListener("load", function () {
    if (document.querySelector("[data-print-on-load]")) window.print();
  });
  document.addEventListener("htmx:afterSettle", fadeAll);
  document.addEventListener("click", function (event) {
    var toast = event.target.closest("#toasts .toast");
    if (toast) toast.remove();
    if (event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-submit-on-change]");
    if (select && select.form) select.form.requestSubmit();
  });
})();
