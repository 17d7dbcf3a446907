"""Server-rendered SVG charts: the geometry here, the drawing in templates/manage/_charts.html.

No JavaScript and no floats in the money: the figures stay Decimals for the numbers shown; only
the bars' pixel sizes are computed as plain numbers.
"""
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 360, 150
PLOT_TOP, PLOT_BOTTOM, PLOT_LEFT = 8, 128, 4
SLOT = (WIDTH - PLOT_LEFT) / 24


@dataclass(frozen=True)
class HourBar:
    hour: int
    today: Decimal
    last_week: Decimal
    x: float
    width: float
    today_y: float
    today_height: float
    week_y: float
    week_height: float


def hour_bars(hours: list[tuple[int, Decimal, Decimal]], now_hour: int) -> list[HourBar]:
    """Today's sales per hour (up to now) over last week's same weekday (the whole day)."""
    top = max([max(today, week) for _h, today, week in hours] + [Decimal("1")])
    plot = PLOT_BOTTOM - PLOT_TOP
    bars = []
    for hour, today, week in hours:
        today_height = float(today / top) * plot if hour <= now_hour else 0.0
        week_height = float(week / top) * plot
        bars.append(HourBar(hour, today, week, round(PLOT_LEFT + hour * SLOT, 1), round(SLOT, 1),
                            round(PLOT_BOTTOM - today_height, 1), round(today_height, 1),
                            round(PLOT_BOTTOM - week_height, 1), round(week_height, 1)))
    return bars


@dataclass(frozen=True)
class ShareBar:
    label: object
    amount: Decimal
    count: int
    percent: Decimal  # of the whole, to one decimal
    width: float  # of the bar, 0–100


def share_bars(shares, label_of=lambda key: key) -> list[ShareBar]:
    whole = sum((s.amount for s in shares), Decimal("0"))
    if whole <= 0:
        return []
    return [ShareBar(label_of(s.key), s.amount, s.count, (s.amount * 100 / whole).quantize(Decimal("0.1")),
                     round(float(s.amount / whole) * 100, 1)) for s in shares if s.amount > 0]
