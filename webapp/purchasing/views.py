"""HQ's purchasing screens under /admin: suppliers and their terms, every store's purchase orders.

The store-side screens (purchase orders of one store, replenishment, receiving) are in
order_views.py and receiving_views.py, on this same blueprint.
"""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS, Role
from webapp.catalog.errors import UnknownCode
from webapp.catalog.models import Supplier
from webapp.catalog.scanning import find
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.paging import paginate
from webapp.purchasing import order_views, queries, receiving_views, suppliers  # noqa: F401  (their routes join bp)
from webapp.purchasing.blueprint import bp
from webapp.purchasing.forms import SupplierForm, SupplierItemForm
from webapp.purchasing.labels import ORDER_STATUS
from webapp.purchasing.models import SupplierItem
from webapp.stores.queries import all_stores
from webapp.web import htmx_redirect, int_arg, render


@bp.get("/purchasing/")
@require_role(*MANAGERS)
def index():
    """Where the "Purchasing" link leads: HQ to every store's orders, staff to their store's."""
    if current_user.is_hq:
        return redirect(url_for("purchasing.all_orders"))
    if len(current_user.stores) == 1:
        return redirect(url_for("purchasing.orders_of_store", store_id=current_user.stores[0].id))
    return render("purchasing/stores.html", stores=current_user.stores)


@bp.get("/admin/suppliers")
@require_role(Role.HQ_ADMIN)
def supplier_list():
    return render("purchasing/suppliers.html", suppliers=queries.suppliers())


@bp.route("/admin/suppliers/new", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def new_supplier():
    return _supplier_form(None)


@bp.route("/admin/suppliers/<int:supplier_id>", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def edit_supplier(supplier_id: int):
    return _supplier_form(db.get_or_404(Supplier, supplier_id))


def _supplier_form(supplier: Supplier | None):
    form = SupplierForm(obj=supplier)
    page = {"supplier": supplier, "item_form": SupplierItemForm(formdata=None),
            "items": queries.items_of(supplier) if supplier else []}
    if form.validate_on_submit():
        try:
            supplier = suppliers.save_supplier(supplier, name=form.name.data, contact=form.contact.data or "",
                                               phone=form.phone.data or "", lead_time_days=form.lead_time_days.data,
                                               minimum_order=form.minimum_order.data)
        except DomainError as e:
            db.session.rollback()
            form.name.errors.append(str(e))
            return render("purchasing/supplier.html", form=form, status=422, **page)
        db.session.commit()
        flash(_("Saved."), "success")
        return htmx_redirect(url_for("purchasing.edit_supplier", supplier_id=supplier.id))
    return render("purchasing/supplier.html", form=form, status=422 if form.errors else 200, **page)


@bp.post("/admin/suppliers/<int:supplier_id>/items")
@require_role(Role.HQ_ADMIN)
def save_item(supplier_id: int):
    supplier = db.get_or_404(Supplier, supplier_id)
    item_form = SupplierItemForm()
    page = {"supplier": supplier, "form": SupplierForm(obj=supplier), "items": queries.items_of(supplier)}
    if not item_form.validate_on_submit():
        return render("purchasing/supplier.html", item_form=item_form, status=422, **page)
    sku = find(item_form.code.data.strip())
    if sku is None:
        item_form.code.errors.append(str(UnknownCode(code=item_form.code.data[:48])))
        return render("purchasing/supplier.html", item_form=item_form, status=422, **page)
    try:
        suppliers.save_item(supplier, sku, cost_price=item_form.cost_price.data, pack_size=item_form.pack_size.data,
                            min_order_qty=item_form.min_order_qty.data, pack_barcode=item_form.pack_barcode.data)
    except DomainError as e:
        db.session.rollback()
        item_form.pack_barcode.errors.append(str(e))
        page["items"] = queries.items_of(supplier)
        return render("purchasing/supplier.html", item_form=item_form, status=422, **page)
    db.session.commit()
    flash(_("Saved %(name)s.", name=sku.display_name), "success")
    return htmx_redirect(url_for("purchasing.edit_supplier", supplier_id=supplier.id))


@bp.post("/admin/suppliers/<int:supplier_id>/items/<int:item_id>/delete")
@require_role(Role.HQ_ADMIN)
def delete_item(supplier_id: int, item_id: int):
    item = db.get_or_404(SupplierItem, item_id)
    if item.supplier_id != supplier_id:
        abort(404)
    suppliers.remove_item(item)
    db.session.commit()
    return htmx_redirect(url_for("purchasing.edit_supplier", supplier_id=supplier_id))


@bp.get("/admin/purchase-orders")
@require_role(Role.HQ_ADMIN)
def all_orders():
    status = request.args.get("status") or None
    status = status if status in ORDER_STATUS else None
    page = paginate(queries.orders(status=status), int_arg("page", 1), 50)
    return render("purchasing/all_orders.html", page=page, chosen_status=status, stores=all_stores(),
                  statuses=ORDER_STATUS, user=current_user)


