"""The one pricing seam. The till, the shop and store orders price carts only here,
so promotions are added in one place.

A line's base price is the store's own price where it has one, else the list
price; for a member, the member price (the store's, else the chain's) where it
is lower. The promotion engine (``webapp.promotions.engine``) then takes off
what the active promotions give, item level first, then order level, each
saving shared over the lines exact to the fen. Each line is rounded half-up to
the fen once; the total is the sum of lines.

``price_order`` prices an order's lines with its coupons and stores the
allocation (``OrderLinePromotion``) with the sale; ``kept_amount`` re-prices
what a customer keeps after a return, with the promotions the sale had.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, distinct, func, select

from webapp.catalog.models import SKU, Product, StorePrice
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import quantity, round_money
from webapp.promotions import engine, markdowns, rules
from webapp.promotions.engine import Customer, Hint, Item, Rule, Usage
from webapp.promotions.models import Coupon, CouponState, CouponUse, OrderLinePromotion
from webapp.sales.models import Order, OrderKind, OrderLine, OrderStatus
from webapp.stores.models import Store

ZERO = Decimal("0.00")


class Channel(StrEnum):
    POS = "pos"
    SHOP = "shop"
    SUPPLY = "supply"


@dataclass(frozen=True)
class PricedLine:
    sku: SKU
    quantity: Decimal
    unit_price: Decimal  # before promotions
    regular_price: Decimal
    amount: Decimal  # after promotions
    savings: dict = field(default_factory=dict)  # promotion id → what it took off this line
    points_multiplier: Decimal = Decimal("1.00")  # 积分 ×N of the promotions applied to it (engine.Result)

    @property
    def saving(self) -> Decimal:
        return round_money(self.regular_price * self.quantity) - self.amount


@dataclass(frozen=True)
class Applied:
    """One promotion on a basket: its name and what it saved, for the cart, the till and the receipt."""

    id: int
    name: str
    saving: Decimal


@dataclass(frozen=True)
class PricedCart:
    lines: list[PricedLine]
    promotions: list[Applied] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def saving(self) -> Decimal:
        return sum((line.saving for line in self.lines), Decimal("0.00"))

    @property
    def hint(self) -> Hint | None:
        """The nearest threshold not reached yet (再买 ¥12 可减 ¥10)."""
        return self.hints[0] if self.hints else None


def price_cart(store: Store, channel: Channel, lines: list[tuple[SKU, Decimal]], member=None, *,
               customer_id: int | None = None, coupons=frozenset(), at: datetime | None = None,
               order_id: int | None = None, adjust=None) -> PricedCart:
    """Price (SKU, quantity) lines for a store and channel, optionally for a member, with coupon promotions
    ``coupons`` (ids) given; ``order_id``: the order being priced, whose own promotions do not count against
    their budgets; ``adjust``: a function changing the rules that touch the basket (a preview adds one)."""
    if not lines:  # an empty sale (a member named before the first scan) has nothing to price
        return PricedCart([])
    store_prices = _store_prices(store, [sku.id for sku, _ in lines])
    bases = []
    for sku, qty in lines:
        qty = quantity(qty)
        own = store_prices.get(sku.id)
        regular = own.price if own else sku.list_price
        unit_price = regular
        if member is not None:
            member_price = own.member_price if own and own.member_price is not None else sku.member_price
            if member_price is not None and member_price < regular:
                unit_price = member_price
        bases.append((sku, qty, unit_price, regular))
    book, lots = rules.active_book_and_lots()
    if not len(book) and adjust is None:
        return PricedCart([PricedLine(sku, qty, unit, regular, round_money(unit * qty))
                           for sku, qty, unit, regular in bases])
    categories = _categories_of([sku for sku, *_ in bases]) if book.needs_categories else {}
    brands = _brands_of([sku for sku, *_ in bases]) if book.needs_brands or adjust is not None else {}
    items = [Item(sku.id, sku.product_id, categories.get(sku.product_id), qty, unit, sku.cost or ZERO,
                  brands.get(sku.product_id)) for sku, qty, unit, _ in bases]
    found = _without_lots_gone(book.touching(items), store, lots)
    if adjust is not None:
        found = adjust(found)
    at = at or utcnow()
    context = engine.Context(
        store_id=store.id, channel=Channel(channel).value, at=at, local=local_moment(at),
        customer=Customer(customer_id, member is not None,
                          _tier_of(member) if any(rule.member_tiers for rule in found) else None),
        coupons=frozenset(coupons),
        usage=_usage(found, customer_id, order_id))
    result = engine.price(items, found, context, book if adjust is None else None)
    priced = [PricedLine(sku, qty, unit, regular, line.amount, dict(line.savings), multiplier)
              for (sku, qty, unit, regular), line, multiplier
              in zip(bases, result.lines, result.points_multipliers(), strict=True)]
    applied = [Applied(rule.id, rule.name, saving) for rule, saving in result.applied()]
    return PricedCart(priced, applied, result.hints)


def _without_lots_gone(found: list[Rule], store: Store, lots: dict[int, int]) -> list[Rule]:
    """A near-expiry markdown prices its lot's SKU only while the lot has units on the store's shelves."""
    mine = {lots[rule.id] for rule in found if rule.id in lots}
    if not mine:
        return found
    gone = markdowns.lots_gone(store.id, mine)
    return [rule for rule in found if lots.get(rule.id) not in gone] if gone else found


def price_order(order: Order, member=None, priced: PricedCart | None = None) -> PricedCart:
    """Price an order's lines (with the coupons it holds; for a signed-in ``member`` at member prices) and
    store what each promotion took off each line.

    ``priced``: the same lines priced a moment ago by ``price_cart`` for the order's store, channel and
    member; taken as they are when no rule depends on the customer or a coupon (else priced again)."""
    book = rules.active_book()
    coupons = held_coupon_promotions(order) if book.coupons else frozenset()
    if priced is not None and not book.per_customer and not coupons:
        cart = priced
    else:
        cart = price_cart(order.store, Channel(order.channel), [(ln.sku, ln.quantity) for ln in order.lines],
                          member=member, customer_id=_customer_of(order) if book.per_customer else None,
                          coupons=coupons, order_id=order.id)
    record(order, cart)
    order.pricing = cart  # kept on the instance for this request: the sale panel shows its reasons and hint
    return cart


def record(order: Order, cart: PricedCart) -> None:
    """Replace the order's stored allocation with the cart's: promotion id and amount per line.

    Only a line some promotion took something off holds stored rows, and its amounts as last priced say so
    (``saved_when_priced``): a sale no promotion touched sends no DELETE as it is rung up."""
    ids = [ln.id for ln in order.lines if ln.id is not None and saved_when_priced(ln)]
    for line in order.lines:
        line.priced_quantity = None  # priced now, at the quantity in hand
    if ids:
        db.session.execute(delete(OrderLinePromotion).where(OrderLinePromotion.order_line_id.in_(ids)),
                           execution_options={"synchronize_session": False})
    for line, priced in zip(order.lines, cart.lines, strict=True):
        if line.points_multiplier != priced.points_multiplier:  # what earning reads: no second pricing
            line.points_multiplier = priced.points_multiplier
        for promotion_id, amount in priced.savings.items():
            db.session.add(OrderLinePromotion(line=line, promotion_id=promotion_id, amount=amount))


def saved_when_priced(line: OrderLine) -> bool:
    """Whether a promotion took something off the line when it was last priced (then it holds stored rows):
    its priced amount is below its unit price × the quantity it was priced at — ``line.priced_quantity``
    while a changed quantity waits to be priced again (``sales.cart`` keeps it), else its quantity."""
    priced_quantity = line.priced_quantity if line.priced_quantity is not None else line.quantity
    if line.priced_amount is None or line.unit_price is None or priced_quantity is None:
        return True
    return line.priced_amount != round_money(line.unit_price * priced_quantity)


def savings_of(order: Order) -> list[Applied]:
    """The promotions stored with an order and what each saved, for the receipt and the sale panel.

    With its lines in hand and none a promotion took something off (``saved_when_priced``), the order has
    none stored: nothing is asked."""
    from webapp.promotions.models import Promotion

    if "lines" in order.__dict__ and not any(saved_when_priced(line) for line in order.lines):
        return []

    rows = db.session.execute(
        select(Promotion.id, Promotion.name, func.sum(OrderLinePromotion.amount))
        .join(OrderLinePromotion, OrderLinePromotion.promotion_id == Promotion.id)
        .join(OrderLine, OrderLine.id == OrderLinePromotion.order_line_id)
        .where(OrderLine.order_id == order.id)
        .group_by(Promotion.id, Promotion.name).order_by(Promotion.id))
    return [Applied(pid, name, Decimal(total)) for pid, name, total in rows]


def line_savings(order: Order) -> dict[int, dict[int, Decimal]]:
    """Per order line id: promotion id → the stored saving."""
    rows = db.session.execute(
        select(OrderLinePromotion.order_line_id, OrderLinePromotion.promotion_id, OrderLinePromotion.amount)
        .join(OrderLine, OrderLine.id == OrderLinePromotion.order_line_id).where(OrderLine.order_id == order.id))
    found: dict[int, dict[int, Decimal]] = {}
    for line_id, promotion_id, amount in rows:
        found.setdefault(line_id, {})[promotion_id] = amount
    return found


def hint_for(order: Order) -> Hint | None:
    """The nearest threshold the sale has not reached, from the rules in memory and the lines as priced."""
    pricing = getattr(order, "pricing", None)
    if pricing is not None:
        return pricing.hint
    book = rules.active_book()
    if not order.lines or not len(book):
        return None
    return price_cart(order.store, Channel(order.channel), [(ln.sku, ln.quantity) for ln in order.lines],
                      coupons=held_coupon_promotions(order) if book.coupons else frozenset(),
                      order_id=order.id).hint


CONDITIONAL = ("nth_item", "buy_get", "bundle")  # item rewards earned by buying several


def kept_extra(sale: Order, kept: dict[int, Decimal]) -> Decimal:
    """What the goods a customer keeps after a return (line id → quantity) owe beyond their share of what was
    paid, because a reward earned by buying several (第N件, 买N送M, 套餐) is no longer earned on what is kept.

    The kept goods are re-priced by the engine at the sale's prices with the sale's item promotions; their
    share of the stored item-level amounts is what they cost before. 满减 and other order savings stay as
    stored: a returned line gives back exactly its stored share.
    """
    from webapp.promotions.models import Promotion

    stored = db.session.execute(
        select(OrderLinePromotion.order_line_id, OrderLinePromotion.amount, Promotion.id, Promotion.kind)
        .join(OrderLine, OrderLine.id == OrderLinePromotion.order_line_id)
        .join(Promotion, Promotion.id == OrderLinePromotion.promotion_id)
        .where(OrderLine.order_id == sale.id, Promotion.kind != "threshold")).all()
    if not any(kind in CONDITIONAL for *_, kind in stored):
        return ZERO
    item_savings: dict[int, Decimal] = {}
    for line_id, amount, _, _ in stored:
        item_savings[line_id] = item_savings.get(line_id, ZERO) + amount
    lines = [ln for ln in sale.lines if kept.get(ln.id, ZERO) > 0]
    if not lines:
        return ZERO
    before = sum((round_money((round_money(ln.unit_price * ln.quantity) - item_savings.get(ln.id, ZERO))
                              * kept[ln.id] / ln.quantity) for ln in lines), ZERO)
    categories = _categories({ln.sku.product_id for ln in lines})
    brands = _brands({ln.sku.product_id for ln in lines})
    items = [Item(ln.sku_id, ln.sku.product_id, categories.get(ln.sku.product_id), kept[ln.id], ln.unit_price,
                  ln.unit_cost or ZERO, brands.get(ln.sku.product_id)) for ln in lines]
    context = engine.Context(store_id=sale.store_id, channel=sale.channel, at=sale.created_at)
    now = engine.price(items, rules.rules_for({pid for _, _, pid, _ in stored}), context).total
    return max(ZERO, now - before)


def held_coupon_promotions(order: Order) -> frozenset:
    if order.id is None:
        return frozenset()
    return frozenset(db.session.scalars(
        select(Coupon.promotion_id).join(CouponUse, CouponUse.coupon_id == Coupon.id)
        .where(CouponUse.order_id == order.id, CouponUse.state != CouponState.RETURNED.value)))


# ---------------------------------------------------------------- helpers


def _store_prices(store: Store, sku_ids: list[int]) -> dict[int, StorePrice]:
    if not sku_ids:
        return {}
    rows = db.session.scalars(
        select(StorePrice).where(StorePrice.store_id == store.id, StorePrice.sku_id.in_(sku_ids)))
    return {row.sku_id: row for row in rows}


def _categories_of(skus: list[SKU]) -> dict[int, int | None]:
    """Product id → category id, from the products already loaded with the SKUs, else one query."""
    known = {sku.product_id: sku.__dict__["product"].category_id for sku in skus if "product" in sku.__dict__}
    missing = {sku.product_id for sku in skus} - set(known)
    return known | _categories(missing) if missing else known


def _categories(product_ids: set[int]) -> dict[int, int | None]:
    if not product_ids:
        return {}
    return dict(db.session.execute(select(Product.id, Product.category_id).where(Product.id.in_(product_ids))).all())


def _brands_of(skus: list[SKU]) -> dict[int, int | None]:
    """Product id → brand id, from the products already loaded with the SKUs, else one query."""
    known = {sku.product_id: sku.__dict__["product"].brand_id for sku in skus if "product" in sku.__dict__}
    missing = {sku.product_id for sku in skus} - set(known)
    return known | _brands(missing) if missing else known


def _brands(product_ids: set[int]) -> dict[int, int | None]:
    if not product_ids:
        return {}
    return dict(db.session.execute(select(Product.id, Product.brand_id).where(Product.id.in_(product_ids))).all())


def local_moment(at: datetime) -> datetime:
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return at.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _tier_of(member) -> str | None:
    """The member's tier (普通/银卡/金卡), asked only when a rule is for some tiers."""
    if member is None:
        return None
    from webapp.members.models import MemberCard  # members sits beside promotions: named only when needed

    return db.session.scalar(select(MemberCard.tier).where(MemberCard.customer_id == member.id))


def _customer_of(order: Order) -> int | None:
    """Who buys: the online order's customer, or the member named at the till."""
    return order.customer_id


def _usage(found: list[Rule], customer_id: int | None, order_id: int | None) -> dict[int, Usage]:
    """What the rules with a budget have given so far, on sales not voided (one query, only when needed)."""
    budgeted = [rule.id for rule in found if rule.max_uses is not None or rule.max_discount is not None
                or rule.per_customer is not None]
    if not budgeted:
        return {}
    used = (select(OrderLinePromotion.promotion_id, func.count(distinct(Order.id)), func.sum(OrderLinePromotion.amount))
            .join(OrderLine, OrderLine.id == OrderLinePromotion.order_line_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLinePromotion.promotion_id.in_(budgeted), Order.kind == OrderKind.SALE.value,
                   Order.status != OrderStatus.VOIDED.value))
    if order_id is not None:
        used = used.where(Order.id != order_id)
    usage = {pid: Usage(uses, 0, Decimal(total or 0))
             for pid, uses, total in db.session.execute(used.group_by(OrderLinePromotion.promotion_id))}
    if customer_id is not None and any(rule.per_customer is not None for rule in found):
        mine = (select(OrderLinePromotion.promotion_id, func.count(distinct(Order.id)))
                .join(OrderLine, OrderLine.id == OrderLinePromotion.order_line_id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(OrderLinePromotion.promotion_id.in_(budgeted), Order.customer_id == customer_id,
                       Order.kind == OrderKind.SALE.value, Order.status != OrderStatus.VOIDED.value))
        if order_id is not None:
            mine = mine.where(Order.id != order_id)
        for pid, count in db.session.execute(mine.group_by(OrderLinePromotion.promotion_id)):
            base = usage.get(pid, Usage())
            usage[pid] = Usage(base.uses, count, base.discount)
    return usage
