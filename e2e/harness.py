"""What every journey's server needs, once: a fresh app on its own SQLite file, served from a thread.

Journeys that must not see each other's stores (the shop, stock, fulfilment) each make their own
with ``fresh_app`` and serve it with ``serving``.
"""
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

from webapp import create_app
from webapp.extensions import db
from webapp.stock.services import ensure_locations

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def compile_translations() -> None:
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "pybabel"), "compile", "-d",
                    "webapp/translations"], check=True, capture_output=True, cwd=ROOT)


def fresh_app(tmp_path_factory, name: str, **config):
    """The app on a new SQLite file with its tables and the chain's locations."""
    compile_translations()
    path = tmp_path_factory.mktemp(f"e2e-{name}") / f"{name}.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": f"e2e-{name}",
                      "LOGIN_LIMIT": "100 per minute", **config})
    with app.app_context():
        db.create_all()
        ensure_locations()
        db.session.commit()
    return app


def app_with_hq(tmp_path_factory, name: str, admin: tuple[str, str]):
    """A fresh app with the harness's one store (XH01) and an HQ admin: for a journey that adds stores
    and goods of its own, so the others never see them."""
    from webapp.auth.models import Role
    from webapp.auth.services import save_user
    from webapp.stores.services import save_store

    app = fresh_app(tmp_path_factory, name)
    with app.app_context():
        store = save_store(None, code="XH01", name="西湖一号店", kind="direct", city="杭州", district="西湖区")
        ensure_locations(store)
        save_user(None, username=admin[0], display_name="总部管理员", role=Role.HQ_ADMIN, stores=[],
                  password=admin[1])
        db.session.commit()
    return app


@contextmanager
def serving(app) -> Iterator[str]:
    """The app served from a thread on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in at the staff login as a person would, and wait for where it lands."""
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
