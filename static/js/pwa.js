/* Install the service worker, so the app starts and says so when the network is gone;
 * and say so too when an htmx request cannot reach the server (the worker leaves those alone).
 * On the offline page ([data-offline-retry], shown by the worker at the address the user asked for):
 * "Try again" reloads, and the page reloads by itself once the server answers again. */
(function () {
  "use strict";
  var script = document.currentScript;
  var LIFETIME = 6000;

  if ("serviceWorker" in navigator && script && script.dataset.worker) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.scope || "/", updateViaCache: "none" })
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

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-reload]")) location.reload();
  });

  // The "online" event alone is not enough: with the Wi-Fi up and the server out of reach it never fires.
  function retryWhenBack() {
    var here = document.body.getAttribute("data-offline-retry");
    if (!here || location.pathname === here) return;
    function back() { location.reload(); }
    window.addEventListener("online", back);
    setInterval(function () {
      fetch(here, { method: "HEAD", cache: "no-store" }).then(function (r) { if (r.ok) back(); }, function () {});
    }, 5000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", retryWhenBack);
  else retryWhenBack();
})();
