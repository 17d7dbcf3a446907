/* Install the service worker, so the app starts and says so when the network is gone;
 * and say so too when an htmx request cannot reach the server (the worker leaves those alone). */
(function () {
  "use strict";
  var script = document.currentScript;
  var LIFETIME = 6000;

  if ("serviceWorker" in navigator && script && script.dataset.worker) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(script.dataset.worker, { scope: "/", updateViaCache: "none" })
        .catch(function () { /* the app still works online */ });
      // The offline page is kept in the language of the page that installed it; keep it in this one.
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) {
          registration.active.postMessage({ type: "page-language", lang: document.documentElement.lang });
        }
      });
    });
  }

  function removeToast() {
    var toast = document.getElementById("offline-toast");
    if (toast) toast.remove();
  }

  document.addEventListener("htmx:sendError", function () {
    var toasts = document.getElementById("toasts");
    var text = script && script.dataset.offline;
    if (!toasts || !text) return;
    removeToast();
    var toast = document.createElement("div");
    toast.id = "offline-toast";
    toast.className = "toast error";
    toast.setAttribute("role", "alert");
    toast.textContent = text;
    toasts.appendChild(toast);
    setTimeout(function () { if (toast.isConnected) toast.remove(); }, LIFETIME);
  });
  window.addEventListener("online", removeToast);
})();
