/* Huotong's service workers (the staff's at /sw.js, the shop's at /shop/sw.js). The server fills in
 * the shell's name and version (a hash of its files), the list of URLs to precache and the static
 * prefix when it serves this file. */
"use strict";

const SHELL = "huotong-__SHELL__-";
const CACHE = SHELL + "__VERSION__";
const PRECACHE = __PRECACHE__;
const OFFLINE = PRECACHE[0];
const STATIC = "__STATIC__";

// Past the browser's HTTP cache: the offline page must be today's, in the user's language.
function fresh(url) {
  return new Request(url, { cache: "reload" });
}

// The static files' URLs carry their content's hash: the copies the page has just loaded are the right
// ones, so they come from the browser's HTTP cache, not again over the network.
self.addEventListener("install", (event) => {
  const requests = PRECACHE.map((url) => (url === OFFLINE ? fresh(url) : url));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => (n.startsWith(SHELL) || n.startsWith("huotong-shell-")) && n !== CACHE).map((n) => caches.delete(n))))
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
