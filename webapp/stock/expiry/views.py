"""The near-expiry list with one-tap markdown suggestions, and HQ's near-expiry settings."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.auth.models import MANAGERS, Role
from webapp.catalog.queries import categories
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.stock.expiry import queries, services
from webapp.stock.expiry.blueprint import bp
from webapp.stock.expiry.models import MarkdownSuggestion
from webapp.stock.models import Lot
from webapp.stores.models import Store
from webapp.web import htmx_redirect, is_htmx, render


@bp.get("/stock/stores/<int:store_id>/expiry")
@require_role(*STAFF)
def index(store_id: int):
    return _show(db.get_or_404(Store, store_id))


@bp.post("/stock/stores/<int:store_id>/expiry/lots/<int:lot_id>/markdown")
@require_role(*STAFF)
def suggest(store_id: int, lot_id: int):
    store, lot = db.get_or_404(Store, store_id), db.get_or_404(Lot, lot_id)
    try:
        services.suggest_markdown(store, lot, user=current_user)
    except DomainError as e:
        db.session.rollback()
        return _show(store, error=str(e), status=409)
    db.session.commit()
    return _done(store, _("Markdown suggested for %(name)s, lot %(code)s.", name=lot.sku.display_name, code=lot.code))


@bp.post("/stock/stores/<int:store_id>/expiry/suggestions/<int:suggestion_id>/<any(accept, dismiss):decision>")
@require_role(*MANAGERS)
def decide(store_id: int, suggestion_id: int, decision: str):
    store = db.get_or_404(Store, store_id)
    suggestion = db.get_or_404(MarkdownSuggestion, suggestion_id)
    if suggestion.store_id != store.id:
        abort(404)
    try:
        services.decide(suggestion, decision == "accept", user=current_user)
    except DomainError as e:
        db.session.rollback()
        return _show(store, error=str(e), status=409)
    db.session.commit()
    return _done(store, _("Markdown accepted.") if decision == "accept" else _("Markdown dismissed."))


@bp.route("/admin/stock/expiry-settings", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def settings():
    chain, by_category = queries.settings(), queries.windows()
    error = None
    if request.method == "POST":
        try:
            services.save_settings(
                expiry_days=_whole(request.form.get("expiry_days")),
                overstock_days=_whole(request.form.get("overstock_days")),
                sales_window_days=_whole(request.form.get("sales_window_days")),
                windows={c.id: _whole(request.form.get(f"category-{c.id}"), blank=None) for c in categories()})
        except DomainError as e:
            db.session.rollback()
            error = str(e)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return htmx_redirect(url_for(".settings"))
    return render("stock/expiry/settings.html", chain=chain, by_category=by_category, categories=categories(),
                  form=request.form if error else None, error=error, status=422 if error else 200)


def _whole(value, blank=-1):
    """A whole number of days from a form field; blank → ``blank``; nonsense → the text, refused by the service."""
    value = (value or "").strip()
    if not value:
        return blank
    return int(value) if value.isdigit() and len(value) < 6 else value[:20]


def _show(store: Store, *, error=None, notice=None, status=200):
    return render("stock/expiry/index.html", "stock/expiry/_list.html", status=status, store=store,
                  items=queries.near_expiry(store), suggestions=queries.suggestions(store), error=error,
                  notice=notice, is_manager=current_user.role in MANAGERS or current_user.is_hq)


def _done(store: Store, message: str):
    if is_htmx():
        return _show(store, notice=message)
    flash(message, "success")
    return redirect(url_for(".index", store_id=store.id), 303)
