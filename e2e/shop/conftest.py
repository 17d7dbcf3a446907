"""The customer's phone: 390×844, Chinese, the browser's position near Wulin Square in Hangzhou.

The shop's journeys run against a server and database of their own, so the
stores they open do not show up in the staff journeys that share the main one.
"""
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
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True,
            "has_touch": True, "geolocation": {"latitude": 30.2760, "longitude": 120.1620},
            "permissions": ["geolocation"]}


@pytest.fixture(scope="module")
def shop_app(tmp_path_factory):
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "pybabel"), "compile", "-d",
                    "webapp/translations"], check=True, capture_output=True, cwd=ROOT)
    path = tmp_path_factory.mktemp("e2e-shop") / "shop.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "e2e-shop"})
    with app.app_context():
        db.create_all()
        ensure_locations()
        db.session.commit()
    return app


@pytest.fixture(scope="module")
def shop_url(shop_app):
    server = make_server("127.0.0.1", 0, shop_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
