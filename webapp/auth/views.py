"""Signing in and out, the language choice, and the HQ's user list."""
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from webapp.auth import queries, services
from webapp.auth.blueprint import bp
from webapp.auth.forms import ROLE_LABELS, LoginForm, UserForm
from webapp.auth.guards import require_role
from webapp.auth.models import Role, User
from webapp.errors import DomainError
from webapp.extensions import db, limiter, login_manager
from webapp.stores.queries import all_stores
from webapp.web import htmx_redirect, render

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user with the stores they work in, in one statement: every staff page checks the role and
    the store (``can_access_store``), and no page needs a second look-up for them."""
    return db.session.get(User, int(user_id), options=[joinedload(User.stores)])


def _login_key() -> str:
    return f"{request.remote_addr}:{request.form.get('username', '').strip().lower()}"


def _failed(response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=_login_key,
               methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong username or password."))
            return render("auth/login.html", form=form, status=401)
        login_user(user)
        if session.get("locale") and not user.locale:
            services.set_locale(user, session["locale"])
        db.session.commit()
        if user.role == Role.CUSTOMER:  # a customer who found the staff sign-in: to the shop, signed in
            return redirect(_shop_next() or url_for("shop.home"), 303)
        return redirect(_safe_next() or url_for("pages.home"), 303)
    return render("auth/login.html", form=form)


def _shop_next() -> str | None:
    target = _safe_next()
    return target if target and target.startswith("/shop") else None


def _safe_next() -> str | None:
    """A path on this site only: never another host, however a browser would read it."""
    target = request.args.get("next", "")
    unsafe = (not target.startswith("/") or target.startswith("//") or "\\" in target
              or any(ord(ch) < 32 for ch in target) or urlsplit(target).netloc)
    return None if unsafe else target


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth.login"), 303)


@bp.post("/locale")
def choose_locale():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
        db.session.commit()
    return htmx_redirect(_safe_next() or request.referrer or url_for("pages.home"))


@bp.get("/admin/users")
@require_role(Role.HQ_ADMIN)
def users():
    return render("auth/users.html", users=queries.all_users(), role_labels=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def new_user():
    return _edit_user(None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def edit_user(user_id: int):
    return _edit_user(db.get_or_404(User, user_id))


def _edit_user(user: User | None):
    form = UserForm(obj=user)
    stores = all_stores()
    form.stores.choices = [(s.id, s.name) for s in stores]
    if request.method == "GET" and user:
        form.stores.data = [s.id for s in user.stores]
    if form.validate_on_submit():
        try:
            services.save_user(
                user, username=form.username.data, display_name=form.display_name.data or "",
                role=form.role.data, stores=[s for s in stores if s.id in form.stores.data],
                password=form.password.data, phone=form.phone.data or "", active=form.active.data,
            )
        except DomainError as e:
            db.session.rollback()
            flash(str(e), "error")
            return render("auth/user_form.html", form=form, user=user, status=422)
        db.session.commit()
        flash(_("Saved."), "success")
        return htmx_redirect(url_for("auth.users"))
    status = 422 if form.errors else 200
    return render("auth/user_form.html", form=form, user=user, status=status)
