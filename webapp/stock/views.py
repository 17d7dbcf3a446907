"""Store staff's stock screens: the overview, a SKU's ledger, receiving; HQ's opening-stock import."""
import uuid

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.auth.models import MANAGERS, Role
from webapp.catalog.errors import UnknownCode
from webapp.catalog.models import SKU
from webapp.catalog.scanning import find
from webapp.csvfile import ImportRejected
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.stock import csv_io, queries, services
from webapp.stock.blueprint import bp
from webapp.stock.forms import OpeningStockImportForm, ReceiveForm
from webapp.stock.models import Reason
from webapp.stores.models import Store
from webapp.stores.queries import all_stores
from webapp.web import htmx_redirect, int_arg, render

IMPORT_PAGE = {
    "title": _l("Import opening stock"), "columns": csv_io.COLUMNS,
    "intro": _l("A CSV file, one row per store and SKU; each row is received into the store "
                "through the stock ledger."),
}
REASON_LABELS = {
    Reason.RECEIPT: _l("Received"), Reason.SALE: _l("Sold"), Reason.RETURN: _l("Returned"),
    Reason.TRANSFER: _l("Transfer"), Reason.COUNT: _l("Count"), Reason.WRITE_OFF: _l("Write-off"),
    Reason.HANDOVER: _l("Online order handed over"),
}


@bp.get("/stock/")
@require_role(*STAFF)
def index():
    stores = all_stores() if current_user.is_hq else current_user.stores
    if len(stores) == 1:
        return redirect(url_for("stock.overview", store_id=stores[0].id))
    return render("stock/index.html", stores=stores)


@bp.get("/stock/stores/<int:store_id>")
@require_role(*STAFF)
def overview(store_id: int):
    store = db.get_or_404(Store, store_id)
    text = request.args.get("q", "")
    page = queries.overview_page(store, text, int_arg("page", 1), current_app.config["PAGE_SIZE"])
    return render("stock/overview.html", "stock/_stock_table.html", store=store, page=page, rows=page.items,
                  q=text)


@bp.get("/stock/stores/<int:store_id>/skus/<int:sku_id>")
@require_role(*STAFF)
def ledger(store_id: int, sku_id: int):
    store, sku = db.get_or_404(Store, store_id), db.get_or_404(SKU, sku_id)
    on_hand, reserved = queries.level_at(store, sku)
    return render("stock/ledger.html", store=store, sku=sku, on_hand=on_hand, reserved=reserved,
                  moves=queries.ledger(store, sku), reason_labels=REASON_LABELS)


@bp.route("/stock/stores/<int:store_id>/receive", methods=["GET", "POST"])
@require_role(*MANAGERS)
def receive(store_id: int):
    store = db.get_or_404(Store, store_id)
    form = ReceiveForm()
    if form.validate_on_submit():
        sku = find(form.code.data)
        if sku is None:
            form.code.errors.append(str(UnknownCode(code=form.code.data[:48])))
            return render("stock/receive.html", form=form, store=store, status=422)
        try:
            services.receive(store, sku, form.quantity.data, form.unit_cost.data, user=current_user,
                             document=("receipt", _document_number("RN")), lot_code=form.lot_code.data or None,
                             expiry=form.expiry.data)
        except DomainError as e:
            db.session.rollback()
            form.quantity.errors.append(str(e))
            return render("stock/receive.html", form=form, store=store, status=422)
        db.session.commit()
        flash(_("Received %(quantity)s × %(name)s.", quantity=form.quantity.data, name=sku.display_name), "success")
        return htmx_redirect(url_for("stock.ledger", store_id=store.id, sku_id=sku.id))
    return render("stock/receive.html", form=form, store=store, status=422 if form.errors else 200)


@bp.route("/admin/stock/import", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def import_opening_stock():
    form = OpeningStockImportForm()
    if form.validate_on_submit():
        try:
            count = csv_io.import_opening_stock(form.file.data.read(), user=current_user,
                                                document_id=_document_number("OPEN"))
        except ImportRejected as e:
            db.session.rollback()
            return render("import.html", form=form, rejected=e, status=422, **IMPORT_PAGE)
        db.session.commit()
        flash(_("Imported %(count)s rows.", count=count), "success")
        return htmx_redirect(url_for("stock.index"))
    return render("import.html", form=form, rejected=None, **IMPORT_PAGE)


def _document_number(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"
