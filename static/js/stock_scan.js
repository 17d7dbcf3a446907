/* Stock screens on a phone or tablet (counts, write-offs, transfers): a scan — from the bridge or a
 * keyboard-wedge scanner (bridge.js turns both into `bridge:scan`) — fills the code field
 * ([data-scan-code]) of the page's scan form ([data-scan-form]) and submits it; a quantity typed
 * beforehand, if the form has one, goes with it. After each swap the code field (rendered empty by
 * the server) has the focus for the next scan, unless someone is typing elsewhere; it is never
 * cleared here, so a fast next scan typed into it is not lost. */
(function () {
  "use strict";

  function scanForm() { return document.querySelector("form[data-scan-form]"); }

  document.body.addEventListener("bridge:scan", function (event) {
    var form = scanForm();
    if (!form) return;
    form.querySelector("[data-scan-code]").value = event.detail.code;
    form.requestSubmit();
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
