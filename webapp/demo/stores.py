"""The demo chain in Hangzhou: one distribution centre, two direct stores, one franchise store."""
from webapp.stores.models import Store, StoreKind
from webapp.stores.services import save_store

HQ_CODE = "HQ"
CITY = "杭州市"
STORE_HOURS = "07:00-23:00"

# code, name, kind, district, address, latitude, longitude, phone, opening hours
STORES = [
    (HQ_CODE, "货通杭州配送中心", StoreKind.HQ_WAREHOUSE, "余杭区",
     "杭州市余杭区仓前街道龙潭路8号货通物流园2号库", 30.2951, 119.9923, "0571-88612200", "06:00-18:00"),
    ("HZ01", "货通便利 文三路店", StoreKind.DIRECT, "西湖区",
     "杭州市西湖区文三路259号昌地火炬大厦1楼", 30.2776, 120.1338, "0571-88231056", STORE_HOURS),
    ("HZ02", "货通便利 星光大道店", StoreKind.DIRECT, "滨江区",
     "杭州市滨江区江南大道228号星光国际广场1幢103室", 30.2087, 120.2106, "0571-86695321", STORE_HOURS),
    ("HZ03", "货通便利 大关加盟店", StoreKind.FRANCHISE, "拱墅区",
     "杭州市拱墅区大关路177号大关苑东五苑底商", 30.3042, 120.1518, "0571-85307718", STORE_HOURS),
]


def create_stores() -> dict[str, Store]:
    """The four stores by code; the warehouse forbids negative stock, the shops sell what is in hand."""
    stores = {}
    for code, name, kind, district, address, lat, lng, phone, hours in STORES:
        stores[code] = save_store(
            None, code=code, name=name, kind=kind.value, city=CITY, district=district,
            address=address, latitude=lat, longitude=lng, phone=phone, opening_hours=hours,
            allow_negative_stock=kind != StoreKind.HQ_WAREHOUSE, active=True,
        )
    return stores
