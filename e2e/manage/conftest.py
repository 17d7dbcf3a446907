"""The manager's journey runs against an app and database of its own: it makes a store, and the
shared harness's other journeys expect the one store they were given."""
import os
import subprocess
import sys
import threading

import pytest
from werkzeug.serving import make_server

from webapp import create_app
from webapp.extensions import db
from webapp.stock.services import ensure_locations

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "pybabel"), "compile", "-d",
                    "webapp/translations"], check=True, capture_output=True, cwd=ROOT)
    path = tmp_path_factory.mktemp("e2e-manage") / "manage.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "e2e-manage",
                      "LOGIN_LIMIT": "100 per minute"})
    with app.app_context():
        db.create_all()
        ensure_locations()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
