/* Huotong's service worker. The server fills in the shell's version (a hash of its files)
 * and the list of URLs to precache when it serves this file at /sw.js. */
"use strict";

const CACHE = "huotong-shell-__VERSION__";
const PRECACHE = __PRECACHE__;
const OFFLINE = PRECACHE[0];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("huotong-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only our own plain page and file loads: never a form post, an htmx fragment or another site.
  if (request.method !== "GET" || url.origin !== self.location.origin || request.headers.get("HX-Request")) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
