"""The dashboard installs as its own app, and its pages open for the people who read them."""
import json

from tests.reports.conftest import sell
from webapp.auth.models import Role


def test_the_dashboard_is_an_installable_app_of_its_own(client, login, make_store, make_user, stocked):
    store = make_store()
    sell(store, stocked(store, price="9.00"), 2)
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    page = client.get("/manage/").get_data(as_text=True)
    assert 'href="/manage/manifest.webmanifest"' in page and "¥18.00" in page
    manifest = json.loads(client.get("/manage/manifest.webmanifest").get_data(as_text=True))
    assert (manifest["start_url"], manifest["scope"], manifest["orientation"]) == ("/manage/", "/manage/", "portrait")


def test_every_dashboard_page_opens_for_a_franchisee_with_two_stores(client, login, make_store, make_user, stocked):
    a, b = make_store(name="甲店"), make_store(name="乙店")
    sell(a, stocked(a, price="9.00"), 1)
    login(make_user(Role.FRANCHISEE, stores=[a, b]))
    for url in ("/manage/", "/manage/kpis", "/manage/kpis?days=7", "/manage/alerts", "/manage/refunds",
                "/manage/slow-sellers", f"/manage/?store={b.id}", "/manage/kpis/stockout?days=90"):
        assert client.get(url).status_code == 200, url
    ranking = client.get("/manage/").get_data(as_text=True)
    assert "门店排行" in ranking or "Store ranking" in ranking
