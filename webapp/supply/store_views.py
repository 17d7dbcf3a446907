"""The store's side, phone first: suggestions, a draft, submitting, what is on its way, receiving, the account.

Every route takes the store from the URL; ``require_role`` refuses (403) a user who does not work
there, and an order is looked up within that store (404 otherwise): a franchisee sees only their own.
"""
from datetime import date, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS
from webapp.catalog.models import SKU
from webapp.catalog.scanning import find
from webapp.csvfile import csv_response
from webapp.errors import toast
from webapp.extensions import db
from webapp.stores.models import Store, StoreKind
from webapp.supply import account, errors, orders, queries, receiving
from webapp.supply.blueprint import bp
from webapp.supply.labels import ALL as LABELS
from webapp.supply.labels import ENTRY
from webapp.supply.models import OrderStatus
from webapp.supply.suggestions import suggested_order
from webapp.supply.terms import settings
from webapp.web import form_id, htmx_redirect, int_arg, is_htmx, render

ORDERERS = MANAGERS  # who orders for a store (HQ may too)


@bp.get("")
@require_role(*ORDERERS)
def index():
    if current_user.is_hq:
        return redirect(url_for(".queue"))
    stores = queries.stores_of(current_user)
    if len(stores) == 1:
        return redirect(url_for(".store", store_id=stores[0].id))
    return render("supply/stores.html", stores=stores)


@bp.get("/stores/<int:store_id>")
@require_role(*ORDERERS)
def store(store_id: int):
    shop = _store(store_id)
    return render("supply/store.html", store=shop, draft=queries.draft_of(shop), orders=queries.orders_of(shop),
                  on_its_way=queries.on_its_way(shop), suggested=len(suggested_order(shop)),
                  summary=queries.summary(shop) if shop.kind == StoreKind.FRANCHISE else None, **LABELS)


@bp.post("/stores/<int:store_id>/orders")
@require_role(*ORDERERS)
def start(store_id: int):
    shop = _store(store_id)
    how = request.form.get("from", "")
    if how == "suggestions":
        draft = orders.from_suggestions(shop, user=current_user)
    elif how == "last":
        draft = orders.reorder_last(shop, user=current_user)
    else:
        draft = orders.draft_for(shop, user=current_user)
    db.session.commit()
    return htmx_redirect(url_for(".order", store_id=shop.id, order_id=draft.id))


@bp.get("/stores/<int:store_id>/orders/<int:order_id>")
@require_role(*ORDERERS)
def order(store_id: int, order_id: int):
    return _show(store_id, order_id)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/lines")
@require_role(*ORDERERS)
def add_line(store_id: int, order_id: int):
    shop, found = _order(store_id, order_id)
    sku = _sku_from_form()
    change = orders.set_quantity(found, sku, request.form.get("quantity", "1"), add=True)
    db.session.commit()
    return _after(shop, found, _rounded_notice(change, sku))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/lines/<int:sku_id>")
@require_role(*ORDERERS)
def set_line(store_id: int, order_id: int, sku_id: int):
    shop, found = _order(store_id, order_id)
    sku = db.get_or_404(SKU, sku_id)
    change = orders.set_quantity(found, sku, request.form.get("quantity", ""))
    db.session.commit()
    return _after(shop, found, _rounded_notice(change, sku))


@bp.post("/stores/<int:store_id>/catalogue/add")
@require_role(*ORDERERS)
def add_from_catalogue(store_id: int):
    """From the catalogue: into the store's draft (made on first use); the catalogue stays on screen."""
    shop = _store(store_id)
    sku = db.session.get(SKU, form_id("sku_id") or 0) or abort(404)
    draft = orders.draft_for(shop, user=current_user)
    change = orders.set_quantity(draft, sku, request.form.get("quantity", "1"), add=True)
    db.session.commit()
    message = _rounded_notice(change, sku) or _("%(name)s: %(qty)s in the order.", name=sku.display_name,
                                                 qty=change.line.asked.normalize())
    if is_htmx():
        return toast(message, 200, "success")
    flash(message, "success")
    return redirect(url_for(".catalogue", store_id=shop.id, q=request.form.get("q", "")), 303)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/submit")
@require_role(*ORDERERS)
def submit(store_id: int, order_id: int):
    shop, found = _order(store_id, order_id)
    orders.set_note(found, request.form.get("note", ""))
    orders.submit(found, user=current_user)
    db.session.commit()
    return _after(shop, found, _("Order %(number)s is with head office.", number=found.number))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/scan")
@require_role(*ORDERERS)
def scan(store_id: int, order_id: int):
    shop, found = _order(store_id, order_id)
    sku = _sku_from_form()
    line = receiving.scan(found, sku, request.form.get("quantity") or "1", damaged=bool(request.form.get("damaged")))
    db.session.commit()
    notice = _("Counted: %(name)s", name=sku.display_name)
    if line.received + line.damaged > line.shipped:
        notice = _("%(name)s: more than was shipped. The extra will be recorded as over.", name=sku.display_name)
    return _after(shop, found, notice, scanned=sku)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/lines/<int:line_id>/count")
@require_role(*ORDERERS)
def count(store_id: int, order_id: int, line_id: int):
    shop, found = _order(store_id, order_id)
    line = next((li for li in found.lines if li.id == line_id), None) or abort(404)
    receiving.count(found, line, request.form.get("received", ""), request.form.get("damaged", "0") or "0")
    db.session.commit()
    return _after(shop, found)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/receive")
@require_role(*ORDERERS)
def receive(store_id: int, order_id: int):
    shop, found = _order(store_id, order_id)
    claims = receiving.confirm(found, user=current_user)
    db.session.commit()
    if claims:
        return _after(shop, found, _("Received. %(count)s differences recorded; each has its claim.", count=len(claims)))
    return _after(shop, found, _("Received: everything arrived as shipped."))


@bp.get("/stores/<int:store_id>/catalogue")
@require_role(*ORDERERS)
def catalogue(store_id: int):
    shop = _store(store_id)
    search = request.args.get("q", "")
    page, rows = queries.catalogue(shop, search, int_arg("page", 1), account.local_today())
    return render("supply/catalogue.html", "supply/_catalogue_rows.html", store=shop, page=page, rows=rows,
                  q="".join(ch for ch in search if ch >= " ")[:50], lead_time=settings().lead_time_days, **LABELS)


@bp.get("/stores/<int:store_id>/account")
@require_role(*ORDERERS)
def account_page(store_id: int):
    shop = _store(store_id)
    if shop.kind != StoreKind.FRANCHISE:
        return _no_account(shop)
    today = account.local_today()
    return render("supply/account.html", store=shop, summary=queries.summary(shop), ageing=account.ageing(shop),
                  entries=account.entries_of(shop), start=today.replace(day=1), end=today, **LABELS)


@bp.get("/stores/<int:store_id>/statement")
@require_role(*ORDERERS)
def statement(store_id: int):
    shop = _store(store_id)
    if shop.kind != StoreKind.FRANCHISE:
        return _no_account(shop)
    start, end = _period()
    found = account.statement(shop, start, end)
    if request.args.get("format") == "csv":
        rows = [["", _("Opening balance"), "", "", str(found.opening)]]
        rows += [[e.created_at.strftime("%Y-%m-%d %H:%M"), str(ENTRY.get(e.kind, e.kind)), e.document, str(e.amount),
                  str(total)] for e, total in found.running()]
        rows.append(["", _("Closing balance"), "", "", str(found.closing)])
        return csv_response(f"statement-{shop.code}-{start}-{end}.csv",
                            [_("Date"), _("Kind"), _("Document"), _("Amount"), _("Balance")], rows)
    return render("supply/statement.html", store=shop, statement=found, **LABELS)


# ---------------------------------------------------------------- helpers


def _store(store_id: int) -> Store:
    shop = db.get_or_404(Store, store_id)
    if shop.kind == StoreKind.HQ_WAREHOUSE:
        abort(404)
    return shop


def _no_account(shop: Store):
    """A direct store pays HQ the transfer cost inside the company: it has no account to show."""
    return render("supply/no_account.html", store=shop, text=str(errors.NotFranchise(store=shop.name)))


def _order(store_id: int, order_id: int):
    shop = _store(store_id)
    return shop, queries.order_of(shop, order_id) or abort(404)


def _sku_from_form() -> SKU:
    code = (request.form.get("code") or "").strip()
    if not code or "\x00" in code or len(code) > 60:
        raise errors.UnknownItem(code=code[:60].replace("\x00", ""))
    return find(code) or _unknown(code)


def _unknown(code: str):
    raise errors.UnknownItem(code=code)


def _rounded_notice(change, sku) -> str | None:
    if not change.rounded:
        return None
    return _("%(name)s: %(wanted)s was rounded up to %(qty)s (whole packs of %(pack)s, at least HQ's minimum).",
             name=sku.display_name, pack=change.line.pack_size.normalize(), wanted=change.wanted.normalize(),
             qty=change.line.asked.normalize())


def _period() -> tuple[date, date]:
    today = account.local_today()
    try:
        start = date.fromisoformat(request.args.get("start", "")[:10])
    except ValueError:
        start = today.replace(day=1)
    try:
        end = date.fromisoformat(request.args.get("end", "")[:10])
    except ValueError:
        end = today
    return start, min(end, start + timedelta(days=3660))


def _after(shop, found, notice=None, scanned=None):
    if not is_htmx():
        if notice:
            flash(notice, "success")
        return redirect(url_for(".order", store_id=shop.id, order_id=found.id), 303)
    return _show(shop.id, found.id, notice=notice, scanned=scanned)


def _show(store_id: int, order_id: int, *, notice=None, scanned=None):
    shop, found = _order(store_id, order_id)
    figures = {}
    if found.status == OrderStatus.DRAFT:
        figures = {s.sku_id: s for s in suggested_order(shop)}
    return render("supply/order.html", "supply/_order.html", store=shop, order=found, notice=notice,
                  scanned=scanned, figures=figures,
                  summary=queries.summary(shop) if shop.kind == StoreKind.FRANCHISE else None, **LABELS)
