"""Stock journeys get a server and database of their own: the stores and stock they make never
show up in the other journeys' pages (the HQ journey expects its one store)."""
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


@pytest.fixture(scope="module")
def stock_app(tmp_path_factory):
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "pybabel"), "compile", "-d",
                    "webapp/translations"], check=True, capture_output=True, cwd=ROOT)
    path = tmp_path_factory.mktemp("e2e-stock") / "stock.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "e2e-stock",
                      "LOGIN_LIMIT": "100 per minute"})
    with app.app_context():
        db.create_all()
        ensure_locations()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def stock_url(stock_app):
    server = make_server("127.0.0.1", 0, stock_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
