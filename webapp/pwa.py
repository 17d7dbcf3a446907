"""The installable app: a web manifest per surface, the service worker, the offline page.

A surface is one entry in SURFACES: the back office and store screens start
at "/", the till at "/pos/" in landscape. The service worker precaches the app
shell; its cache is named after a hash of the files it holds, so a deploy that
changes any of them replaces the cache on every device.
"""
import hashlib
import json
import os
from functools import cache

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import gettext as _

bp = Blueprint("pwa", __name__)

BRAND_RED = "#c0392b"
SURFACES = {
    "app": {"start_url": "/", "scope": "/", "orientation": "any", "short_name": "货通"},
    "pos": {"start_url": "/pos/", "scope": "/pos/", "orientation": "landscape", "short_name": "货通收银"},
}
ICONS = [("icon-192.png", "192x192", "any"), ("icon-512.png", "512x512", "any"),
         ("icon-maskable-192.png", "192x192", "maskable"), ("icon-maskable-512.png", "512x512", "maskable")]
# What the till and the store screens need to start without a network, besides the offline page.
SHELL = ["css/app.css", "css/pos.css", "vendor/htmx-2.0.11.min.js", "js/app.js", "js/pwa.js",
         "js/bridge.js", "js/till.js"] + [f"icons/{name}" for name, _size, _purpose in ICONS]


@bp.get("/manifest.webmanifest", defaults={"surface": "app"})
@bp.get("/pos/manifest.webmanifest", defaults={"surface": "pos"})
def manifest(surface: str):
    settings = SURFACES[surface]
    body = {
        "name": "货通 Huotong" if surface == "app" else "货通收银 Huotong POS",
        "short_name": settings["short_name"],
        "description": _("One catalogue and one stock ledger for a shop or a chain."),
        "lang": "zh-CN",
        "id": settings["start_url"],
        "start_url": settings["start_url"],
        "scope": settings["scope"],
        "display": "standalone",
        "orientation": settings["orientation"],
        "theme_color": BRAND_RED,
        "background_color": "#f6f7f9",
        "icons": [{"src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png",
                   "purpose": purpose} for name, size, purpose in ICONS],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    """The worker, served from the root so its scope covers every surface."""
    files = [url_for("pwa.offline")] + [url_for("static", filename=path) for path in SHELL]
    script = _worker_source().replace("__VERSION__", shell_version()).replace("__PRECACHE__", json.dumps(files))
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    return render_template("pwa/offline.html")


def shell_version() -> str:
    """A hash of the shell's files: it changes exactly when one of them does."""
    digest = hashlib.sha256(_worker_source().encode())
    for path in SHELL:
        with open(os.path.join(current_app.static_folder, path), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]


@cache
def _worker_source() -> str:
    with open(os.path.join(current_app.static_folder, "sw.js"), encoding="utf-8") as f:
        return f.read()
