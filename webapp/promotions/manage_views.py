"""The manager's promotion screens: the list, a new one from a template, its page (conflict preview,
start, stop), editing. HQ sets up promotions for any stores; a store manager or franchisee for their own."""
from datetime import timedelta
from decimal import Decimal
from threading import Thread

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.guards import STAFF, require_role
from webapp.auth.models import Role
from webapp.catalog.queries import brands, categories
from webapp.clock import utcnow
from webapp.csvfile import csv_response
from webapp.errors import toast
from webapp.extensions import db
from webapp.promotions import coupons, editing, forms, markdowns, preview, rules, simulation
from webapp.promotions.blueprint import bp
from webapp.promotions.errors import InvalidPromotion
from webapp.promotions.models import Kind, Promotion, Simulation, Status
from webapp.sales.models import Order
from webapp.web import htmx_redirect, render

MANAGERS = (Role.STORE_MANAGER, Role.FRANCHISEE)  # and HQ

TEMPLATES = {
    Kind.THRESHOLD.value: (_l("Spend and save (满减)"), _l("Spend 100 save 10, in steps, or every 100 save 10")),
    Kind.PERCENT.value: (_l("Percent off (折扣)"), _l("A percent off each item in scope")),
    Kind.FIXED_PRICE.value: (_l("Special price (特价)"), _l("One price per unit for the items in scope")),
    Kind.NTH_ITEM.value: (_l("Nth item off (第二件半价)"), _l("Every 2nd (or Nth) item at a percent off, the cheaper first")),
    Kind.BUY_GET.value: (_l("Buy N get M free (买N送M)"), _l("Of every N+M items the M cheapest are free")),
    Kind.BUNDLE.value: (_l("Bundle price (套餐价)"), _l("One price for a set of items bought together")),
}
STATUS_LABELS = {Status.DRAFT.value: _l("Draft"), Status.ACTIVE.value: _l("Running"),
                 Status.STOPPED.value: _l("Stopped")}
WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


@bp.app_template_global()
def promotion_kind_label(kind: str) -> str:
    return str(TEMPLATES.get(kind, (kind,))[0])


@bp.get("")
@require_role(*MANAGERS)
def index():
    promotions = [p for p in db.session.scalars(select(Promotion).order_by(Promotion.status, Promotion.id.desc()))
                  if _may_see(p)]
    return render("promotions/index.html", promotions=promotions, templates=TEMPLATES, labels=STATUS_LABELS,
                  local=forms.local, chain_floor=rules.chain_floor())


@bp.post("/settings")
@require_role(Role.HQ_ADMIN)
def settings():
    """The chain's default margin floor, enforced by the engine for every promotion without its own."""
    floor = editing.save_chain_floor(request.form.get("margin_floor", ""))  # a bad value: the toast says why
    db.session.commit()
    flash(_("Chain margin floor: %(floor)s%%.", floor=floor) if floor is not None
          else _("No chain margin floor: only promotions with their own floor keep one."), "success")
    return htmx_redirect(url_for("promotions.index"))


@bp.route("/new/<kind>", methods=["GET", "POST"])
@require_role(*MANAGERS)
def new(kind: str):
    if kind not in TEMPLATES:
        abort(404)
    if request.method == "GET":
        return _form(None, kind, forms.filled(None))
    return _save(None, kind)


@bp.get("/<int:promotion_id>")
@require_role(*MANAGERS)
def show(promotion_id: int):
    promotion = _own(promotion_id)
    store = _preview_store(promotion)
    samples = preview.preview(promotion, store) if store is not None else []
    return render("promotions/show.html", promotion=promotion, samples=samples, store=store,
                  others=preview.others_touching(promotion), labels=STATUS_LABELS, local=forms.local,
                  weekdays=WEEKDAYS)


@bp.route("/<int:promotion_id>/edit", methods=["GET", "POST"])
@require_role(*MANAGERS)
def edit(promotion_id: int):
    promotion = _own(promotion_id)
    if request.method == "GET":
        return _form(promotion, promotion.kind, forms.filled(promotion))
    return _save(promotion, promotion.kind)


@bp.post("/<int:promotion_id>/start")
@require_role(*MANAGERS)
def start(promotion_id: int):
    promotion = _own(promotion_id)
    editing.start(promotion)
    db.session.commit()
    return htmx_redirect(url_for("promotions.show", promotion_id=promotion.id))


@bp.post("/<int:promotion_id>/stop")
@require_role(*MANAGERS)
def stop(promotion_id: int):
    promotion = _own(promotion_id)
    editing.stop(promotion)
    db.session.commit()
    return htmx_redirect(url_for("promotions.show", promotion_id=promotion.id))


@bp.post("/from-markdown/<int:suggestion_id>")
@require_role(*MANAGERS)
def from_markdown(suggestion_id: int):
    """A near-expiry markdown from the stockroom accepted in one tap: it prices the lot's SKU at the store now;
    the promotion's page shows it (simulate, stop)."""
    from webapp.stock.expiry import services as expiry
    from webapp.stock.expiry.models import MarkdownSuggestion, SuggestionStatus

    suggestion = db.get_or_404(MarkdownSuggestion, suggestion_id)
    if not current_user.can_access_store(suggestion.store_id):
        abort(403)
    if suggestion.status != SuggestionStatus.ACCEPTED:
        expiry.decide(suggestion, True, user=current_user)  # a dismissed one is refused (AlreadyDecided)
    promotion = markdowns.price_markdown(suggestion, current_user)
    db.session.commit()
    return htmx_redirect(url_for("promotions.show", promotion_id=promotion.id))


@bp.post("/from-overstock/<int:store_id>/<int:sku_id>")
@require_role(*MANAGERS)
def from_overstock(store_id: int, sku_id: int):
    """An overstock alert ("建议促销清库存") as a draft promotion for the SKU at the store, in one tap."""
    from webapp.catalog.models import SKU
    from webapp.stores.models import Store

    store, sku = db.get_or_404(Store, store_id), db.get_or_404(SKU, sku_id)
    if not current_user.can_access_store(store.id):
        abort(403)
    promotion = markdowns.clearance_draft(store, sku, user=current_user)
    db.session.commit()
    return htmx_redirect(url_for("promotions.show", promotion_id=promotion.id))


# ---------------------------------------------------------------- helpers


def _save(promotion: Promotion | None, kind: str):
    try:
        data = forms.read(request.form, current_user, kind)
        promotion = editing.save(promotion, data, user=current_user)
    except InvalidPromotion as error:
        db.session.rollback()
        return _form(promotion, kind, request.form.to_dict(flat=False) | _flat(request.form), error=error,
                     status=422)
    db.session.commit()
    return redirect(url_for("promotions.show", promotion_id=promotion.id, saved=1), 303)


def _flat(form) -> dict:
    """Single-valued fields as text, lists (ticks) as lists: what the form template reads."""
    lists = {"category", "brand", "store", "channel", "weekday"}
    return {key: (form.getlist(key) if key in lists else form.get(key)) for key in form}


def _form(promotion, kind, values, error=None, status=200):
    tree = categories()
    parents = {c.id: c.parent_id for c in tree}

    def depth(category):
        level, parent = 0, parents.get(category.id)
        while parent is not None and level < 10:
            level, parent = level + 1, parents.get(parent)
        return level

    html = render_template("promotions/form.html", promotion=promotion, kind=kind, template=TEMPLATES[kind],
                           values=values, error=error, categories=[(c, depth(c)) for c in tree],
                           brands=brands(),
                           stores=forms.stores_for(current_user), weekdays=WEEKDAYS, tier_rows=forms.TIER_ROWS,
                           bundle_rows=forms.BUNDLE_ROWS, as_text=_as_text)
    return html, status


def _as_text(values, key):
    value = values.get(key, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _own(promotion_id: int) -> Promotion:
    promotion = db.get_or_404(Promotion, promotion_id)
    if not _may_see(promotion):
        abort(403)
    return promotion


def _may_see(promotion: Promotion) -> bool:
    """HQ sees every promotion; a store's manager those that run only in their stores."""
    if current_user.is_hq:
        return True
    return bool(promotion.store_ids) and all(current_user.can_access_store(s) for s in promotion.store_ids)


def _preview_store(promotion: Promotion):
    from webapp.stores.models import Store

    store_id = (promotion.store_ids or [None])[0]
    if store_id is not None:
        return db.session.get(Store, store_id)
    stores = forms.stores_for(current_user)
    selling = [store for store in stores if not store.is_warehouse]
    return (selling or stores or [None])[0]


# ---------------------------------------------------------------- coupons


@bp.post("/<int:promotion_id>/coupons")
@require_role(*MANAGERS)
def issue_coupons(promotion_id: int):
    """Make random codes, or add the merchant's own; the promotion then needs a code."""
    promotion = _own(promotion_id)
    own = forms.text(request.form, "codes")
    try:
        if own:
            coupons.add_codes(promotion, own.replace(",", " ").split(), uses=forms.text(request.form, "uses") or 1)
        else:
            coupons.issue(promotion, forms.text(request.form, "count") or "0",
                          uses=forms.text(request.form, "uses") or 1, prefix=forms.text(request.form, "prefix"))
    except InvalidPromotion as error:
        db.session.rollback()
        return toast(str(error), 422)
    db.session.commit()
    return htmx_redirect(url_for("promotions.coupon_codes", promotion_id=promotion.id))


@bp.get("/<int:promotion_id>/coupons")
@require_role(*MANAGERS)
def coupon_codes(promotion_id: int):
    promotion = _own(promotion_id)
    shown = promotion.coupons[:200]
    return render("promotions/coupons.html", promotion=promotion, codes=shown, more=len(promotion.coupons) - len(shown),
                  qr=coupons.qr_svg, taken=coupons.uses_taken)


@bp.post("/coupons/orders/<int:order_id>")
@require_role(*STAFF)
def hold_coupon(order_id: int):
    """A code scanned or typed at the till: the sale takes it, and the till shows the new price."""
    order = db.get_or_404(Order, order_id)
    if not current_user.can_access_store(order.store_id):
        abort(403)
    coupons.hold(order, request.form.get("code", ""), customer_id=order.customer_id)
    db.session.commit()
    response = make_response("", 204)
    response.headers["HX-Refresh"] = "true"
    return response


# ---------------------------------------------------------------- simulation and review

INLINE_BASKETS = 5000  # a replay of more baskets runs in the background and shows its progress


@bp.route("/<int:promotion_id>/simulate", methods=["GET", "POST"])
@require_role(*MANAGERS)
def simulate(promotion_id: int):
    promotion = _own(promotion_id)
    stores = forms.stores_for(current_user)
    if request.method == "GET":
        return render("promotions/simulate.html", promotion=promotion, stores=stores, error=None)
    try:
        store_ids = forms.read_store_ids(request.form, current_user)
        days = forms.whole(request.form.get("days", "30"), low=1, high=365)
        floor = forms.percent(request.form.get("floor", "0") or "0")
    except InvalidPromotion as error:
        return render("promotions/simulate.html", promotion=promotion, stores=stores, error=error, status=422)
    run = Simulation(promotion_id=promotion.id, store_ids=store_ids, days=days, floor=floor,
                     created_by_id=current_user.id)
    db.session.add(run)
    db.session.commit()
    size = simulation.count_baskets(store_ids, utcnow() - timedelta(days=days), utcnow())
    if size <= INLINE_BASKETS or current_app.testing:
        simulation.run(run.id)
    else:
        app = current_app._get_current_object()
        Thread(target=_in_background, args=(app, run.id), daemon=True).start()
    return redirect(url_for("promotions.simulation_result", simulation_id=run.id), 303)


@bp.get("/simulations/<int:simulation_id>")
@require_role(*MANAGERS)
def simulation_result(simulation_id: int):
    run = db.get_or_404(Simulation, simulation_id)
    promotion = _own(run.promotion_id)
    return render("promotions/simulation.html", "promotions/_simulation.html", promotion=promotion, run=run,
                  D=Decimal)


@bp.get("/<int:promotion_id>/review")
@require_role(*MANAGERS)
def review(promotion_id: int):
    promotion = _own(promotion_id)
    found = simulation.review(promotion)
    if request.args.get("format") == "csv":
        header = [_l("Store"), _l("Sales before"), _l("Sales during"), _l("Discount given"), _l("Margin before"),
                  _l("Margin during")]
        rows = [[r["name"], r["sales_before"], r["sales"], r["discount"], r["margin_before"], r["margin"]]
                for r in found["stores"]]
        return csv_response(f"review-{promotion.id}.csv", [str(h) for h in header], rows)
    return render("promotions/review.html", promotion=promotion, review=found, local=forms.local)


def _in_background(app, simulation_id: int) -> None:
    with app.app_context():
        try:
            simulation.run(simulation_id)
        except Exception:  # recorded as failed on the simulation; the log says why
            app.logger.exception("simulation %s failed", simulation_id)
        finally:
            db.session.remove()
