"""A store's purchase orders and replenishment suggestions (/stock/stores/<id>/...)."""
import uuid

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS
from webapp.catalog.errors import UnknownCode
from webapp.catalog.models import Supplier
from webapp.catalog.scanning import find
from webapp.csvfile import csv_response
from webapp.errors import DomainError, toast
from webapp.extensions import db
from webapp.i18n import format_quantity
from webapp.paging import paginate
from webapp.purchasing import orders, queries
from webapp.purchasing.blueprint import bp
from webapp.purchasing.forms import NewOrderForm, OrderLineForm
from webapp.purchasing.labels import ORDER_STATUS
from webapp.purchasing.models import PurchaseOrder, PurchaseOrderLine
from webapp.purchasing.replenishment import REVIEW_DAYS
from webapp.purchasing.suggestions import suggestions_for
from webapp.stores.models import Store
from webapp.web import htmx_redirect, int_arg, render, writes


def _order(store_id: int, order_id: int) -> PurchaseOrder:
    order = db.get_or_404(PurchaseOrder, order_id)
    if order.store_id != store_id:
        abort(404)
    return order


def _new_order_form() -> NewOrderForm:
    form = NewOrderForm()
    form.supplier_id.choices = [(s.id, s.name) for s in queries.suppliers()]
    return form


@bp.get("/stock/stores/<int:store_id>/purchase-orders")
@require_role(*MANAGERS)
def orders_of_store(store_id: int):
    store = db.get_or_404(Store, store_id)
    page = paginate(queries.orders(store_id=store.id), int_arg("page", 1), 30)
    return render("purchasing/orders.html", store=store, page=page, form=_new_order_form(), statuses=ORDER_STATUS,
                  key=uuid.uuid4().hex)


@bp.post("/stock/stores/<int:store_id>/purchase-orders")
@require_role(*MANAGERS)
def create_order(store_id: int):
    store = db.get_or_404(Store, store_id)
    form = _new_order_form()
    if not form.validate_on_submit():
        return toast(_("Choose a supplier."))
    supplier = db.get_or_404(Supplier, form.supplier_id.data)
    order = orders.create_order(store, supplier, user=current_user, key=request.form.get("key"))
    db.session.commit()
    return htmx_redirect(url_for("purchasing.order", store_id=store.id, order_id=order.id))


@bp.get("/stock/stores/<int:store_id>/purchase-orders/<int:order_id>")
@require_role(*MANAGERS)
def order(store_id: int, order_id: int):
    order = _order(store_id, order_id)
    return render("purchasing/order.html", order=order, lines=queries.order_lines(order),
                  notes=queries.notes_of_order(order), form=OrderLineForm(formdata=None), statuses=ORDER_STATUS)


@bp.post("/stock/stores/<int:store_id>/purchase-orders/<int:order_id>/lines")
@require_role(*MANAGERS)
def set_order_line(store_id: int, order_id: int):
    order = _order(store_id, order_id)
    form = OrderLineForm()
    page = {"order": order, "notes": queries.notes_of_order(order), "statuses": ORDER_STATUS, "form": form}
    if not form.validate_on_submit():
        return render("purchasing/order.html", lines=queries.order_lines(order), status=422, **page)
    sku = find(form.code.data.strip())
    if sku is None:
        form.code.errors.append(str(UnknownCode(code=form.code.data[:48])))
        return render("purchasing/order.html", lines=queries.order_lines(order), status=422, **page)
    try:
        orders.set_line(order, sku, form.quantity.data, form.unit_cost.data)
    except DomainError as e:
        db.session.rollback()
        form.quantity.errors.append(str(e))
        return render("purchasing/order.html", lines=queries.order_lines(order), status=422, **page)
    db.session.commit()
    return htmx_redirect(url_for("purchasing.order", store_id=store_id, order_id=order.id))


@bp.post("/stock/stores/<int:store_id>/purchase-orders/<int:order_id>/lines/<int:line_id>/delete")
@require_role(*MANAGERS)
def remove_order_line(store_id: int, order_id: int, line_id: int):
    order = _order(store_id, order_id)
    line = db.get_or_404(PurchaseOrderLine, line_id)
    if line.order_id != order.id:
        abort(404)
    orders.remove_line(order, line)
    db.session.commit()
    return htmx_redirect(url_for("purchasing.order", store_id=store_id, order_id=order.id))


@bp.post("/stock/stores/<int:store_id>/purchase-orders/<int:order_id>/send")
@require_role(*MANAGERS)
def send_order(store_id: int, order_id: int):
    return _change(store_id, order_id, orders.send, _("Purchase order %(number)s sent."))


@bp.post("/stock/stores/<int:store_id>/purchase-orders/<int:order_id>/close")
@require_role(*MANAGERS)
def close_order(store_id: int, order_id: int):
    return _change(store_id, order_id, orders.close, _("Purchase order %(number)s closed."))


def _change(store_id: int, order_id: int, action, done: str):
    order = _order(store_id, order_id)
    action(order)
    db.session.commit()
    flash(done % {"number": order.number}, "success")
    return htmx_redirect(url_for("purchasing.order", store_id=store_id, order_id=order.id))


@bp.get("/stock/stores/<int:store_id>/purchase-orders/<int:order_id>/print")
@require_role(*MANAGERS)
def print_order(store_id: int, order_id: int):
    order = _order(store_id, order_id)
    return render_template("purchasing/order_print.html", order=order, lines=queries.order_lines(order),
                           statuses=ORDER_STATUS)


@bp.get("/stock/stores/<int:store_id>/purchase-orders/<int:order_id>/export.csv")
@require_role(*MANAGERS)
def export_order(store_id: int, order_id: int):
    order = _order(store_id, order_id)
    header = [_("SKU code"), _("Product"), _("Barcode"), _("Pack size"), _("Quantity"), _("Unit cost"),
              _("Amount"), _("Received")]
    rows = [[line.sku.code, line.sku.display_name, line.sku.barcodes[0].code if line.sku.barcodes else "",
             format_quantity(line.pack_size), format_quantity(line.quantity), f"{line.unit_cost:.2f}",
             f"{line.amount:.2f}", format_quantity(line.received)] for line in queries.order_lines(order)]
    return csv_response(f"{order.number}.csv", header, rows)


@bp.get("/stock/stores/<int:store_id>/replenishment")
@require_role(*MANAGERS)
@writes  # the store's transit place is made on first use
def replenishment(store_id: int):
    store = db.get_or_404(Store, store_id)
    groups = suggestions_for(store)
    db.session.commit()
    return render("purchasing/replenishment.html", store=store, groups=groups, review_days=REVIEW_DAYS,
                  key=uuid.uuid4().hex)


@bp.post("/stock/stores/<int:store_id>/replenishment/<int:supplier_id>")
@require_role(*MANAGERS)
def order_suggestions(store_id: int, supplier_id: int):
    store = db.get_or_404(Store, store_id)
    db.get_or_404(Supplier, supplier_id)
    done = orders.order_with_key(request.form.get("key"))
    if done is not None:  # a second tap: the order the first one made
        return htmx_redirect(url_for("purchasing.order", store_id=store.id, order_id=done.id))
    groups = suggestions_for(store, supplier_id)
    if not groups:
        return toast(_("Nothing to order from this supplier now."), 409)
    order = orders.order_from_suggestions(store, groups[0], user=current_user, key=request.form.get("key"))
    db.session.commit()
    flash(_("Draft purchase order %(number)s made from the suggestions.", number=order.number), "success")
    return htmx_redirect(url_for("purchasing.order", store_id=store.id, order_id=order.id))
