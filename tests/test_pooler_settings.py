"""DATABASE_POOLER (README: "Connection pooling"): what the engines get behind PgBouncer, and settings refused
at start with a clear reason. The app behind a real PgBouncer: tests/test_pgbouncer.py."""
import pytest

from webapp.config import engine_options, from_environment

PG = "postgresql+psycopg://huotong@127.0.0.1:6432/huotong"


def test_without_a_pooler_the_engine_options_are_as_configured():
    options = {"pool_size": 8}
    assert engine_options({"SQLALCHEMY_DATABASE_URI": PG, "SQLALCHEMY_ENGINE_OPTIONS": options}) == options


def test_behind_pgbouncer_psycopg_prepares_nothing_and_connections_are_pinged():
    options = engine_options({"SQLALCHEMY_DATABASE_URI": PG, "DATABASE_POOLER": "pgbouncer",
                              "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 3}}})
    assert options == {"connect_args": {"connect_timeout": 3, "prepare_threshold": None}, "pool_pre_ping": True}


def test_a_process_keeps_as_many_postgresql_connections_as_it_has_threads(monkeypatch):
    # fewer, and every request beyond them opens a PostgreSQL connection and closes it after
    assert engine_options({"SQLALCHEMY_DATABASE_URI": PG, "DATABASE_POOL_SIZE": 8}) == {"pool_size": 8}
    assert engine_options({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", "DATABASE_POOL_SIZE": 8}) == {}
    monkeypatch.setenv("DATABASE_POOL_SIZE", "12")
    assert from_environment()["DATABASE_POOL_SIZE"] == 12
    for wrong in ("0", "-3", "eight", "1000"):
        monkeypatch.setenv("DATABASE_POOL_SIZE", wrong)
        with pytest.raises(ValueError, match="DATABASE_POOL_SIZE must be a number of connections"):
            from_environment()


@pytest.mark.parametrize("config, reason", [
    ({"SQLALCHEMY_DATABASE_URI": PG, "DATABASE_POOLER": "pgpool"}, "DATABASE_POOLER must be one of pgbouncer"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", "DATABASE_POOLER": "pgbouncer"}, "needs PostgreSQL"),
])
def test_a_pooler_that_cannot_be_is_refused_at_start(config, reason):
    with pytest.raises(ValueError, match=reason):
        engine_options(config)


def test_the_pooler_and_the_counters_pool_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    monkeypatch.setenv("DATABASE_COUNTER_URL", "postgresql://huotong@pgbouncer:6432/huotong_counter")
    env = from_environment()
    assert env["DATABASE_POOLER"] == "pgbouncer"
    assert env["DATABASE_COUNTER_URL"] == "postgresql+psycopg://huotong@pgbouncer:6432/huotong_counter"
    monkeypatch.setenv("DATABASE_POOLER", "")
    assert from_environment()["DATABASE_POOLER"] is None
