"""The installable app: a web manifest per surface, the service worker, the offline page.

A surface is one entry in SURFACES: the back office and store screens start
at "/", the till at "/pos/" in landscape. Its manifest is served at
/<surface>/manifest.webmanifest ("app" at /manifest.webmanifest), and every page
inside its scope links it.

Two service workers, one per kind of visitor: the staff's at /sw.js (scope "/":
the till and the store screens) precaches the till's shell; the shop's at
/shop/sw.js (scope "/shop/") precaches only what the shop's pages use, so a
shopper's phone never downloads the till. Each cache is named after its shell
and a hash of the files it holds: a deploy that changes one of them replaces
that cache on every device. The files' URLs carry their content hash
(``assets``), so precaching takes them from the browser's HTTP cache: what the
page has just downloaded is not downloaded again.
"""
import hashlib
import json
import os
from typing import NamedTuple

from flask import Response, current_app, has_request_context, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.pwa import assets  # noqa: F401  (hashed static URLs, cached forever)
from webapp.pwa.blueprint import bp

BRAND_RED = "#c0392b"
BACKGROUND = "#f6f7f9"


class Surface(NamedTuple):
    name: str
    short_name: str
    scope: str  # also its start URL
    orientation: str = "any"


SURFACES = {
    "app": Surface("货通 Huotong", "货通", "/"),
    "pos": Surface("货通收银 Huotong POS", "货通收银", "/pos/", "landscape"),
    "shop": Surface("货通商城 Huotong Shop", "货通商城", "/shop/", "portrait"),
    "manage": Surface("货通经营 Huotong Manager", "货通经营", "/manage/", "portrait"),
}
ICONS = [("icon-192.png", "192x192", "any"), ("icon-512.png", "512x512", "any"),
         ("icon-maskable-192.png", "192x192", "maskable"), ("icon-maskable-512.png", "512x512", "maskable")]
# What the till and the store screens need to start without a network, besides the offline page.
# (Not the icons: the page never loads them; the browser fetches them from the manifest on install.)
SHELL = ["css/app.css", "css/pos.css", "vendor/htmx-2.0.11.min.js", "js/app.js", "js/pwa.js",
         "js/bridge.js", "js/till.js"]
# What the shop's pages load: a shopper's phone gets this and nothing of the till.
SHOP_SHELL = ["css/shop.css", "vendor/htmx-2.0.11.min.js", "js/app.js", "js/pwa.js", "js/shop.js"]


class Worker(NamedTuple):
    name: str
    scope: str
    shell: list


WORKERS = {"staff": Worker("staff", "/", SHELL), "shop": Worker("shop", "/shop/", SHOP_SHELL)}


def page_language() -> str:
    """The language a page is in, as <html lang> and Content-Language say it."""
    return "zh-CN" if str(get_locale()).startswith("zh") else "en"


def manifest(surface: str):
    settings = SURFACES[surface]
    body = {
        "id": settings.scope,
        "name": settings.name,
        "short_name": settings.short_name,
        "description": _("One catalogue and one stock ledger for a shop or a chain."),
        "lang": page_language(),
        "start_url": settings.scope,
        "scope": settings.scope,
        "display": "standalone",
        "orientation": settings.orientation,
        "theme_color": BRAND_RED,
        "background_color": BACKGROUND,
        "icons": [{"src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png",
                   "purpose": purpose} for name, size, purpose in ICONS],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Content-Language"] = page_language()
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


for _surface in SURFACES:
    bp.add_url_rule("/manifest.webmanifest" if _surface == "app" else f"/{_surface}/manifest.webmanifest",
                    "manifest", manifest, defaults={"surface": _surface})


def surface_of(path: str) -> str:
    """The surface whose scope holds this path; the narrowest wins (/pos/till is the till's)."""
    return max((name for name, s in SURFACES.items() if path.startswith(s.scope)),
               key=lambda name: len(SURFACES[name].scope), default="app")


@bp.app_template_global()
def pwa_head() -> dict:
    """What templates/pwa/_head.html needs: asked by the page's head itself, so a fragment or a page without
    it (the sold-out answer) never works it out."""
    surface = surface_of(request.path) if has_request_context() else "app"
    worker = WORKERS["shop" if surface == "shop" else "staff"]
    return {"manifest_url": url_for("pwa.manifest", surface=surface), "theme_color": BRAND_RED,
            "worker_url": url_for(f"pwa.{worker.name}_service_worker"), "worker_scope": worker.scope}


def service_worker(worker: str):
    """A worker served from its scope's root: the staff's covers every surface, the shop's the shop."""
    settings = WORKERS[worker]
    files = [url_for("pwa.offline")] + [url_for("static", filename=path) for path in settings.shell]
    script = (_worker_source().replace("__SHELL__", settings.name)
              .replace("__VERSION__", shell_version(settings.shell))
              .replace("__PRECACHE__", json.dumps(files))
              .replace("__STATIC__", url_for("static", filename="")))
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = settings.scope
    return response


@bp.get("/sw.js")
def staff_service_worker():
    return service_worker("staff")


@bp.get("/shop/sw.js")
def shop_service_worker():
    return service_worker("shop")


@bp.get("/offline")
def offline():
    """Precached by the worker; its Content-Language lets the worker fetch it again after a language change."""
    response = Response(render_template("pwa/offline.html"))
    response.headers["Content-Language"] = page_language()
    return response


def shell_version(shell: list | None = None) -> str:
    """A hash of the worker and the shell's files (the staff's by default): it changes exactly when one of
    them does."""
    digest = hashlib.sha256(_worker_source().encode())
    paths = [os.path.join(current_app.static_folder, name) for name in (SHELL if shell is None else shell)]
    paths.append(os.path.join(current_app.root_path, current_app.template_folder, "pwa", "offline.html"))
    for path in paths:
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]


def _worker_source() -> str:
    # Read on every request (it is small): a changed sw.js takes effect without a restart.
    with open(os.path.join(current_app.static_folder, "sw.js"), encoding="utf-8") as f:
        return f.read()
