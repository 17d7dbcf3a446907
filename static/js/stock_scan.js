/* Stock screens on a phone or tablet (counts, write-offs): a scan — from the bridge or a
 * keyboard-wedge scanner (bridge.js turns both into `bridge:scan`) — fills the code field of
 * the page's scan form and submits it; the quantity typed beforehand, if any, goes with it. */
(function () {
  "use strict";

  function scanForm() { return document.querySelector("form[data-scan-form]"); }

  document.body.addEventListener("bridge:scan", function (event) {
    var form = scanForm();
    if (!form) return;
    form.querySelector("[data-scan-code]").value = event.detail.code;
    form.requestSubmit();
  });

  // After each swap the code field is ready for the next scan, unless someone is typing elsewhere.
  document.body.addEventListener("htmx:afterSettle", function () {
    var form = scanForm();
    var focused = document.activeElement;
    var typing = focused && /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName) && focused.offsetParent !== null;
    if (form && !typing) form.querySelector("[data-scan-code]").focus();
  });
})();
