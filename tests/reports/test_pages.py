"""The report pages: who may read which store, the pickers, the CSV files."""
from decimal import Decimal

import pytest

from tests.reports.conftest import sell
from webapp.auth.models import Role
from webapp.csvfile import read_rows
from webapp.stock import services as stock

PAGES = ["", "hot-sellers", "slow-sellers", "turnover", "turnover?by=category", "write-offs",
         "write-offs?by=month", "write-offs?by=category", "count-variances", "count-variances?by=category"]
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def two_stores(make_store, stocked):
    a, b = make_store(name="东门店"), make_store(name="西门店")
    tea = stocked(a, qty=10, cost="2.00", price="9.00", name="龙井茶", code="TEA-1")
    sell(a, tea, 3)
    stock.write_off(a, tea, 1, user=None, document=("write_off", "W1"))
    stock.adjust_to_count(a, tea, 5, user=None, document=("count", "C1"))
    stocked(b, qty=4, cost="5.00", name="月饼")
    return a, b, tea


def test_a_manager_reads_every_report_of_their_store_and_none_of_another(client, make_user, login, two_stores):
    a, b, _tea = two_stores
    login(make_user(Role.STORE_MANAGER, stores=[a]))
    for page in PAGES:
        assert client.get(f"/manage/reports/stores/{a.id}/{page}").status_code == 200, page
        assert client.get(f"/manage/reports/stores/{b.id}/{page}").status_code == 403, page
        assert client.get(f"/manage/reports/chain/{page}").status_code == 403, page
    assert client.get(f"/manage/reports/stores/{b.id}/hot-sellers?format=csv").status_code == 403


def test_a_cashier_reads_no_reports(client, make_user, login, two_stores):
    a, _b, _tea = two_stores
    login(make_user(Role.CASHIER, stores=[a]))
    assert client.get(f"/manage/reports/stores/{a.id}/hot-sellers").status_code == 403
    assert client.get("/manage/reports/").status_code == 403


def test_hq_reads_any_store_and_the_whole_chain(client, make_user, login, two_stores):
    a, b, _tea = two_stores
    login(make_user(Role.HQ_ADMIN))
    for page in PAGES:
        for url in (f"/manage/reports/stores/{a.id}/{page}", f"/manage/reports/stores/{b.id}/{page}",
                    f"/manage/reports/chain/{page}"):
            assert client.get(url).status_code == 200, url
    chain = client.get("/manage/reports/chain/slow-sellers", headers=ZH).get_data(as_text=True)
    assert "月饼" in chain and "龙井茶" in chain and "全部门店" in chain


def test_the_reports_link_takes_a_manager_to_their_store(client, make_user, login, two_stores):
    a, _b, _tea = two_stores
    login(make_user(Role.STORE_MANAGER, stores=[a]))
    home = client.get(f"/stock/stores/{a.id}", headers=ZH).get_data(as_text=True)
    assert 'href="/manage/reports/"' in home and "报表" in home
    response = client.get("/manage/reports/")
    assert response.status_code == 302 and response.location == f"/manage/reports/stores/{a.id}/"
    index = client.get(response.location, headers=ZH).get_data(as_text=True)
    assert "热销商品" in index and f'href="/manage/reports/stores/{a.id}/turnover?days=30"' in index


def test_the_store_picker_goes_to_the_same_report_for_the_chosen_store(client, make_user, login, two_stores):
    a, b, _tea = two_stores
    login(make_user(Role.HQ_ADMIN))
    assert client.get("/manage/reports/").location == "/manage/reports/chain/"
    response = client.get("/manage/reports/", query_string={"store": b.id, "report": "write_offs", "days": 90,
                                                            "by": "month"})
    assert response.location == f"/manage/reports/stores/{b.id}/write-offs?days=90&by=month"
    response = client.get("/manage/reports/", query_string={"store": "chain", "report": "turnover", "days": 7})
    assert response.location == "/manage/reports/chain/turnover?days=7"


def test_the_period_picker_marks_its_choice_and_nonsense_reads_as_30_days(client, make_user, login, two_stores):
    a, _b, _tea = two_stores
    login(make_user(Role.STORE_MANAGER, stores=[a]))
    page = client.get(f"/manage/reports/stores/{a.id}/hot-sellers?days=7&sort=value", headers=ZH).get_data(as_text=True)
    assert f'href="/manage/reports/stores/{a.id}/hot-sellers?days=7&amp;sort=value"\n       aria-current="page"' in page
    for nonsense in ("abc", "8", "-7"):
        page = client.get(f"/manage/reports/stores/{a.id}/hot-sellers?days={nonsense}&sort=x").get_data(as_text=True)
        assert 'days=30&amp;sort=quantity"\n       aria-current="page"' in page


def test_a_report_downloads_as_an_excel_friendly_csv_in_the_users_language(client, make_user, login, two_stores):
    a, _b, _tea = two_stores
    login(make_user(Role.STORE_MANAGER, stores=[a]))
    response = client.get(f"/manage/reports/stores/{a.id}/hot-sellers?days=7&format=csv", headers=ZH)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(f"attachment; filename=hot-sellers-{a.code}-7d-")
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark: Excel reads it as UTF-8
    rows = read_rows(data, ["SKU", "商品", "销量", "销售额", "毛利", "毛利率", "在库"])
    assert rows == [{"SKU": "TEA-1", "商品": "龙井茶", "销量": "3", "销售额": "27.00", "毛利": "21.00",
                     "毛利率": "77.8", "在库": "5"}]


def test_turnover_csv_says_no_sales_rather_than_infinity(client, make_user, login, two_stores):
    _a, b, _tea = two_stores
    login(make_user(Role.HQ_ADMIN))
    data = client.get(f"/manage/reports/stores/{b.id}/turnover?format=csv", headers=ZH).get_data()
    [row] = read_rows(data, ["商品", "周转天数"])
    assert (row["在库成本"], row["销售成本"], row["周转天数"]) == ("20.00", "0.00", "无销售")
    page = client.get(f"/manage/reports/stores/{b.id}/turnover", headers=ZH).get_data(as_text=True)
    assert "无销售" in page and "平均每日销售成本" in page


def test_write_off_and_count_csvs_have_a_row_per_week_and_a_total(client, make_user, login, two_stores):
    a, _b, _tea = two_stores
    login(make_user(Role.STORE_MANAGER, stores=[a]))
    rows = read_rows(client.get(f"/manage/reports/stores/{a.id}/write-offs?format=csv&by=month&days=7",
                                headers=ZH).get_data(), ["月份", "数量", "成本金额"])
    assert [r["数量"] for r in rows][-1] == "1" and rows[-1]["月份"] == "合计"
    assert sum(Decimal(r["成本金额"]) for r in rows[:-1]) == Decimal(rows[-1]["成本金额"]) == Decimal("2.00")
    rows = read_rows(client.get(f"/manage/reports/stores/{a.id}/count-variances?format=csv&by=week",
                                headers=ZH).get_data(), ["周", "盘盈", "盘亏", "盘亏金额", "净额"])
    assert (rows[-1]["周"], rows[-1]["盘亏"], rows[-1]["盘亏金额"], rows[-1]["净额"]) == ("合计", "1", "2.00", "-2.00")
    assert len(rows) in (6, 7)  # the weeks 30 days touch, and the total


def test_a_product_name_never_runs_as_a_formula_in_excel(client, make_store, make_user, login, stocked):
    store = make_store()
    stocked(store, name="=HYPERLINK(\"http://evil.example\")", code="X-1")
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    response = client.get(f"/manage/reports/stores/{store.id}/slow-sellers?format=csv",
                          headers={"Accept-Language": "en"})
    [row] = read_rows(response.get_data(), ["SKU", "Product", "On hand"])
    assert row["Product"] == "'=HYPERLINK(\"http://evil.example\")" and row["On hand"] == "10"

