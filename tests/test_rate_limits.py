"""Rate limits (failed logins, manager PINs) live where RATELIMIT_STORAGE_URI says: in the process's
memory by default (one shop, one process), in Redis when several app servers must count together.

The Redis test starts a throwaway redis-server on a free port and runs each "app server" as a
process of its own, so nothing but Redis can carry the count from one to the other. Skipped where
no redis-server binary (or no `redis` Python package) is installed.
"""
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from limits.storage import MemoryStorage

from webapp import config as settings
from webapp.extensions import limiter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_rate_limits_are_kept_in_memory_unless_the_environment_names_a_storage(app, monkeypatch):
    assert settings.defaults("/tmp")["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limiter.storage, MemoryStorage)  # the app started with memory://
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://redis.internal:6379/0")
    assert settings.from_environment()["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379/0"


def test_behind_a_trusted_proxy_failed_logins_count_per_client_not_per_proxy(app, make_user, tmp_path):
    from webapp import create_app
    from webapp.auth.models import Role
    from webapp.extensions import db

    behind = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, "TRUSTED_PROXIES": 1,
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    try:
        make_user(Role.HQ_ADMIN, username="anna")
        db.session.commit()
        client = behind.test_client()

        def failed_login(address):
            return client.post("/login", data={"username": "anna", "password": "guess"},
                               headers={"X-Forwarded-For": address}).status_code

        assert [failed_login("203.0.113.7") for _ in range(6)] == [401] * 5 + [429]
        assert failed_login("198.51.100.20") == 401  # another shop's customer, through the same proxy
    finally:
        limiter.init_app(app)  # the suite's app holds the one limiter again (its own memory storage)


# One app server: its own process, its own app, the shared database and Redis from the environment.
APP_SERVER = """
import json, sys
from webapp import create_app
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.extensions import db, limiter

app = create_app({"TESTING": True, "SECRET_KEY": "shared", "WTF_CSRF_ENABLED": False, "LOGIN_LIMIT": "3 per minute"})
with app.app_context():
    if sys.argv[1] == "first":
        save_user(None, username="anna", display_name="Anna", role=Role.HQ_ADMIN, stores=[], password="secret-pass-1")
        db.session.commit()
    storage = type(limiter.storage).__name__
client = app.test_client()
codes = [client.post("/login", data={"username": "anna", "password": password}).status_code
         for password in sys.argv[2:]]
print(json.dumps({"storage": storage, "codes": codes}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if not server or importlib.util.find_spec("redis") is None:
        pytest.skip("redis-server or the redis Python package is not installed")
    port = _free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.kill()
        process.wait()


def _app_server(env: dict, *args: str) -> dict:
    import json

    done = subprocess.run([sys.executable, "-c", APP_SERVER, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_app_servers_count_failed_logins_together_in_redis_and_go_on_when_it_is_down(redis_url, database_url):
    url, redis_server = redis_url
    env = {**os.environ, "DATABASE_URL": database_url, "RATELIMIT_STORAGE_URI": url}  # the suite's database

    first = _app_server(env, "first", "guess-1", "guess-2")
    assert first == {"storage": "RedisStorage", "codes": [401, 401]}
    # Another server has never seen anna: the third failure is the limit all the same, then even the right password waits.
    second = _app_server(env, "second", "guess-3", "guess-4", "secret-pass-1")
    assert second == {"storage": "RedisStorage", "codes": [401, 429, 429]}

    redis_server.kill()
    redis_server.wait()
    # Redis gone: each server counts in its own memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), never a 500.
    third = _app_server(env, "third", "secret-pass-1")
    assert third["codes"] == [303]
