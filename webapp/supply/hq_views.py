"""Head office's side, at /supply/hq (PC first): the review queue, one order's decision, picking and shipping,
the franchise accounts, and the chain's supply settings. HQ admins only."""
from datetime import date
from decimal import Decimal

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.guards import require_role
from webapp.auth.models import Role
from webapp.catalog.scanning import find
from webapp.extensions import db
from webapp.numbers import money, quantity
from webapp.stores.models import Store
from webapp.supply import account, allocation, errors, orders, queries, shipping
from webapp.supply.blueprint import bp
from webapp.supply.direct import deliver_directly
from webapp.supply.labels import ALL as LABELS
from webapp.supply.models import (
    AllocationRule,
    DeliveryPrice,
    FranchiseTerms,
    OrderStatus,
    PriceGroup,
    RebateTier,
    SupplyItem,
)
from webapp.supply.terms import settings
from webapp.web import form_id, htmx_redirect, render

HQ = Role.HQ_ADMIN


@bp.get("/hq")
@require_role(HQ)
def queue():
    return render("supply/hq/queue.html", queue=queries.queue(), to_ship=queries.to_ship(),
                  shipped=queries.recently_shipped(), rule=settings().allocation_rule,
                  stores=queries.stores_of(current_user), **LABELS)


@bp.post("/hq/recommend")
@require_role(HQ)
def recommend():
    """HQ pushes a recommended line (a campaign, a new item) into a store's draft; the store confirms or edits it."""
    shop = db.session.get(Store, form_id("store_id") or 0)
    if shop is None or shop.is_warehouse:
        abort(404)
    code = (request.form.get("code") or "").strip()
    sku = find(code) if code and len(code) <= 60 and "\x00" not in code else None
    if sku is None:
        raise errors.UnknownItem(code=code[:60].replace("\x00", ""))
    draft = orders.draft_for(shop, user=current_user)
    change = orders.set_quantity(draft, sku, request.form.get("quantity", ""), add=True)
    if not draft.note:
        orders.set_note(draft, _("Recommended by head office"))
    db.session.commit()
    flash(_("%(name)s × %(qty)s is in the draft of %(store)s, for the store to confirm.", name=sku.display_name,
            qty=change.line.asked.normalize(), store=shop.name), "success")
    return htmx_redirect(url_for(".queue"))


@bp.post("/hq/approve-all")
@require_role(HQ)
def approve_all():
    decisions = allocation.approve_all(user=current_user)
    db.session.commit()
    held = sum(1 for d in decisions if d.held)
    flash(_("%(approved)s orders approved, %(held)s held for credit.", approved=len(decisions) - held, held=held),
          "success")
    return htmx_redirect(url_for(".queue"))


@bp.get("/hq/orders/<int:order_id>")
@require_role(HQ)
def review(order_id: int):
    found = queries.any_order(order_id) or abort(404)
    proposal = allocation.proposal(found) if found.status in (OrderStatus.SUBMITTED, OrderStatus.HELD) else {}
    summary = queries.summary(found.store) if found.store.kind == "franchise" else None
    return render("supply/hq/order.html", order=found, proposal=proposal, summary=summary, **LABELS)


@bp.post("/hq/orders/<int:order_id>/approve")
@require_role(HQ)
def approve(order_id: int):
    found = queries.any_order(order_id) or abort(404)
    override = request.form.get("override_reason")
    decision = allocation.approve(found, user=current_user, override_reason=override if override is not None else None)
    db.session.commit()
    if decision.held:
        flash(str(errors.CreditExceeded(**_hold_facts(found))), "error")
    else:
        flash(_("Order %(number)s approved.", number=found.number), "success")
        if decision.back_order:
            flash(_("What HQ could not give waits as back-order %(number)s.", number=decision.back_order),
                  "success")
    return htmx_redirect(url_for(".review", order_id=found.id))


@bp.post("/hq/orders/<int:order_id>/reject")
@require_role(HQ)
def reject(order_id: int):
    found = queries.any_order(order_id) or abort(404)
    allocation.reject(found, request.form.get("reason", ""), user=current_user)
    db.session.commit()
    flash(_("Order %(number)s rejected.", number=found.number), "success")
    return htmx_redirect(url_for(".review", order_id=found.id))


@bp.post("/hq/orders/<int:order_id>/direct")
@require_role(HQ)
def direct(order_id: int):
    found = queries.any_order(order_id) or abort(404)
    chosen = {int(v) for v in request.form.getlist("line") if v.isdigit()}
    lines = [li for li in found.lines if li.id in chosen]
    if not lines:
        raise errors.EmptyOrder()
    made = deliver_directly(found, lines, user=current_user)
    db.session.commit()
    flash(_("Purchase orders %(numbers)s sent: the supplier delivers to the store.",
            numbers=", ".join(po.number for po in made)), "success")
    return htmx_redirect(url_for(".review", order_id=found.id))


@bp.get("/hq/orders/<int:order_id>/picking")
@require_role(HQ)
def picking(order_id: int):
    found = queries.any_order(order_id) or abort(404)
    return render("supply/hq/picking.html", order=found, picks=shipping.picking_list(found), **LABELS)


@bp.post("/hq/orders/<int:order_id>/ship")
@require_role(HQ)
def ship(order_id: int):
    found = queries.any_order(order_id) or abort(404)
    shipping.ship(found, user=current_user)
    db.session.commit()
    flash(_("Order %(number)s shipped: the goods are on their way to %(store)s.", number=found.number,
            store=found.store.name), "success")
    return htmx_redirect(url_for(".review", order_id=found.id))


# ---------------------------------------------------------------- franchise accounts


@bp.get("/hq/accounts")
@require_role(HQ)
def accounts():
    stores = queries.franchise_stores()
    today = account.local_today()
    return render("supply/hq/accounts.html", rows=[(queries.summary(s), account.ageing(s, today)) for s in stores],
                  groups=db.session.scalars(select(PriceGroup).order_by(PriceGroup.name)).all(),
                  start=today.replace(day=1), end=today, **LABELS)


@bp.post("/hq/accounts/<int:store_id>/payments")
@require_role(HQ)
def record_payment(store_id: int):
    shop = db.get_or_404(Store, store_id)
    account.record_payment(shop, request.form.get("amount", ""), request.form.get("reference", ""),
                           user=current_user, note=request.form.get("note", ""))
    db.session.commit()
    flash(_("Payment recorded for %(store)s.", store=shop.name), "success")
    return htmx_redirect(url_for(".accounts"))


@bp.post("/hq/accounts/<int:store_id>/terms")
@require_role(HQ)
def set_terms(store_id: int):
    shop = db.get_or_404(Store, store_id)
    if shop.kind != "franchise":
        raise errors.NotFranchise(store=shop.name)
    limit = money(request.form.get("credit_limit", ""))
    days = quantity(request.form.get("payment_days", ""))
    if limit < 0 or days < 0 or days != days.to_integral_value() or days > 365:
        raise errors.BadTerms()
    terms = db.session.scalar(select(FranchiseTerms).where(FranchiseTerms.store_id == shop.id))
    if terms is None:
        terms = FranchiseTerms(store_id=shop.id)
        db.session.add(terms)
    terms.credit_limit, terms.payment_days = limit, int(days)
    group_id = form_id("group_id")
    terms.group_id = group_id if group_id and db.session.get(PriceGroup, group_id) else None
    db.session.commit()
    flash(_("Terms saved for %(store)s.", store=shop.name), "success")
    return htmx_redirect(url_for(".accounts"))


@bp.post("/hq/accounts/<int:store_id>/rebate")
@require_role(HQ)
def settle_rebate(store_id: int):
    shop = db.get_or_404(Store, store_id)
    start, end = _day("start"), _day("end")
    entry = account.settle_rebate(shop, start, end, user=current_user)
    db.session.commit()
    flash(_("Rebate of %(amount)s credited to %(store)s.", amount=-entry.amount, store=shop.name), "success")
    return htmx_redirect(url_for(".accounts"))


# ---------------------------------------------------------------- settings


@bp.get("/hq/settings")
@require_role(HQ)
def settings_page():
    return render("supply/hq/settings.html", settings=settings(), tiers=db.session.scalars(
        select(RebateTier).order_by(RebateTier.threshold)).all(),
        groups=db.session.scalars(select(PriceGroup).order_by(PriceGroup.name)).all(),
        stores=queries.franchise_stores(), rules=list(AllocationRule), **LABELS)


@bp.post("/hq/settings")
@require_role(HQ)
def save_settings():
    found = settings(lock=True)
    rule = request.form.get("allocation_rule", "")
    if rule not in {r.value for r in AllocationRule}:
        raise errors.BadSetting()
    lead, low = quantity(request.form.get("lead_time_days", "")), quantity(request.form.get("low_below", ""))
    if lead < 0 or lead > 365 or lead != lead.to_integral_value() or low < 0:
        raise errors.BadSetting()
    found.allocation_rule, found.lead_time_days, found.low_below = rule, int(lead), low
    db.session.commit()
    flash(_("Supply settings saved."), "success")
    return htmx_redirect(url_for(".settings_page"))


@bp.post("/hq/settings/tiers")
@require_role(HQ)
def add_tier():
    threshold, percent = money(request.form.get("threshold", "")), money(request.form.get("percent", ""))
    if threshold < 0 or percent <= 0 or percent > 100:
        raise errors.BadSetting()
    existing = db.session.scalar(select(RebateTier).where(RebateTier.threshold == threshold))
    if existing:
        existing.percent = percent
    else:
        db.session.add(RebateTier(threshold=threshold, percent=percent))
    db.session.commit()
    return htmx_redirect(url_for(".settings_page"))


@bp.post("/hq/settings/groups")
@require_role(HQ)
def add_group():
    name = errors.clean_text(request.form.get("name"), 50, _l("The name"))
    if not name:
        raise errors.BadSetting()
    if db.session.scalar(select(PriceGroup).where(PriceGroup.name == name)) is None:
        db.session.add(PriceGroup(name=name))
    db.session.commit()
    return htmx_redirect(url_for(".settings_page"))


@bp.post("/hq/settings/prices")
@require_role(HQ)
def set_price():
    """A delivery price for a store group or one store; also the SKU's pack, minimum and whether it is supplied."""
    code = (request.form.get("code") or "").strip()
    sku = find(code) if code and len(code) <= 60 and "\x00" not in code else None
    if sku is None:
        raise errors.UnknownItem(code=code[:60].replace("\x00", ""))
    price_text = (request.form.get("price") or "").strip()
    if price_text:
        price = money(price_text)
        if price < 0:
            raise errors.BadSetting()
        group_id, store_id = form_id("group_id"), form_id("store_id")
        if bool(group_id) == bool(store_id):
            raise errors.BadSetting()
        where = DeliveryPrice.group_id == group_id if group_id else DeliveryPrice.store_id == store_id
        row = db.session.scalar(select(DeliveryPrice).where(where, DeliveryPrice.sku_id == sku.id))
        if row is None:
            if (group_id and not db.session.get(PriceGroup, group_id)) or (store_id and not db.session.get(Store, store_id)):
                abort(404)
            row = DeliveryPrice(group_id=group_id, store_id=store_id, sku_id=sku.id)
            db.session.add(row)
        row.price = price
    pack_text = (request.form.get("pack_size") or "").strip()
    if pack_text or "orderable" in request.form:
        item = db.session.scalar(select(SupplyItem).where(SupplyItem.sku_id == sku.id))
        if item is None:
            item = SupplyItem(sku_id=sku.id, pack_size=Decimal("1"), min_qty=Decimal("0"), orderable=True)
            db.session.add(item)
        if pack_text:
            pack, minimum = quantity(pack_text), quantity(request.form.get("min_qty") or "0")
            if pack <= 0 or minimum < 0:
                raise errors.BadSetting()
            item.pack_size, item.min_qty = pack, minimum
        item.orderable = request.form.get("orderable") != "no"
    db.session.commit()
    flash(_("Saved for %(name)s.", name=sku.display_name), "success")
    return htmx_redirect(url_for(".settings_page"))


def _hold_facts(order) -> dict:
    summary = queries.summary(order.store)
    return {"amount": order.hold_amount, "store": order.store.name, "available": order.hold_available,
            "limit": summary.terms.credit_limit if summary.terms else Decimal("0.00"), "balance": summary.balance,
            "frozen": summary.frozen}


def _day(name: str) -> date:
    try:
        return date.fromisoformat((request.form.get(name) or "")[:10])
    except ValueError:
        raise errors.BadPeriod() from None
