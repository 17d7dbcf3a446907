"""Huotong 货通: the web application."""
import os

from flask import Flask

from webapp import config as settings
from webapp.database import tune_sqlite
from webapp.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
from webapp.web import BoundedInt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then the environment, then the caller's overrides (tests)."""
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
        instance_path=os.path.join(ROOT, "instance"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.defaults(app.instance_path))
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT, "webapp", "translations")

    _init_extensions(app)
    app.url_map.converters["int"] = BoundedInt
    _register_blueprints(app)

    from webapp import cli, pages

    pages.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from webapp.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            tune_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    htmx.init_app(app)


def _register_blueprints(app: Flask) -> None:
    # Imported here, not in the packages' __init__, so models can import each other freely.
    from webapp.auth.views import bp as auth_bp
    from webapp.catalog.views import bp as catalog_bp
    from webapp.fulfil.views import bp as fulfil_bp
    from webapp.pos import models as _pos_models  # noqa: F401  (the till's and the orders' tables)
    from webapp.pos.views import bp as pos_bp
    from webapp.purchasing.views import bp as purchasing_bp
    from webapp.pwa import bp as pwa_bp
    from webapp.reports.views import bp as reports_bp
    from webapp.sales import models as _sales_models  # noqa: F401
    from webapp.shop.views import bp as shop_bp
    from webapp.stock.counts.views import bp as counts_bp
    from webapp.stock.views import bp as stock_bp
    from webapp.stock.write_offs.views import bp as write_offs_bp
    from webapp.stores.views import bp as stores_bp

    for blueprint in (auth_bp, catalog_bp, stores_bp, stock_bp, counts_bp, write_offs_bp, purchasing_bp, pos_bp, pwa_bp,
                      shop_bp, fulfil_bp, reports_bp):
        app.register_blueprint(blueprint)
