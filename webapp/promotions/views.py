"""The promotions room's screens (/manage/promotions) and what the till's and shop's pages ask it:
which promotions a sale got, and the nearest threshold it has not reached."""
from webapp.promotions import (
    forms,
    manage_views,  # noqa: F401  (the manager's screens)
    services,
)
from webapp.promotions.blueprint import bp


@bp.app_template_global()
def promotions_on(order) -> list:
    """The promotions stored with a sale, each with its saving (the till's panel, the receipt)."""
    pricing = getattr(order, "pricing", None)
    if pricing is not None:
        return pricing.promotions
    return services.savings_of(order) if order.id else []


@bp.app_template_global()
def promotion_hint(order):
    """The nearest threshold the sale has not reached (再买 ¥12 可减 ¥10), or None."""
    return services.hint_for(order) if order.lines else None


@bp.app_template_global()
def points_times(multiplier) -> str:
    """积分 ×N as shown: "2", "1.5" (blank for 1)."""
    return forms.multiplier_text(multiplier)
