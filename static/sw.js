/* Huotong's service worker. The server fills in the shell's version (a hash of its files),
 * the list of URLs to precache and the static prefix when it serves this file at /sw.js. */
"use strict";

const CACHE = "huotong-shell-__VERSION__";
const PRECACHE = __PRECACHE__;
const OFFLINE = PRECACHE[0];
const STATIC = "__STATIC__";

// Past the browser's HTTP cache: a new version must hold the new files, not yesterday's copies.
function fresh(url) {
  return new Request(url, { cache: "reload" });
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.map(fresh))).then(() => self.skipWaiting()));
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
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

// Each page says its language (static/js/pwa.js); after a switch, the offline page is fetched again in it.
self.addEventListener("message", (event) => {
  const lang = event.data && event.data.type === "page-language" && event.data.lang;
  if (!lang) return;
  event.waitUntil(caches.open(CACHE).then((cache) => cache.match(OFFLINE).then((hit) => {
    if (!hit || hit.headers.get("Content-Language") !== lang) return cache.add(fresh(OFFLINE)).catch(() => {});
  })));
});
