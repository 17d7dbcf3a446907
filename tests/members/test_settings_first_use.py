"""The chain's member settings are one row, made on first use; two first uses at once must not fail a sale."""
from sqlalchemy import insert

from webapp.extensions import db
from webapp.members import cards
from webapp.members.models import MemberSettings


def test_a_first_use_that_loses_the_race_takes_the_row_the_other_request_made(monkeypatch):
    looked = []
    real_get = db.session.get

    def get_while_another_request_makes_the_row(model, ident, *args, **kwargs):
        if model is MemberSettings and not looked:  # our look finds nothing; then the other request commits
            looked.append(ident)
            with db.engine.connect() as other:
                other.execute(insert(MemberSettings.__table__).values(id=1, points_per_yuan_earned=7))
                other.commit()
            return None
        return real_get(model, ident, *args, **kwargs)

    monkeypatch.setattr(db.session, "get", get_while_another_request_makes_the_row)
    found = cards.settings()
    assert found.points_per_yuan_earned == 7  # the other request's row, not a failed sale
    db.session.commit()
    assert db.session.query(MemberSettings).count() == 1


def test_the_first_use_makes_the_row_with_the_defaults():
    found = cards.settings()
    db.session.commit()
    assert found.id == 1 and db.session.query(MemberSettings).count() == 1
