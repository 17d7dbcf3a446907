"""HQ's catalogue screens: the product list, the product form, CSV in and out."""
from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.auth.guards import require_role
from webapp.auth.models import Role
from webapp.catalog import csv_io, queries, services
from webapp.catalog.blueprint import bp
from webapp.catalog.forms import TRACKING_LABELS, UNIT_LABELS, ImportForm, ProductForm
from webapp.catalog.models import Category, Product, Supplier
from webapp.csvfile import ImportRejected, csv_response
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.paging import paginate
from webapp.stores.queries import all_stores
from webapp.web import htmx_redirect, int_arg, render

IMPORT_PAGE = {
    "title": _l("Import products"), "columns": csv_io.COLUMNS,
    "intro": _l("A CSV file, one row per SKU; rows with the same product name become its SKUs. "
                "An existing SKU code is updated."),
}


@bp.get("/")
@require_role(Role.HQ_ADMIN)
def index():
    text = request.args.get("q", "")
    category_id = int_arg("category")
    tracking = request.args.get("tracking") or None
    weighed = {"yes": True, "no": False}.get(request.args.get("weighed", ""))
    page = paginate(queries.product_search(text, category_id, weighed, tracking),
                           int_arg("page", 1), current_app.config["PAGE_SIZE"])
    return render("catalog/index.html", "catalog/_product_table.html", page=page, q=text,
                  category_id=category_id, tracking=tracking, weighed=request.args.get("weighed", ""),
                  categories=queries.categories(), tracking_labels=TRACKING_LABELS, unit_labels=UNIT_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def new():
    return _edit(None)


@bp.route("/<int:product_id>", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def edit(product_id: int):
    return _edit(db.get_or_404(Product, product_id))


def _edit(product: Product | None):
    form = ProductForm()
    form.category_id.choices = [(0, "—")] + [(c.id, c.path) for c in queries.categories()]
    form.supplier_id.choices = [(0, "—")] + [(s.id, s.name) for s in queries.suppliers()]
    if request.method == "GET" and product:
        _fill(form, product)
    if request.method == "POST" and "add_variant" in request.form:
        form.variants.append_entry()
        return render("catalog/form.html", form=form, product=product, brands=queries.brands())
    if form.validate_on_submit():
        try:
            services.save_product(product, **_product_fields(form))
        except DomainError as e:
            db.session.rollback()
            flash(str(e), "error")
            return render("catalog/form.html", form=form, product=product, brands=queries.brands(), status=422)
        db.session.commit()
        flash(_("Saved."), "success")
        return htmx_redirect(url_for("catalog.index", q=form.name.data))
    return render("catalog/form.html", form=form, product=product, brands=queries.brands(),
                  status=422 if form.errors else 200)


def _fill(form: ProductForm, product: Product) -> None:
    form.name.data, form.unit.data, form.weighed.data = product.name, product.unit, product.weighed
    form.tracking.data, form.plu.data, form.active.data = product.tracking, product.plu, product.active
    form.style_code.data = product.style_code
    form.category_id.data = product.category_id or 0
    form.brand.data = product.brand.name if product.brand else ""
    form.supplier_id.data = product.preferred_supplier_id or 0
    while form.variants.entries:
        form.variants.pop_entry()
    for sku in (s for s in product.skus if s.active):
        form.variants.append_entry({
            "sku_id": sku.id, "code": sku.code, "attributes": csv_io.format_attributes(sku.attributes),
            "list_price": sku.list_price, "member_price": sku.member_price,
            "barcodes": " ".join(b.code for b in sku.barcodes),
        })


def _product_fields(form: ProductForm) -> dict:
    variants = [
        services.VariantInput(
            id=int(v.sku_id.data) if (v.sku_id.data or "").isdigit() else None, code=v.code.data, list_price=v.list_price.data,
            member_price=v.member_price.data, attributes=csv_io.parse_attributes(v.attributes.data or ""),
            barcodes=(v.barcodes.data or "").replace(",", " ").split(),
        )
        for v in form.variants
    ]
    return {
        "name": form.name.data, "variants": variants, "unit": form.unit.data, "weighed": form.weighed.data,
        "tracking": form.tracking.data, "plu": form.plu.data, "active": form.active.data,
        "style_code": form.style_code.data,
        "category": db.session.get(Category, form.category_id.data) if form.category_id.data else None,
        "brand": services.brand_by_name(form.brand.data or ""),
        "preferred_supplier": db.session.get(Supplier, form.supplier_id.data) if form.supplier_id.data else None,
    }


@bp.route("/<int:product_id>/prices", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def store_prices(product_id: int):
    """Each store's own price for each SKU; an empty price means the list price."""
    product = db.get_or_404(Product, product_id)
    stores = all_stores()
    skus = [sku for sku in product.skus if sku.active]
    if request.method == "POST":
        prices = {(store, sku): (request.form.get(f"price-{store.id}-{sku.id}", ""),
                                 request.form.get(f"member-{store.id}-{sku.id}", ""))
                  for store in stores for sku in skus}
        try:
            services.save_store_prices(prices)
        except (DomainError, ValueError) as e:
            db.session.rollback()
            flash(_("Nothing was saved: %(reason)s", reason=str(e)), "error")
            return render("catalog/prices.html", product=product, stores=stores, skus=skus,
                          prices=_posted_prices(), status=422)
        db.session.commit()
        flash(_("Saved."), "success")
        return htmx_redirect(url_for("catalog.store_prices", product_id=product.id))
    return render("catalog/prices.html", product=product, stores=stores, skus=skus,
                  prices=queries.store_prices_of(product))


def _posted_prices() -> dict:
    return {key: value for key, value in request.form.items() if key.startswith(("price-", "member-"))}


@bp.get("/export.csv")
@require_role(Role.HQ_ADMIN)
def export():
    return csv_response("products.csv", csv_io.COLUMNS, csv_io.export_rows())


@bp.route("/import", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def import_products():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            count = csv_io.import_products(form.file.data.read())
        except ImportRejected as e:
            db.session.rollback()
            return render("import.html", form=form, rejected=e, status=422, **IMPORT_PAGE)
        db.session.commit()
        flash(_("Imported %(count)s rows.", count=count), "success")
        return htmx_redirect(url_for("catalog.index"))
    return render("import.html", form=form, rejected=None, **IMPORT_PAGE)
