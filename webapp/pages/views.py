"""What belongs to no one domain: the home page, error pages, template helpers."""
from flask import Flask, Response, abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.auth.models import Role
from webapp.errors import DomainError, refuse, toast
from webapp.extensions import db
from webapp.i18n import format_money, format_quantity
from webapp.pages.blueprint import bp
from webapp.sales.receipts import method_label
from webapp.web import is_htmx

ERRORS = {
    400: (_l("Bad request"), _l("The request could not be understood. Reload the page and try again.")),
    403: (_l("Not allowed"), _l("Your account may not open this page. Ask your manager or HQ for access.")),
    404: (_l("Not found"), _l("There is nothing at this address.")),
    405: (_l("Not allowed"), _l("This action is not possible here.")),
    413: (_l("File too large"), _l("The file is too large to upload.")),
    429: (_l("Too many attempts"), _l("Too many failed attempts. Wait a minute, then try again.")),
    500: (_l("Something went wrong"), _l("Nothing was saved. Try again; if it happens again, tell HQ.")),
}


@bp.get("/")
def home():
    """Each role lands where it works: the till, the dashboard, the shop; a visitor picks staff or shop."""
    if not current_user.is_authenticated:
        return render_template("pages/welcome.html")
    if current_user.role == Role.CUSTOMER:
        return redirect(url_for("shop.home"))
    if current_user.role == Role.CASHIER:
        return redirect(url_for("pos.index"))
    return redirect(url_for("manage.index"))  # store managers, franchisees and HQ


@bp.get("/admin")
@bp.get("/admin/")
def admin_home():
    """The back office's home (its pages live under /admin/...)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next="/admin"))
    if not current_user.is_hq:
        abort(403)
    return render_template("pages/admin_home.html")


@bp.get("/healthz")
def healthz():
    """For the proxy or the load balancer: the app answers and reaches its database (one ``SELECT 1``)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return Response("database unreachable\n", 503, mimetype="text/plain", headers={"Cache-Control": "no-store"})
    return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})


def error_page(error):
    code = getattr(error, "code", 500) or 500
    if isinstance(error, CSRFError):
        code = 400
    title, text = ERRORS.get(code, ERRORS[500])
    if isinstance(error, CSRFError):
        text = _l("The form expired. Reload the page and try again; nothing was saved.")
    if is_htmx():
        return toast(f"{title}: {text}", code)
    return render_template("pages/error.html", title=title, text=text, code=code), code


def init_app(app: Flask) -> None:
    for code in ERRORS:
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, error_page)
    app.register_error_handler(DomainError, refuse)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["qty"] = format_quantity
    app.jinja_env.globals["method_label"] = method_label
    # What every template may use, given once: constants and proxies cost nothing until a template reads them.
    app.jinja_env.globals.update(Role=Role, current_user=current_user)
    app.context_processor(lambda: {"current_locale": str(get_locale())})  # Flask-Babel keeps it per request
