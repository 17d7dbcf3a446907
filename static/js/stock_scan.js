/* Stock screens: a scan (bridge or keyboard-wedge scanner) lands in the page's scan field and is
 * submitted at once; after each swap the scan field is ready again, unless staff are typing elsewhere. */
(function () {
  "use strict";

  function scanInput() { return document.getElementById("scan-code"); }

  document.body.addEventListener("bridge:scan", function (event) {
    var target = scanInput();
    if (!target) return;
    target.value = event.detail.code;
    if (window.htmx) window.htmx.trigger(target.form, "submit");
    else target.form.requestSubmit();
  });

  document.body.addEventListener("htmx:afterSettle", function () {
    var focused = document.activeElement;
    var typing = focused && /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName) && focused.offsetParent !== null
      && focused !== scanInput();
    var target = scanInput();
    if (target && !typing) target.focus(); // the swapped-in field is empty: never clear what is being typed
  });
})();
