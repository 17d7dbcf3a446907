"""Reports for any two dates: ?from=&to= (local days, both included), kept by every link and the CSV."""
from datetime import timedelta

from tests.reports.conftest import backdate, sell
from webapp.auth.models import Role
from webapp.clock import utcnow
from webapp.reports.periods import Period


def test_a_date_range_covers_whole_local_days_both_included(app, make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, price="9.00")
    now = utcnow()
    backdate(order=sell(store, tea, 1), when=now - timedelta(days=10))
    backdate(order=sell(store, tea, 2), when=now - timedelta(days=3))
    period = Period.last_days(1)
    first, last = period.last_day - timedelta(days=12), period.last_day - timedelta(days=5)
    chosen = Period.between(first, last)
    assert (chosen.days, chosen.custom) == (8, True)
    from webapp.extensions import db
    from webapp.reports import sellers
    [row] = sellers.rows(db.session.execute(sellers.hot_sellers(store, chosen)))
    assert row.sold == 1  # the sale 10 days ago; not the one 3 days ago


def test_the_report_page_keeps_the_range_in_its_links_and_csv(client, login, make_store, make_user, stocked):
    store = make_store(code="DR1")
    sell(store, stocked(store, qty=10, price="9.00"), 1)
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    today = Period.last_days(1).last_day
    first = (today - timedelta(days=2)).isoformat()
    url = f"/manage/reports/stores/{store.id}/hot-sellers?from={first}&to={today.isoformat()}"
    page = client.get(url).get_data(as_text=True)
    assert f"from={first}" in page and "format=csv" in page and f'value="{first}"' in page
    csv = client.get(url + "&format=csv")
    assert csv.status_code == 200 and f"-{first.replace('-', '')}-" in csv.headers["Content-Disposition"]
    picked = client.get(f"/manage/reports/?store={store.id}&report=turnover&from={first}&to={today.isoformat()}")
    assert f"from={first}" in picked.location


def test_nonsense_dates_fall_back_to_the_last_30_days(client, login, make_store, make_user):
    store = make_store()
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    for query in ("from=2026-13-01&to=2026-12-01", "from=abc&to=def", "from=2026-12-05&to=2026-12-01",
                  "from=1900-01-01&to=1900-01-02", "from=2000-01-01&to=2030-01-01", "from=-&to=x"):
        response = client.get(f"/manage/reports/stores/{store.id}/hot-sellers?{query}")
        assert response.status_code == 200 and 'aria-current="page">30' in response.get_data(as_text=True)
