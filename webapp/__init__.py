"""Huotong 货通: the web application."""
import os

from flask import Flask
from jinja2 import FileSystemBytecodeCache
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import config as settings
from webapp import (
    i18n,
    models,  # noqa: F401  (every table, every relationship resolved)
    replica,
)
from webapp.database import tune_sqlite
from webapp.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from webapp.guards import init_app as init_guards
from webapp.pages import views as pages
from webapp.rooms import register_rooms
from webapp.security import init_app as init_security
from webapp.web import BoundedInt, layout_csrf_token, layout_nav, layout_url_for

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
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings.engine_options(app.config)  # DATABASE_POOLER
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT, "webapp", "translations")

    if proxies := int(app.config["TRUSTED_PROXIES"]):  # the client's address, not the proxy's (rate limits)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    _init_extensions(app)
    init_guards(app)  # NUL bytes and over-long texts refused before the database sees them
    app.url_map.converters["int"] = BoundedInt
    register_rooms(app)
    _limits_where_they_are(app)
    pages.init_app(app)
    init_security(app)
    _cheap_layouts(app)
    _cache_compiled_templates(app)
    return app


def warm(app: Flask) -> None:
    """What a server process does before its first request, so no buyer pays for it: the mappers configured
    (a quarter of a second) and every template compiled (1.6 s of CPU; 0.06 s when instance/jinja holds their
    bytecode). scripts/gunicorn.conf.py calls it in gunicorn's master (--preload): the workers it forks
    inherit everything."""
    configure_mappers()
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)


def _limits_where_they_are(app: Flask) -> None:
    """The chain's rate limits sit on a few views (sign-in, manager PINs), and each view's decorator counts its
    own. Flask-Limiter also looks at every other request for app-wide, default and blueprint limits; with none
    configured it has nothing to count there, so that look (a tenth of a light request's CPU) is skipped.
    Configure one (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION, a blueprint's limit) and it is made again."""
    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits or manager._blueprint_limits or limiter._meta_limits:
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not there when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)


def _cheap_layouts(app: Flask) -> None:
    """What every page's layout asks the same way for every request of a language is answered from memory:
    the fixed strings' translations bound once per page (i18n.template_translations), the nav's and the static
    files' addresses built once per process (web.layout_url_for), the staff nav rendered once per language and
    role (web.layout_nav), the CSRF token made once per request (web.layout_csrf_token)."""
    i18n.init_app(app)
    app.jinja_env.globals["url_for"] = layout_url_for(app)
    app.jinja_env.globals["staff_nav"] = layout_nav(app)
    app.jinja_env.globals["csrf_token"] = layout_csrf_token(app)


def _cache_compiled_templates(app: Flask) -> None:
    """Templates compiled once per deploy, not once per process: a new gunicorn worker (at start, after
    --max-requests) loads their bytecode from instance/jinja instead of compiling each on its first use.
    While templates reload (debug), nothing is kept."""
    if app.jinja_env.auto_reload or app.config.get("TESTING"):
        return
    folder = os.path.join(app.instance_path, "jinja")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return
    if os.access(folder, os.W_OK):
        app.jinja_env.bytecode_cache = CompiledTemplates(folder)


class CompiledTemplates(FileSystemBytecodeCache):
    """Template bytecode kept in a folder; a folder that cannot give or take it (gone, full, made read-only
    since) only means the template is compiled in memory, as without the cache — never a failed page."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _init_extensions(app: Flask) -> None:
    from webapp.i18n import select_locale

    db.init_app(app)
    replica.init_app(app)  # DATABASE_REPLICA_URL: a second engine, for reports (webapp/replica.py)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            tune_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    # current_user reaches templates as Flask-Login's proxy (pages.init_app), not through a context processor
    # that would load the user for every fragment and every guest's page.
    login_manager.init_app(app, add_context_processor=False)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    compress.init_app(app)
