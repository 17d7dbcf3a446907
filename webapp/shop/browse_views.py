"""Browsing: the shop's home, search and categories, product pages, product pictures."""
from decimal import Decimal

from flask import Response, abort, request

from webapp.catalog.photos import queries as photo_queries
from webapp.paging import paginate
from webapp.shop import art, queries, variants
from webapp.shop.blueprint import bp
from webapp.shop.web import current_cart, priced, pricing_store
from webapp.web import int_arg, render

PER_PAGE = 20
ZERO_QTY = Decimal("0")


@bp.get("/")
def home():
    cart = current_cart()
    store = pricing_store(cart)
    products = queries.featured()
    return render("shop/home.html", categories=queries.top_categories(), products=products, store=store,
                  prices=_prices(store, products), photos=photo_queries.main_photos([p.id for p in products]))


@bp.get("/search")
def search():
    text = request.args.get("q", "")[:50]
    category = queries.category(int_arg("category"))
    page = paginate(queries.search(text, category.id if category else None), int_arg("page", 1), PER_PAGE)
    store = pricing_store(current_cart())
    return render("shop/search.html", "shop/_results.html", page=page, q=text, category=category,
                  categories=queries.top_categories(), store=store, prices=_prices(store, page.items),
                  photos=photo_queries.main_photos([p.id for p in page.items]))


@bp.get("/products/<int:product_id>")
def product(product_id: int):
    """The product with its variant pickers; the chosen variant's price and stock (at the store shown, and
    elsewhere). Picking a size or colour asks for the buy box again (htmx), or the page (a plain form)."""
    found = queries.product(product_id) or abort(404)
    skus = [s for s in found.skus if s.active]
    stores = queries.online_stores()
    store = pricing_store(current_cart())
    stock = queries.available(stores, [s.id for s in skus])
    choice = variants.choose(skus, variants.picks_from(request.args), int_arg("sku"),
                             lambda sku: stock.get((store.id, sku.id), ZERO_QTY) if store else ZERO_QTY)
    prices = priced(store, [(choice.sku, 1)]) if choice else None
    return render("shop/product.html", "shop/_buy.html", product=found, choice=choice, stores=stores,
                  store=store, line=prices.lines[0] if prices else None, stock=stock, low=queries.LOW,
                  photo=photo_queries.photo_for(found, choice.sku if choice else None))


@bp.get("/art/<int:product_id>.svg")
def product_art(product_id: int):
    found = queries.product(product_id) or abort(404)
    response = Response(art.placeholder_svg(found.name), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _prices(store, products) -> dict:
    """The first active SKU's price of each product, through the pricing seam."""
    firsts = [(p, next((s for s in p.skus if s.active), None)) for p in products]
    cart = priced(store, [(sku, 1) for _p, sku in firsts if sku])
    if cart is None:
        return {}
    by_sku = {line.sku.id: line for line in cart.lines}
    return {p.id: by_sku[sku.id] for p, sku in firsts if sku}
