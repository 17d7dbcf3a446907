/* Small things every page shares: toasts leave by themselves after a while. */
(function () {
  "use strict";
  var LIFETIME = 6000;

  function fade(toast) {
    if (toast.dataset.fading) return;
    toast.dataset.fading = "1";
    setTimeout(function () { toast.remove(); }, LIFETIME);
  }

  function fadeAll() { document.querySelectorAll("#toasts .toast").forEach(fade); }

  document.addEventListener("DOMContentLoaded", fadeAll);
  document.addEventListener("htmx:afterSettle", fadeAll);
  document.addEventListener("click", function (event) {
    var toast = event.target.closest("#toasts .toast");
    if (toast) toast.remove();
  });
})();
