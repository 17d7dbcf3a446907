"""Setting promotions up: save (every check before anything is written), start, stop.

Checks at save, never at the till: percent in range, a special price not above
the list price of any item in scope, a bundle of at least two items, the end
after the start, a scope that is not empty, codes not used before.
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from webapp.auth.models import User
from webapp.catalog.models import SKU, Brand, Category, Product
from webapp.clock import utcnow
from webapp.errors import check_length
from webapp.extensions import db
from webapp.numbers import money, to_decimal
from webapp.promotions import errors, rules
from webapp.promotions.models import Kind, Promotion, Status
from webapp.promotions.services import Channel
from webapp.stores.models import Store

HUNDRED = Decimal(100)


MEMBER_TIERS = {"regular", "silver", "gold"}  # webapp.members.models.Tier


@dataclass
class PromotionInput:
    """What the manager typed; numbers as text, parsed and checked by ``save``."""

    name: str = ""
    kind: str = ""
    tiers: list[tuple[str, str]] = field(default_factory=list)  # (spend, save)
    repeat: bool = False
    percent: str = ""
    price: str = ""
    nth: str = "2"
    buy: str = ""
    free: str = ""
    bundle: list[tuple[int, int]] = field(default_factory=list)  # (sku id, quantity)
    bundle_price: str = ""
    everything: bool = False
    sku_ids: list[int] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    brand_ids: list[int] = field(default_factory=list)
    store_ids: list[int] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    weekdays: list[int] = field(default_factory=list)
    hour_from: int | None = None
    hour_to: int | None = None
    members_only: bool = False
    member_tiers: list[str] = field(default_factory=list)  # only for members of these tiers (普通/银卡/金卡)
    max_uses: str = ""
    per_customer: str = ""
    max_discount: str = ""
    exclusive: bool = False
    stackable: bool = False
    priority: int = 0
    margin_floor: str = ""
    needs_coupon: bool = False
    source: str = ""
    points_multiplier: str = ""  # 积分 ×N on the lines it applies to; blank: 1


def save(promotion: Promotion | None, data: PromotionInput, *, user: User | None) -> Promotion:
    """Create or change a promotion from the manager's input; raises before writing anything."""
    if promotion is not None and promotion.status == Status.STOPPED:
        raise errors.NotEditable(name=promotion.name)
    values = checked(data)
    if promotion is None:
        promotion = Promotion(status=Status.DRAFT.value, created_by_id=user.id if user else None)
        db.session.add(promotion)
    for key, value in values.items():
        setattr(promotion, key, value)
    db.session.flush()
    rules.forget()
    return promotion


def start(promotion: Promotion) -> None:
    if promotion.status == Status.STOPPED:
        raise errors.NotEditable(name=promotion.name)
    checked(as_input(promotion))  # a draft made elsewhere (a markdown) meets the same checks
    promotion.status = Status.ACTIVE.value
    db.session.flush()
    rules.forget()


def stop(promotion: Promotion) -> None:
    promotion.status = Status.STOPPED.value
    db.session.flush()
    rules.forget()


def checked(data: PromotionInput) -> dict:
    """The promotion's columns from the input, or the first thing wrong with it."""
    name = check_length((data.name or "").strip(), 80, "name")
    if not name:
        raise errors.NameRequired()
    if data.kind not in {k.value for k in Kind}:
        raise errors.UnknownKind()
    kind = Kind(data.kind)
    values = {"name": name, "kind": kind.value, "everything": bool(data.everything)}
    values.update(_scope(data, kind))
    values["params"] = _params(data, kind, values)
    tiers = sorted({str(t) for t in data.member_tiers} & MEMBER_TIERS)
    if tiers:
        values["params"]["member_tiers"] = tiers
    values.update(_when(data))
    values.update(_who_and_how(data))
    return values


def _scope(data: PromotionInput, kind: Kind) -> dict:
    skus, products, categories, brands = (sorted(set(map(int, ids))) for ids in (
        data.sku_ids, data.product_ids, data.category_ids, data.brand_ids))
    for model, ids, what in ((SKU, skus, "SKU"), (Product, products, "product"), (Category, categories, "category"),
                             (Brand, brands, "brand")):
        _all_exist(model, ids, what)
    if kind != Kind.BUNDLE and not (data.everything or skus or products or categories or brands):
        raise errors.NoScope()
    stores = sorted(set(map(int, data.store_ids)))
    _all_exist(Store, stores, "store")
    channels = sorted(set(data.channels))
    for channel in channels:
        if channel not in {c.value for c in Channel}:
            raise errors.UnknownChannel(channel=str(channel)[:20])
    return {"sku_ids": skus, "product_ids": products, "category_ids": categories, "brand_ids": brands,
            "store_ids": stores, "channels": channels}


def _params(data: PromotionInput, kind: Kind, values: dict) -> dict:
    if kind == Kind.THRESHOLD:
        tiers = [(t, s) for t, s in data.tiers if str(t).strip() or str(s).strip()]
        if not tiers:
            raise errors.NoTiers()
        parsed = []
        for threshold, saving in tiers:
            threshold, saving = money(threshold), money(saving)
            if threshold <= 0 or saving <= 0 or saving > threshold:
                raise errors.TierInvalid(threshold=threshold, saving=saving)
            parsed.append([str(threshold), str(saving)])
        parsed.sort(key=lambda tier: Decimal(tier[0]))
        return {"tiers": parsed[:1] if data.repeat else parsed, "repeat": bool(data.repeat)}
    if kind == Kind.PERCENT:
        return {"percent": str(_percent(data.percent))}
    if kind == Kind.FIXED_PRICE:
        price = money(data.price or "")
        if price < 0:
            raise errors.FixedPriceAboveList(price=price, name="—", list_price="0")
        for sku in _skus_in_scope(values):
            if price > sku.list_price:
                raise errors.FixedPriceAboveList(price=price, name=sku.display_name, list_price=sku.list_price)
        return {"price": str(price)}
    if kind == Kind.NTH_ITEM:
        nth = _whole(data.nth)
        if nth < 2:
            raise errors.NthInvalid(nth=nth)
        return {"nth": nth, "percent": str(_percent(data.percent))}
    if kind == Kind.BUY_GET:
        buy, free = _whole(data.buy), _whole(data.free)
        if buy < 1 or free < 1 or buy > 99 or free > 99:
            raise errors.BuyGetInvalid(buy=buy, free=free)
        return {"buy": buy, "free": free}
    bundle: dict[int, int] = {}
    for sku_id, qty in data.bundle:
        qty = _whole(qty)
        if qty > 0:
            bundle[int(sku_id)] = bundle.get(int(sku_id), 0) + qty
    if sum(bundle.values()) < 2:
        raise errors.BundleOfOne()
    _all_exist(SKU, sorted(bundle), "SKU")
    skus = {sku.id: sku for sku in db.session.scalars(select(SKU).where(SKU.id.in_(bundle)))}
    worth = sum((skus[sku_id].list_price * qty for sku_id, qty in bundle.items()), Decimal("0.00"))
    price = money(data.bundle_price or "")
    if price <= 0 or price >= worth:
        raise errors.BundlePriceInvalid(value=worth)
    return {"bundle": [[sku_id, qty] for sku_id, qty in sorted(bundle.items())], "bundle_price": str(price)}


def _when(data: PromotionInput) -> dict:
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        raise errors.EndsBeforeStart(starts=data.starts_at.strftime("%Y-%m-%d %H:%M"),
                                     ends=data.ends_at.strftime("%Y-%m-%d %H:%M"))
    weekdays = sorted({int(day) for day in data.weekdays})
    if any(day < 0 or day > 6 for day in weekdays):
        raise errors.HoursInvalid(hour_from="", hour_to="")
    hour_from, hour_to = data.hour_from, data.hour_to
    if (hour_from is None) != (hour_to is None) or (
            hour_from is not None and not (0 <= hour_from < hour_to <= 24)):
        raise errors.HoursInvalid(hour_from="" if hour_from is None else hour_from,
                                  hour_to="" if hour_to is None else hour_to)
    return {"starts_at": data.starts_at, "ends_at": data.ends_at, "weekdays": weekdays,
            "hour_from": hour_from, "hour_to": hour_to}


def _who_and_how(data: PromotionInput) -> dict:
    floor = None
    if str(data.margin_floor or "").strip():
        floor = money(data.margin_floor)
        if floor < 0 or floor >= HUNDRED:
            raise errors.FloorInvalid(floor=floor)
    max_discount = None
    if str(data.max_discount or "").strip():
        max_discount = money(data.max_discount)
        if max_discount <= 0:
            raise errors.BudgetInvalid(value=max_discount)
    return {"members_only": bool(data.members_only), "max_uses": _budget(data.max_uses),
            "per_customer": _budget(data.per_customer), "max_discount": max_discount,
            "exclusive": bool(data.exclusive), "stackable": bool(data.stackable) and not data.exclusive,
            "priority": max(-999, min(999, int(data.priority or 0))), "margin_floor": floor,
            "needs_coupon": bool(data.needs_coupon), "source": (data.source or "")[:40],
            "points_multiplier": points_multiplier(data.points_multiplier)}


POINTS_MULTIPLIERS = (Decimal(1), Decimal(10))


def points_multiplier(text) -> Decimal:
    """积分 ×N: from 1 to 10, whole or with one decimal (blank: 1, no extra points)."""
    text = str(text or "").replace("×", "").replace("x", "").replace("X", "").strip()[:20]
    if not text:
        return Decimal("1.00")
    try:
        value = to_decimal(text)
    except ValueError:
        raise errors.PointsMultiplierInvalid(value=text) from None
    low, high = POINTS_MULTIPLIERS
    if not low <= value <= high or value != value.quantize(Decimal("0.1")):
        raise errors.PointsMultiplierInvalid(value=text)
    return value.quantize(Decimal("0.01"))


def as_input(promotion: Promotion) -> PromotionInput:
    """A saved promotion as input again (to check it, or to copy it)."""
    params = promotion.params or {}
    return PromotionInput(
        name=promotion.name, kind=promotion.kind, tiers=[tuple(t) for t in params.get("tiers", [])],
        repeat=bool(params.get("repeat")), percent=params.get("percent", ""), price=params.get("price", ""),
        nth=str(params.get("nth", "2")), buy=str(params.get("buy", "")), free=str(params.get("free", "")),
        bundle=[tuple(b) for b in params.get("bundle", [])], bundle_price=params.get("bundle_price", ""),
        everything=promotion.everything, sku_ids=list(promotion.sku_ids), product_ids=list(promotion.product_ids),
        category_ids=list(promotion.category_ids), brand_ids=list(promotion.brand_ids or ()),
        store_ids=list(promotion.store_ids),
        channels=list(promotion.channels), starts_at=promotion.starts_at, ends_at=promotion.ends_at,
        weekdays=list(promotion.weekdays), hour_from=promotion.hour_from, hour_to=promotion.hour_to,
        members_only=promotion.members_only, max_uses=str(promotion.max_uses or ""),
        per_customer=str(promotion.per_customer or ""),
        max_discount=str(promotion.max_discount or ""), exclusive=promotion.exclusive,
        stackable=promotion.stackable, priority=promotion.priority,
        margin_floor=str(promotion.margin_floor) if promotion.margin_floor is not None else "",
        needs_coupon=promotion.needs_coupon, source=promotion.source,
        points_multiplier=str(promotion.points_multiplier or ""))


# ---------------------------------------------------------------- helpers


def _percent(value) -> Decimal:
    percent = to_decimal(value or "")
    if percent <= 0 or percent > HUNDRED or percent != percent.quantize(Decimal("0.01")):
        raise errors.PercentOutOfRange(percent=str(value)[:20])
    return percent.quantize(Decimal("0.01"))


def _whole(value) -> int:
    number = to_decimal(value if str(value).strip() else "0")
    if number != number.to_integral_value():
        raise errors.BuyGetInvalid(buy=str(value)[:10], free="")
    return int(number)


def _budget(value) -> int | None:
    if not str(value or "").strip():
        return None
    number = _whole(value)
    if number < 1:
        raise errors.BudgetInvalid(value=number)
    return number


WHAT = {"SKU": _l("SKU"), "product": _l("Product"), "category": _l("Category"), "brand": _l("Brand"),
        "store": _l("Store")}


def _all_exist(model, ids: list[int], what: str) -> None:
    if not ids:
        return
    found = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
    for missing in ids:
        if missing not in found:
            raise errors.UnknownScope(what=WHAT[what], value=missing)


def _skus_in_scope(values: dict) -> list[SKU]:
    """The SKUs a scope covers (for the list-price check of a special price)."""
    if values["everything"]:
        return list(db.session.scalars(select(SKU).where(SKU.active)))
    categories = rules.with_children(values["category_ids"], rules.children())
    conditions = []
    if values["sku_ids"]:
        conditions.append(SKU.id.in_(values["sku_ids"]))
    if values["product_ids"]:
        conditions.append(SKU.product_id.in_(values["product_ids"]))
    if categories:
        conditions.append(SKU.product_id.in_(select(Product.id).where(Product.category_id.in_(categories))))
    if values["brand_ids"]:
        conditions.append(SKU.product_id.in_(select(Product.id).where(Product.brand_id.in_(values["brand_ids"]))))
    return list(db.session.scalars(select(SKU).where(or_(*conditions))))


def save_chain_floor(text) -> Decimal | None:
    """The chain's default margin floor (%), for promotions without their own; blank: none."""
    from webapp.promotions.models import PromotionSettings

    text = str(text or "").replace("%", "").strip()[:20]
    floor = None
    if text:
        floor = money(text)
        if floor < 0 or floor >= HUNDRED:
            raise errors.FloorInvalid(floor=floor)
    row = db.session.scalar(select(PromotionSettings).order_by(PromotionSettings.id).limit(1))
    if row is None:
        row = PromotionSettings()
        db.session.add(row)
    row.margin_floor = floor
    row.updated_at = utcnow()
    db.session.flush()
    rules.forget()
    return floor
