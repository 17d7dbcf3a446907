"""Store staff fulfil online orders on a tablet or phone: the queue, an order, pick lists, dispatch notes.

Every URL carries the store (``require_role`` refuses another store's staff) and an
order is found only among that store's orders. Transitions are the online-order
model's (``webapp.sales.online``); a repeated tap on a step already taken answers
as the first did.
"""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.fulfil import queries, services
from webapp.fulfil import shortfalls as short
from webapp.fulfil.blueprint import bp
from webapp.i18n import format_money
from webapp.sales.online import services as online
from webapp.sales.online import shortfalls as till_shortfalls
from webapp.sales.online.models import STATUS_LABELS, OnlineOrder, OnlineStatus, TillShortfall
from webapp.stores.models import Store
from webapp.stores.queries import all_stores
from webapp.web import htmx_redirect, render

# action → (the transition, the status it leads to, what staff are told)
STEPS = {
    "start": (online.start_picking, OnlineStatus.PICKING, _l("Picking order %(number)s.")),
    "ready": (online.mark_ready, OnlineStatus.READY, _l("Order %(number)s is ready; the customer is told.")),
    "dispatch": (online.dispatch, OnlineStatus.OUT_FOR_DELIVERY,
                 _l("Order %(number)s is out for delivery; the customer is told.")),
    "delivered": (online.mark_delivered, OnlineStatus.DELIVERED, _l("Order %(number)s is delivered.")),
}

# What the store chose for an order left short by a till sale.
SHORT_LABELS = {"transfer": _l("Transfer asked"), "unavailable": _l("Taken off the order"),
                "cancelled": _l("Order cancelled"), "restocked": _l("Back in stock: fulfilled as ordered")}


@bp.get("/")
@require_role(*STAFF)
def index():
    stores = all_stores() if current_user.is_hq else current_user.stores
    if len(stores) == 1:
        return redirect(url_for("fulfil.queue", store_id=stores[0].id))
    return render("fulfil/index.html", stores=stores)


@bp.get("/stores/<int:store_id>/")
@require_role(*STAFF)
def queue(store_id: int):
    store = db.get_or_404(Store, store_id)
    return render("fulfil/queue.html", "fulfil/_queue.html", store=store, columns=queries.queue(store),
                  stamp=queries.stamp(store), labels=STATUS_LABELS, short=till_shortfalls.short_orders(store))


@bp.get("/stores/<int:store_id>/signal")
@require_role(*STAFF)
def signal(store_id: int):
    """Polled every 3 s: the waiting-orders badge; a changed queue tells the page to fetch it again."""
    store = db.get_or_404(Store, store_id)
    now, seen = queries.stamp(store), request.args.get("v", "")
    response = make_response(render_template("fulfil/_signal.html", store=store, stamp=now))
    events = []
    if str(now) != seen:
        events.append("queue-changed")
    if now.newest > queries.Stamp.newest_of(seen):
        events.append("new-online-order")
    if events:
        response.headers["HX-Trigger"] = ", ".join(events)
    return response


@bp.get("/stores/<int:store_id>/orders/<int:order_id>")
@require_role(*STAFF)
def order(store_id: int, order_id: int):
    store, found = _own(store_id, order_id)
    return _order_page(store, found)


def _order_page(store: Store, found: OnlineOrder, status: int = 200, error: str | None = None):
    open_short = till_shortfalls.open_for(found)
    return render("fulfil/order.html", status=status, store=store, found=found, labels=STATUS_LABELS,
                  shortages=services.shortages(found), error=error, open_short=open_short,
                  sources={sf.id: short.sources_for(found, sf) for sf in open_short},
                  covered={sf.id: short.covered(store, sf.sku_id) for sf in open_short},
                  till_shortfalls=till_shortfalls.of_order(found), short_labels=SHORT_LABELS)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/<any(start, ready, dispatch, delivered):action>")
@require_role(*STAFF)
def step(store_id: int, order_id: int, action: str):
    store, found = _own_held(store_id, order_id)
    transition, target, told = STEPS[action]
    if found.status != target:  # the same tap twice: the step is taken once
        try:
            transition(found, current_user)
        except DomainError as e:
            db.session.rollback()
            return _order_page(store, found, 409, str(e))
    db.session.commit()
    flash(str(told % {"number": found.order.number}), "success")
    return htmx_redirect(url_for("fulfil.order", store_id=store.id, order_id=found.id))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/cancel")
@require_role(*STAFF)
def cancel(store_id: int, order_id: int):
    store, found = _own(store_id, order_id)
    if found.status != OnlineStatus.CANCELLED:
        reason = request.form.get("reason", "").strip()
        try:
            online.cancel(found, by_customer=False, reason=reason or _("Cancelled by the store"))
            short.settle_cancelled(found, current_user)
        except DomainError as e:
            db.session.rollback()
            return _order_page(store, found, 409, str(e))
    db.session.commit()
    flash(_("Order %(number)s is cancelled; its stock is back on sale and what was paid is refunded.",
            number=found.order.number), "success")
    return htmx_redirect(url_for("fulfil.order", store_id=store.id, order_id=found.id))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/lines/<int:line_id>/unavailable")
@require_role(*STAFF)
def unavailable(store_id: int, order_id: int, line_id: int):
    store, found = _own(store_id, order_id)
    if any(s.line_id == line_id for s in services.shortages(found)):  # a double tap: dropped once
        return htmx_redirect(url_for("fulfil.order", store_id=store.id, order_id=found.id))
    try:
        shortage = services.mark_unavailable(found, line_id, current_user)
    except DomainError as e:
        db.session.rollback()
        return _order_page(store, found, 409, str(e))
    db.session.commit()
    _say_taken_off(shortage)
    return htmx_redirect(url_for("fulfil.order", store_id=store.id, order_id=found.id))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/short/<int:shortfall_id>/transfer")
@require_role(*STAFF)
def short_transfer(store_id: int, order_id: int, shortfall_id: int):
    """Short: sold at the till → ask another store for the units (a draft transfer to this store)."""
    store, found, shortfall = _own_shortfall(store_id, order_id, shortfall_id)
    source_id = request.form.get("source", "")
    choices = {s.id: s for s, _available in short.sources_for(found, shortfall)}
    source = choices.get(int(source_id)) if source_id.isdigit() and len(source_id) < 10 else None
    if source is None:
        return _order_page(store, found, 422, _("Choose a store that has the items."))
    try:
        transfer = short.ask_transfer(found, shortfall, source, current_user)
    except DomainError as e:
        db.session.rollback()
        return _order_page(store, found, 409, str(e))
    db.session.commit()
    flash(_("Transfer %(number)s asked of %(store)s: it sends the items to this store.",
            number=transfer.number, store=source.name), "success")
    return htmx_redirect(url_for("fulfil.order", store_id=store.id, order_id=found.id))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/short/<int:shortfall_id>/keep")
@require_role(*STAFF)
def short_keep(store_id: int, order_id: int, shortfall_id: int):
    """Short: sold at the till, but goods came in since → the order goes on as ordered."""
    store, found, shortfall = _own_shortfall(store_id, order_id, shortfall_id)
    try:
        short.keep(found, shortfall, current_user)
    except DomainError as e:
        db.session.rollback()
        return _order_page(store, found, 409, str(e))
    db.session.commit()
    flash(_("%(name)s is back on the shelf: order %(number)s goes on as ordered.",
            name=shortfall.sku.display_name, number=found.order.number), "success")
    return htmx_redirect(url_for("fulfil.order", store_id=store.id, order_id=found.id))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/short/<int:shortfall_id>/unavailable")
@require_role(*STAFF)
def short_unavailable(store_id: int, order_id: int, shortfall_id: int):
    """Short: sold at the till → the line comes off the order, refunded when paid."""
    store, found, shortfall = _own_shortfall(store_id, order_id, shortfall_id)
    try:
        shortage = short.take_off(found, shortfall, current_user)
    except DomainError as e:
        db.session.rollback()
        return _order_page(store, found, 409, str(e))
    db.session.commit()
    _say_taken_off(shortage)
    return htmx_redirect(url_for("fulfil.order", store_id=store.id, order_id=found.id))


def _say_taken_off(shortage) -> None:
    """What the staff are told when a line comes off an order: refunded, or less to pay."""
    if shortage.refunded:
        flash(_("%(name)s is off the order; %(amount)s is refunded to the customer.",
                name=shortage.sku.display_name, amount=format_money(shortage.refunded)), "success")
    else:
        flash(_("%(name)s is off the order; the customer pays %(amount)s less.",
                name=shortage.sku.display_name, amount=format_money(shortage.amount)), "success")


@bp.get("/stores/<int:store_id>/orders/<int:order_id>/pick-list")
@require_role(*STAFF)
def pick_list(store_id: int, order_id: int):
    store, found = _own(store_id, order_id)
    return render("fulfil/pick_list.html", store=store, orders=[found], rows=queries.pick_list([found]),
                  labels=STATUS_LABELS)


@bp.get("/stores/<int:store_id>/pick-list")
@require_role(*STAFF)
def combined_pick_list(store_id: int):
    """Several orders picked in one walk: the chosen ones, or every order new or being picked."""
    store = db.get_or_404(Store, store_id)
    ids = [int(i) for i in request.args.getlist("order") if i.isdigit() and len(i) < 10]
    orders = queries.orders_of(store, ids) if ids else queries.in_work(store)
    return render("fulfil/pick_list.html", store=store, orders=orders, rows=queries.pick_list(orders),
                  labels=STATUS_LABELS)


@bp.get("/stores/<int:store_id>/orders/<int:order_id>/dispatch-note")
@require_role(*STAFF)
def dispatch_note(store_id: int, order_id: int):
    store, found = _own(store_id, order_id)
    if found.is_pickup:
        abort(404)
    return render("fulfil/dispatch_note.html", store=store, found=found, labels=STATUS_LABELS)


def _own_shortfall(store_id: int, order_id: int, shortfall_id: int) -> tuple[Store, OnlineOrder, TillShortfall]:
    store, found = _own(store_id, order_id)
    shortfall = db.session.get(TillShortfall, shortfall_id)
    if shortfall is None or shortfall.online_order_id != found.id:
        abort(404)
    return store, found, shortfall


def _own_held(store_id: int, order_id: int) -> tuple[Store, OnlineOrder]:
    """The store and one of its online orders, its row locked for this transaction and read with its order,
    payments and customer (two statements): the step that follows neither locks nor reads it again."""
    store = db.get_or_404(Store, store_id)
    found = online.held(order_id, store.id)
    if found is None:
        abort(404)
    return store, found


def _own(store_id: int, order_id: int) -> tuple[Store, OnlineOrder]:
    """The store and one of its online orders; another store's order is not found here."""
    store = db.get_or_404(Store, store_id)
    found = db.session.get(OnlineOrder, order_id)
    if found is None or found.order.store_id != store.id:
        abort(404)
    return store, found
