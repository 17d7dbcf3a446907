"""What each kind of rule needs, drawn by hypothesis: shared by the engine's property tests and the replay's."""
from decimal import Decimal

from hypothesis import strategies as st

from webapp.promotions.engine import Tier


def kind_fields(draw, kind: str, fen) -> dict:
    """The fields a rule of this kind needs (threshold tiers, percent, price, buy/free, bundle)."""
    fields = {}
    if kind == "threshold":
        threshold = draw(fen)
        fields["tiers"] = (Tier(threshold, min(threshold, draw(fen))),)
        fields["repeat"] = draw(st.booleans())
    elif kind in ("percent", "nth_item"):
        fields["percent"] = Decimal(draw(st.integers(1, 100)))
        fields["nth"] = draw(st.integers(2, 4))
    elif kind == "fixed_price":
        fields["price"] = draw(fen)
    elif kind == "buy_get":
        fields["buy"], fields["free"] = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    else:
        fields["bundle"] = ((draw(st.integers(1, 4)), 1), (draw(st.integers(5, 8)), draw(st.integers(1, 2))))
        fields["bundle_price"] = draw(fen)
    return fields
