"""The rooms of the app, registered one way: each has ``blueprint.py`` (the Blueprint only) and
``views.py`` (its routes; a room with several view modules imports them there), and may have a
``cli.py`` with an ``init_app(app)`` that adds its commands. Add a room here and nowhere else.
"""
import importlib
import importlib.util

from flask import Flask

ROOMS = (
    "pages", "pwa", "auth", "stores", "catalog", "catalog.photos",
    "stock", "stock.counts", "stock.write_offs", "stock.transfers", "stock.expiry", "stock.alerts",
    "purchasing", "promotions", "members", "pos", "shop", "fulfil", "supply", "reports", "outreach", "manage", "demo",
)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def register_rooms(app: Flask) -> None:
    for room in ROOMS:
        package = f"webapp.{room}"
        if _has(f"{package}.views"):
            importlib.import_module(f"{package}.views")
            app.register_blueprint(importlib.import_module(f"{package}.blueprint").bp)
        if _has(f"{package}.cli"):
            importlib.import_module(f"{package}.cli").init_app(app)
