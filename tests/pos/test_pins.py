"""Managers' PINs: a discount approved on the spot by a manager of this store, and no one else."""
import pytest
from sqlalchemy import select

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.pos import services
from webapp.pos.errors import InvalidPin, PinTaken, WrongPin
from webapp.pos.models import ManagerPin


def test_a_managers_pin_finds_that_manager_in_their_own_store_only(make_store, make_user):
    home, elsewhere = make_store(), make_store()
    manager = make_user(role=Role.STORE_MANAGER, stores=[home])
    services.set_pin(manager, "2468")
    assert services.approver_for(home, "2468") == manager
    assert services.approver_for(elsewhere, "2468") is None
    assert services.approver_for(home, "1357") is None


def test_an_hq_admins_pin_approves_in_every_store(make_store, make_user):
    admin = make_user(role=Role.HQ_ADMIN)
    services.set_pin(admin, "97531")
    assert services.approver_for(make_store(), "97531") == admin


def test_a_cashiers_or_a_former_managers_pin_approves_nothing(make_store, make_user):
    store = make_store()
    cashier = make_user(role=Role.CASHIER, stores=[store])
    former = make_user(role=Role.STORE_MANAGER, stores=[store], active=False)
    services.set_pin(cashier, "1111")
    services.set_pin(former, "2222")
    assert services.approver_for(store, "1111") is None and services.approver_for(store, "2222") is None


def test_a_wrong_pin_is_an_error_to_show(make_store):
    with pytest.raises(WrongPin):
        services.approve_with_pin(make_store(), "0000")


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", None])
def test_a_pin_is_4_to_8_digits(make_user, pin):
    with pytest.raises(InvalidPin):
        services.set_pin(make_user(role=Role.HQ_ADMIN), pin)


def test_two_managers_of_a_store_cannot_share_a_pin(make_store, make_user):
    store = make_store()
    first, second = (make_user(role=Role.STORE_MANAGER, stores=[store]) for _ in range(2))
    services.set_pin(first, "4321")
    with pytest.raises(PinTaken):
        services.set_pin(second, "4321")
    services.set_pin(first, "4321")  # one's own PIN again is fine
    services.set_pin(make_user(role=Role.STORE_MANAGER, stores=[make_store()]), "4321")  # another store


def test_a_pin_is_kept_hashed_and_can_be_changed(make_store, make_user):
    store = make_store()
    manager = make_user(role=Role.STORE_MANAGER, stores=[store])
    services.set_pin(manager, "8642")
    services.set_pin(manager, "8643")
    [row] = db.session.scalars(select(ManagerPin)).all()
    assert "8643" not in row.pin_hash
    assert services.approver_for(store, "8642") is None and services.approver_for(store, "8643") == manager
