"""The promotion form: what the manager posted, read into a ``PromotionInput`` the service checks.

Only reading happens here (texts, ticks, SKU codes to ids, local times to UTC);
every rule about what makes a good promotion is in ``editing.checked``.
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.promotions import errors
from webapp.promotions.editing import PromotionInput
from webapp.promotions.models import Promotion
from webapp.stores.models import Store
from webapp.web import LARGEST_ID

TIER_ROWS = 3
BUNDLE_ROWS = 4
LIMIT = 200  # characters of any one field


class BadDate(errors.InvalidPromotion):
    field = "starts_at"
    message = _l("%(value)s is not a date and time.")


class StoreNotYours(errors.InvalidPromotion):
    field = "stores"
    message = _l("Choose stores you manage.")


class UnknownCode(errors.InvalidPromotion):
    field = "scope"
    message = _l("There is no SKU with the code %(code)s.")


def text(form, name: str) -> str:
    value = (form.get(name) or "").replace("\x00", "").strip()
    return value[:LIMIT]


def read(form, user: User, kind: str) -> PromotionInput:
    """The manager's input; a store they do not manage, an unknown code or a bad date is refused here."""
    data = PromotionInput(
        name=text(form, "name"), kind=kind, repeat=bool(form.get("repeat")), percent=text(form, "percent"),
        price=text(form, "price"), nth=text(form, "nth") or "2", buy=text(form, "buy"), free=text(form, "free"),
        bundle_price=text(form, "bundle_price"), everything=bool(form.get("everything")),
        members_only=bool(form.get("members_only")), member_tiers=form.getlist("member_tiers")[:3],
        max_uses=text(form, "max_uses"),
        per_customer=text(form, "per_customer"), max_discount=text(form, "max_discount"),
        exclusive=bool(form.get("exclusive")), stackable=bool(form.get("stackable")),
        margin_floor=text(form, "margin_floor"), needs_coupon=bool(form.get("needs_coupon")),
        points_multiplier=text(form, "points_multiplier"))
    data.tiers = [(text(form, f"spend{i}"), text(form, f"save{i}")) for i in range(TIER_ROWS)]
    data.bundle = [(_sku_id(code), text(form, f"bundle_qty{i}") or "1")
                   for i, code in ((i, text(form, f"bundle_code{i}")) for i in range(BUNDLE_ROWS)) if code]
    data.sku_ids = [_sku_id(code) for code in text(form, "sku_codes").replace("，", ",").replace(",", " ").split()]
    data.category_ids = _ids(form.getlist("category"))
    data.brand_ids = _ids(form.getlist("brand"))
    data.store_ids = _ids(form.getlist("store"))
    if not user.is_hq:
        mine = {store.id for store in user.stores}
        if not data.store_ids:
            data.store_ids = sorted(mine)
        if not set(data.store_ids) <= mine or not data.store_ids:
            raise StoreNotYours()
    data.channels = [c for c in form.getlist("channel") if c in ("pos", "shop")]
    data.starts_at, data.ends_at = _when(text(form, "starts_at")), _when(text(form, "ends_at"))
    data.weekdays = [d for d in _ids(form.getlist("weekday"), low=0) if d <= 6]
    data.hour_from, data.hour_to = _hour(text(form, "hour_from")), _hour(text(form, "hour_to"))
    data.priority = _hour(text(form, "priority"), limit=999) or 0
    return data


def filled(promotion: Promotion | None) -> dict:
    """The form's values for an existing promotion (or an empty form)."""
    if promotion is None:
        return {"channel": ["pos", "shop"], "nth": "2", "percent": ""}
    params = promotion.params or {}
    values = {"name": promotion.name, "repeat": params.get("repeat"), "percent": params.get("percent", ""),
              "price": params.get("price", ""), "nth": params.get("nth", "2"), "buy": params.get("buy", ""),
              "free": params.get("free", ""), "bundle_price": params.get("bundle_price", ""),
              "everything": promotion.everything, "members_only": promotion.members_only,
              "member_tiers": params.get("member_tiers", []),
              "max_uses": promotion.max_uses or "", "per_customer": promotion.per_customer or "",
              "max_discount": promotion.max_discount or "", "exclusive": promotion.exclusive,
              "stackable": promotion.stackable, "priority": promotion.priority or "",
              "margin_floor": "" if promotion.margin_floor is None else promotion.margin_floor,
              "needs_coupon": promotion.needs_coupon, "category": promotion.category_ids,
              "points_multiplier": multiplier_text(promotion.points_multiplier),
              "brand": promotion.brand_ids or [],
              "store": promotion.store_ids, "channel": promotion.channels, "weekday": promotion.weekdays,
              "hour_from": "" if promotion.hour_from is None else promotion.hour_from,
              "hour_to": "" if promotion.hour_to is None else promotion.hour_to,
              "starts_at": _local_text(promotion.starts_at), "ends_at": _local_text(promotion.ends_at)}
    codes = dict(db.session.execute(select(SKU.id, SKU.code).where(
        SKU.id.in_(promotion.sku_ids + [sku_id for sku_id, _ in params.get("bundle", [])]))).all())
    values["sku_codes"] = " ".join(codes.get(sku_id, "") for sku_id in promotion.sku_ids)
    for i, (tier) in enumerate(params.get("tiers", [])[:TIER_ROWS]):
        values[f"spend{i}"], values[f"save{i}"] = tier
    for i, (sku_id, qty) in enumerate(params.get("bundle", [])[:BUNDLE_ROWS]):
        values[f"bundle_code{i}"], values[f"bundle_qty{i}"] = codes.get(sku_id, ""), qty
    return values


def multiplier_text(multiplier) -> str:
    """积分 ×N as the form shows it: "2", "1.5"; blank for 1 (no extra points)."""
    if multiplier is None or multiplier == 1:
        return ""
    return f"{multiplier.normalize():f}"


def stores_for(user: User) -> list[Store]:
    if user.is_hq:
        return list(db.session.scalars(select(Store).where(Store.active).order_by(Store.code)))
    return sorted(user.stores, key=lambda store: store.code)


def _sku_id(code: str) -> int:
    sku_id = db.session.scalar(select(SKU.id).where(SKU.code == code[:40]))
    if sku_id is None:
        raise UnknownCode(code=code[:40])
    return sku_id


def _ids(values, low: int = 1) -> list[int]:
    found = []
    for value in values:
        try:
            number = int(str(value).strip())
        except ValueError:
            continue
        if low <= number <= LARGEST_ID:
            found.append(number)
    return found


def _hour(value: str, limit: int = 24) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise errors.HoursInvalid(hour_from=value[:10], hour_to="") from None
    if not -limit <= number <= limit:
        raise errors.HoursInvalid(hour_from=value[:10], hour_to="")
    return number


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))


def _when(value: str) -> datetime | None:
    """A datetime-local field (the store's wall clock) as naive UTC."""
    if not value:
        return None
    try:
        local = datetime.fromisoformat(value[:19])
    except ValueError:
        raise BadDate(value=value[:30]) from None
    if local.year < 2000 or local.year > 2100:
        raise BadDate(value=value[:30])
    return local.replace(tzinfo=_zone()).astimezone(UTC).replace(tzinfo=None)


def _local_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(_zone()).strftime("%Y-%m-%dT%H:%M")


def local(moment: datetime | None) -> str:
    return _local_text(moment).replace("T", " ")


class NumberInvalid(errors.InvalidPromotion):
    field = "days"
    message = _l("Give a whole number from %(low)s to %(high)s (got %(value)s).")


def read_store_ids(form, user: User) -> list[int]:
    """The stores ticked (HQ: none means every store; a manager: none means all theirs, others refused)."""
    ids = _ids(form.getlist("store"))
    if user.is_hq:
        return ids
    mine = {store.id for store in user.stores}
    if not set(ids) <= mine:
        raise StoreNotYours()
    return ids or sorted(mine)


def whole(value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise NumberInvalid(low=low, high=high, value=str(value)[:10]) from None
    if not low <= number <= high:
        raise NumberInvalid(low=low, high=high, value=number)
    return number


def percent(value):
    from webapp.numbers import money

    floor = money(str(value).strip()[:12])
    if floor < 0 or floor >= 100:
        raise errors.FloorInvalid(floor=floor)
    return floor
