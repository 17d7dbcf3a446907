/* Stock screens on a phone or tablet (counts, write-offs, transfers): a scan — from the bridge or a
 * keyboard-wedge scanner (bridge.js turns both into `bridge:scan`) — is posted with the page's scan
 * form ([data-scan-form]) as its code, one scan after another (HuotongBridge.sendScan); a quantity
 * typed beforehand, if the form has one, goes with it. After each swap the code field (rendered empty by
 * the server) has the focus for the next scan, unless someone is typing elsewhere; it is never
 * cleared here, so a fast next scan typed into it is not lost. */
(function () {
  "use strict";

  function scanForm() { return document.querySelector("form[data-scan-form]"); }

  document.body.addEventListener("bridge:scan", function (event) {
    var form = scanForm();
    if (!form) return;
    window.HuotongBridge.sendScan(scanForm, event.detail.code); // one after another, none dropped
  });

  document.body.addEventListener("htmx:afterSettle", function () {
    var form = scanForm();
    if (!form) return;
    var code = form.querySelector("[data-scan-code]");
    var focused = document.activeElement;
    var typing = focused && focused !== code && /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName)
      && focused.offsetParent !== null;
    if (!typing) code.focus();
  });
})();
