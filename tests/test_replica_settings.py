"""The replica's settings: nothing changes without DATABASE_REPLICA_URL, nonsense is refused at start.

The replica itself (a real primary and hot standby) is tested in tests/test_replica.py."""
import pytest

from webapp import config as settings
from webapp import create_app
from webapp.auth.models import Role
from webapp.replica import replica_of


def test_without_a_replica_reports_read_the_primary_and_say_nothing_about_it(app, client, make_store, make_user,
                                                                              login):
    store = make_store()
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    assert replica_of(app) is None
    for url in (f"/manage/reports/stores/{store.id}/hot-sellers", "/manage/", "/manage/kpis"):
        page = client.get(url, headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 200 and "data-read-from" not in page.get_data(as_text=True)


def test_the_replica_and_its_bounds_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reports@db-replica/huotong")
    monkeypatch.setenv("REPLICA_MAX_LAG_SECONDS", "12.5")
    env = settings.from_environment()
    assert env["DATABASE_REPLICA_URL"] == "postgresql+psycopg://reports@db-replica/huotong"
    assert env["REPLICA_MAX_LAG_SECONDS"] == 12.5
    assert settings.defaults("/tmp")["REPLICA_MAX_LAG_SECONDS"] == 30


@pytest.mark.parametrize("value", ["-1", "soon", "1e9", "nan"])
def test_a_nonsense_lag_bound_stops_the_start_with_a_clear_reason(monkeypatch, value):
    monkeypatch.setenv("REPLICA_MAX_LAG_SECONDS", value)
    with pytest.raises(ValueError, match="REPLICA_MAX_LAG_SECONDS must be a number of seconds"):
        settings.from_environment()


def test_a_replica_needs_postgresql_on_both_sides(tmp_path):
    with pytest.raises(RuntimeError, match="DATABASE_REPLICA_URL needs PostgreSQL"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                    "DATABASE_REPLICA_URL": "postgresql+psycopg://reports@127.0.0.1:1/huotong"})
