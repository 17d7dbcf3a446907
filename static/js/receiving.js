/* A receiving note on a phone or at the back door: a scan (the bridge's scanner, or a keyboard-wedge
 * scanner) lands in the lot or serial field that has the focus, otherwise it is counted on the note.
 * After each count the code field is emptied and has the focus again, unless someone is typing
 * elsewhere. "Don't add it" closes the question about an unknown or unexpected code. */
(function () {
  "use strict";

  function codeInput() { return document.getElementById("scan-code"); }

  document.body.addEventListener("bridge:scan", function (event) {
    var focused = document.activeElement;
    if (focused && focused.hasAttribute("data-scan-target") && focused !== codeInput()) {
      focused.value = event.detail.code;
      focused.dispatchEvent(new Event("change", { bubbles: true })); // the line saves itself
      return;
    }
    if (!codeInput()) return;
    window.HuotongBridge.sendScan(function () { return codeInput() && codeInput().form; }, event.detail.code);
  });

  // A code typed and sent with the Add button is cleared after its request, answered or refused: the next
  // scan starts empty. A scan (Enter, or the bridge) emptied the field already; it may hold the next code.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    var typedAndSent = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (typedAndSent && form.matches && form.matches("form[data-clear-code-after-request]")) form.elements.code.value = "";
  });

  document.body.addEventListener("htmx:afterSettle", function () {
    var focused = document.activeElement;
    var typing = focused && /^(INPUT|SELECT|TEXTAREA)$/.test(focused.tagName) && focused.offsetParent !== null;
    var input = codeInput();
    if (!typing && input) input.focus();
  });

  document.body.addEventListener("click", function (event) {
    if (!event.target.closest("[data-dismiss-prompt]")) return;
    event.target.closest(".prompt").remove();
    var input = codeInput();
    if (input) input.focus();
  });
})();
