"""Item 16: a product with variants is usable on a phone: size and colour as two pickers of chips, the
price, stock (at the store shown) and add-to-cart of the chosen variant only; a plain form without script."""
import re

import pytest

from tests.shop.conftest import BINJIANG, WEST_LAKE, WULIN
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.stock import services as stock

SIZES, COLOURS = ["S", "M", "L", "XL", "XXL"], ["红", "蓝", "黑"]


@pytest.fixture
def shirt(online_store):
    """A T-shirt in 5 sizes × 3 colours (15 SKUs) at 3 stores; XXL comes in black only; L 蓝 costs more."""
    stores = [online_store(WEST_LAKE, "西湖区", name="西湖店"), online_store(WULIN, "拱墅区", name="武林店"),
              online_store(BINJIANG, "滨江区", name="滨江店")]
    variants = [VariantInput(code=f"TS-{size}-{n}", list_price="69.00" if (size, colour) != ("L", "蓝") else "79.00",
                             attributes={"尺码": size, "颜色": colour})
                for size in SIZES for n, colour in enumerate(COLOURS) if size != "XXL" or colour == "黑"]
    product = save_product(None, name="纯棉T恤", variants=variants)
    for sku in product.skus:
        for store, qty in zip(stores, (3, 10, 0), strict=True):
            if qty and sku.code != "TS-M-0":  # M 红 is sold out at the first store
                stock.receive(store, sku, qty, "20.00", user=None, document=("receipt", "R1"))
    db.session.commit()
    return product


def sku_of(product, size, colour):
    return next(s for s in product.skus if s.attributes == {"尺码": size, "颜色": colour})


def page(client, product, **args):
    return client.get(f"/shop/products/{product.id}", query_string=args,
                      headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_size_and_colour_are_two_pickers_with_the_stock_of_the_chosen_variant_only(client, shirt):
    html = page(client, shirt)
    assert re.findall(r'<legend>(尺码|颜色)', html) == ["尺码", "颜色"]
    assert len(re.findall(r'type="radio" name="v0"', html)) == 5 and len(re.findall(r'name="v1"', html)) == 3
    assert html.count('type="radio"') == 8  # not one row per SKU
    assert html.count('<li class="') <= 2  # the other stores, for the chosen variant only
    assert "西湖店仅剩 3 件" in html


def test_picking_a_size_and_colour_shows_that_variants_price_and_stock_and_adds_it(client, shirt):
    html = page(client, shirt, v0="L", v1="蓝")
    wanted = sku_of(shirt, "L", "蓝")
    assert "¥79.00" in html and f'name="sku" value="{wanted.id}"' in html
    assert "西湖店仅剩 3 件" in html  # at the store the prices are from
    assert re.search(r"武林店</span>\s*<span>有货", html) and re.search(r"滨江店</span>\s*<span>缺货", html)
    assert re.search(r'value="L" checked', html) and re.search(r'value="蓝" checked', html)
    client.post("/shop/cart/add", data={"sku": wanted.id, "quantity": "1"})
    assert "纯棉T恤 L / 蓝" in client.get("/shop/cart").get_data(as_text=True)


def test_a_variant_sold_out_here_says_so_and_its_chip_looks_it(client, shirt):
    html = page(client, shirt, v0="M", v1="红")
    assert "西湖店缺货" in html
    assert re.search(r'class="chip off"[^>]*>\s*<input type="radio" name="v1" value="红" checked', html)


def test_a_colour_the_chosen_size_lacks_takes_a_size_that_has_it(client, shirt):
    html = page(client, shirt, v0="XXL", v1="红")  # XXL comes in black only
    assert f'name="sku" value="{sku_of(shirt, "XXL", "黑").id}"' in html
    assert re.search(r'class="chip[^"]*none"[^>]*>\s*<input type="radio" name="v1" value="红"', html)


def test_picking_with_htmx_answers_only_the_buy_box(client, shirt):
    response = client.get(f"/shop/products/{shirt.id}?v0=S&v1=黑", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="buy"') and "<html" not in html
    assert f'name="sku" value="{sku_of(shirt, "S", "黑").id}"' in html


def test_without_script_the_pickers_are_a_plain_form_to_the_page(client, shirt):
    html = page(client, shirt)
    form = re.search(r'<form method="get" action="/shop/products/\d+" class="pickers"', html)
    assert form and "<noscript><button>" in html


def test_a_link_to_one_variant_opens_it(client, shirt):
    wanted = sku_of(shirt, "XL", "蓝")
    assert f'name="sku" value="{wanted.id}"' in page(client, shirt, sku=wanted.id)


@pytest.mark.parametrize("args", [{"v0": "S\x00"}, {"v0": "x" * 5000}, {"sku": "abc"}, {"v9": "红"},
                                  {"sku": "99999999999999999999"}])
def test_nonsense_picks_show_a_variant_never_an_error(client, shirt, args):
    assert client.get(f"/shop/products/{shirt.id}", query_string=args).status_code in (200, 400)
