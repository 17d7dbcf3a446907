"""The demo catalogue, built from the tables through the catalogue services.

SKU codes run per top category (饮料 YL0001...), fresh goods use their scale
PLU (SX10001). A product's brand is the first word of its name (农夫山泉, 康师傅), except for
fresh goods sold by weight, whose first word says where they come from (山东, 本地). Barcodes are EAN-13 for Chinese makers: 69x, a five-digit
company code per brand and a four-digit item number, all drawn from a random
generator seeded by the brand, so every run makes the same codes.
"""
import random
from dataclasses import dataclass
from decimal import Decimal

from webapp.catalog.barcodes import with_check_digit
from webapp.catalog.models import SKU, Tracking, Unit
from webapp.catalog.services import (
    VariantInput,
    brand_by_name,
    category_by_path,
    save_product,
    set_store_price,
    supplier_by_name,
)
from webapp.demo.drinks import DRINKS
from webapp.demo.fresh import DAIRY, FRESH
from webapp.demo.household import CLOTHING, ELECTRONICS, HOUSEHOLD
from webapp.demo.snacks import SNACKS
from webapp.numbers import money, round_money
from webapp.stores.models import Store

# What a SKU costs the chain, as a share of its list price, by top category.
COST_SHARE = {"饮料": "0.62", "零食": "0.66", "乳制品": "0.78", "生鲜": "0.70",
              "日用品": "0.72", "电子产品": "0.80", "服装": "0.48"}
SKU_PREFIX = {"饮料": "YL", "零食": "LS", "乳制品": "RZ", "生鲜": "SX",
              "日用品": "RY", "电子产品": "DZ", "服装": "FZ"}
COLOUR_CODES = {"白": "WH", "黑": "BK", "灰": "GY", "藏青": "NV", "粉": "PK", "浅蓝": "LB",
                "肤色": "NU", "酒红": "WR", "驼色": "CM"}
ONE_SIZE = "均码"

# A store's own prices: store code, SKU, price, member price.
STORE_PRICES = [
    ("HZ03", "可口可乐 汽水 330ml", "3.50", None),
    ("HZ03", "农夫山泉 饮用天然水 550ml", "2.50", None),
    ("HZ03", "康师傅 红烧牛肉面 桶装 110g", "5.50", None),
    ("HZ02", "红牛 维生素功能饮料 250ml", "5.50", "5.00"),
    ("HZ02", "山东 西红柿", "8.80", None),
    ("HZ01", "光明 优倍 高品质鲜牛奶 950ml", "18.90", "16.90"),
]

# How each kind of goods is stocked (see webapp.demo.stock).
PACKAGED, LOT, WEIGHED, SERIAL, VARIANT = "packaged", "lot", "weighed", "serial", "variant"


@dataclass
class DemoSku:
    sku: SKU
    kind: str
    cost: Decimal
    shelf_days: int = 0

    @property
    def name(self) -> str:
        return self.sku.display_name


class Barcodes:
    """Deterministic EAN-13 codes, one company code per brand."""

    def __init__(self) -> None:
        self.companies: dict[str, str] = {}
        self.next_item: dict[str, int] = {}

    def next(self, brand: str) -> str:
        if brand not in self.companies:
            rng = random.Random(f"huotong-demo/barcode/{brand}")
            taken = set(self.companies.values())
            company = None
            while company is None or company in taken:
                company = f"69{rng.randint(0, 9)}{rng.randint(10000, 99999)}"
            self.companies[brand], self.next_item[brand] = company, rng.randint(1, 500)
        item = self.next_item[brand]
        self.next_item[brand] += 1
        return with_check_digit(f"{self.companies[brand]}{item:04d}")


class CatalogBuilder:
    def __init__(self) -> None:
        self.barcodes = Barcodes()
        self.numbers: dict[str, int] = {}
        self.skus: list[DemoSku] = []

    def add(self, path: str, supplier: str, name: str, variants: list[tuple[dict, str, str | None]], *,
            kind: str, unit: str, tracking: str = Tracking.NONE, plu: str | None = None,
            shelf_days: int = 0) -> None:
        top = path.split("/")[0]
        base = f"{SKU_PREFIX[top]}{plu}" if plu else self._next_code(SKU_PREFIX[top])
        brand = name.split()[0]
        inputs = [
            VariantInput(code=base + _suffix(attributes), list_price=price, member_price=member,
                         attributes=attributes, barcodes=[] if plu else [self.barcodes.next(brand)])
            for attributes, price, member in variants
        ]
        product = save_product(None, name=name, variants=inputs, category=category_by_path(path),
                               unit=unit, weighed=plu is not None, tracking=tracking, plu=plu,
                               style_code=base if kind == VARIANT else None,
                               preferred_supplier=supplier_by_name(supplier),
                               brand=None if plu else brand_by_name(brand))
        for sku in product.skus:
            cost = round_money(sku.list_price * Decimal(COST_SHARE[top]))
            lowest = min(p for p in (sku.list_price, sku.member_price) if p is not None)
            if not 0 < cost < lowest:
                raise ValueError(f"demo data: {name} would cost {cost}, sells from {lowest}")
            self.skus.append(DemoSku(sku, kind, cost, shelf_days))

    def _next_code(self, prefix: str) -> str:
        self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
        return f"{prefix}{self.numbers[prefix]:04d}"


def _suffix(attributes: dict) -> str:
    size, colour = attributes.get("尺码"), attributes.get("颜色")
    parts = ["F" if size == ONE_SIZE else size, COLOUR_CODES.get(colour)]
    return "".join(f"-{part}" for part in parts if part)


def _single(price: str, member: str | None = None) -> list[tuple[dict, str, str | None]]:
    return [({}, money(price), money(member) if member else None)]


def create_catalog(stores: dict[str, Store]) -> list[DemoSku]:
    """About 300 products in seven top categories, and a few stores' own prices."""
    builder = CatalogBuilder()
    for path, supplier, unit, items in DRINKS + SNACKS + HOUSEHOLD:
        for name, price, *member in items:
            builder.add(path, supplier, name, _single(price, *member), kind=PACKAGED, unit=unit)
    for path, supplier, unit, items in DAIRY:
        for name, price, member, shelf_days in items:
            builder.add(path, supplier, name, _single(price, member), kind=LOT, unit=unit,
                        tracking=Tracking.LOT, shelf_days=shelf_days)
    for path, supplier, items in FRESH:
        for name, price, plu in items:
            builder.add(path, supplier, name, _single(price), kind=WEIGHED, unit=Unit.KG, plu=plu)
    for path, supplier, items in ELECTRONICS:
        for name, price, member in items:
            builder.add(path, supplier, name, _single(price, member), kind=SERIAL, unit=Unit.PIECE,
                        tracking=Tracking.SERIAL)
    for path, supplier, items in CLOTHING:
        for name, price, sizes, colours in items:
            variants = [({"尺码": size, "颜色": colour}, money(price), None)
                        for size in sizes for colour in colours]
            builder.add(path, supplier, name, variants, kind=VARIANT, unit=Unit.PIECE)

    by_name = {item.name: item for item in builder.skus}
    for code, name, price, member in STORE_PRICES:
        set_store_price(stores[code], by_name[name].sku, price, member)
    return builder.skus
