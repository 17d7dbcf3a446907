"""The demo's members: recharge rules (充500送50, 充1000送120), and the demo customer with a top-up of ¥500
paid in cash at the first store, points from an earlier visit, and a silver card."""
from datetime import timedelta

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import cards, wallet
from webapp.members.models import PointsEntry, PointsKind, PointsLot, Tier
from webapp.members.points import add_months
from webapp.sales.tenders import Tender
from webapp.stores.models import Store


def enrol_members(stores: dict[str, Store], users: dict[str, User]) -> None:
    wallet.save_rule("500", "50")
    wallet.save_rule("1000", "120")
    store = next(s for code, s in sorted(stores.items()) if s.kind != "hq_warehouse")
    customer = users["customer"]
    card = cards.card_of(customer, store)
    wallet.top_up(customer, "500", [Tender("cash", "500")], store=store, user=users["cashier"],
                  client_uuid="demo-top-up-1")
    card.growth, card.tier = 1280, Tier.SILVER.value
    earned = utcnow() - timedelta(days=300)
    for points, when in ((860, earned), (420, utcnow() - timedelta(days=20))):
        lot = PointsLot(customer_id=customer.id, points=points, left=points, earned_at=when,
                        expires_at=add_months(when, cards.settings().points_months))
        db.session.add(lot)
        db.session.add(PointsEntry(customer_id=customer.id, lot=lot, kind=PointsKind.EARN.value, points=points,
                                         reference=f"DEMO-{points}", created_at=when))
    db.session.flush()
