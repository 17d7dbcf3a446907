"""The chain's member-growth settings (one row; the defaults when there is none) and the coupon
promotions the journeys and referral give, made on first use and then the managers' to edit."""
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.extensions import db
from webapp.numbers import money
from webapp.outreach.errors import SettingInvalid
from webapp.outreach.models import OutreachSettings
from webapp.promotions import editing
from webapp.promotions.models import Promotion, Status

WHOLE = {  # setting: (low, high)
    "cap_messages": (0, 50), "cap_days": (1, 90), "return_window_days": (0, 90), "win_back_days": (7, 365),
}


def current() -> OutreachSettings:
    found = db.session.scalar(select(OutreachSettings).order_by(OutreachSettings.id).limit(1))
    if found is None:
        found = OutreachSettings()
        db.session.add(found)
        db.session.flush()
    return found


def change(values: dict) -> OutreachSettings:
    """Set the whole-number settings and the referral reward; refused as a whole when one is wrong."""
    row = current()
    parsed = {}
    for name, (low, high) in WHOLE.items():
        raw = str(values.get(name, getattr(row, name))).strip()
        if not raw.isdigit() or len(raw) > 4 or not low <= int(raw) <= high:
            raise SettingInvalid(setting=name, low=low, high=high)
        parsed[name] = int(raw)
    reward = money(values.get("referral_reward", row.referral_reward))
    minimum = money(values.get("reward_minimum", row.reward_minimum))
    if reward <= 0 or minimum < reward:
        raise SettingInvalid(setting="referral_reward", low=1, high=minimum)
    if (reward, minimum) != (row.referral_reward, row.reward_minimum):
        row.referral_promotion_id = row.birthday_promotion_id = row.win_back_promotion_id = None
    for name, value in parsed.items():
        setattr(row, name, value)
    row.referral_reward, row.reward_minimum = reward, minimum
    db.session.flush()
    return row


def reward_promotion(kind: str) -> Promotion:
    """The running coupon promotion of a journey (``referral``, ``birthday``, ``win_back``): the reward off
    a basket of at least the minimum, anywhere; made and started when there is none."""
    row = current()
    column = f"{kind}_promotion_id"
    promotion = db.session.get(Promotion, getattr(row, column)) if getattr(row, column) else None
    if promotion is not None and promotion.status == Status.ACTIVE:
        return promotion
    names = {"referral": _("Referral reward"), "birthday": _("Birthday gift"), "win_back": _("We miss you")}
    data = editing.PromotionInput(
        name=f"{names[kind]} ¥{row.referral_reward}", kind="threshold",
        tiers=[(str(row.reward_minimum), str(row.referral_reward))], everything=True, needs_coupon=True,
        source=f"outreach:{kind}")
    promotion = editing.save(None, data, user=None)
    editing.start(promotion)
    setattr(row, column, promotion.id)
    db.session.flush()
    return promotion
