"""The demo's transfer on its way and its near-expiry lot."""
from webapp.auth.models import Role
from webapp.demo.products import LOT, PACKAGED, DemoSku
from webapp.demo.transfers import NEAR_EXPIRY, ON_ITS_WAY, create_transfers
from webapp.stock import services as ledger
from webapp.stock.expiry.queries import near_expiry
from webapp.stock.transfers.queries import on_its_way_to


def test_the_demo_has_a_transfer_on_its_way_to_the_first_store_and_a_lot_near_its_date(
        make_store, make_sku, make_user):
    stores = {"HQ": make_store(code="HQ", kind="hq_warehouse"), "HZ01": make_store(code="HZ01")}
    skus = []
    for name, _qty in ON_ITS_WAY + [NEAR_EXPIRY[:2]]:
        lot = "牛奶" in name or "发酵乳" in name
        sku = make_sku(name=name, tracking="lot" if lot else "none")
        skus.append(DemoSku(sku, LOT if lot else PACKAGED, "2.00", 7 if lot else 0))
        if name != NEAR_EXPIRY[0]:
            ledger.receive(stores["HQ"], sku, 50, "2.00", user=None, document=("r", name),
                           lot_code="B1" if lot else None)
    users = {"admin": make_user(Role.HQ_ADMIN), "manager": make_user(Role.STORE_MANAGER, stores=[stores["HZ01"]])}
    create_transfers(stores, skus, users)
    [transfer] = on_its_way_to(stores["HZ01"])
    assert [line.sku.display_name for line in transfer.lines] == [name for name, _ in ON_ITS_WAY]
    assert [item.lot.code for item in near_expiry(stores["HZ01"])] == ["DEMO-NEAR"]
