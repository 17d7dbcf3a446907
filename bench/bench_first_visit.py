"""What the first visit costs on the wire: the till and the shop, in a real Chromium, service worker included.

    .venv/bin/python -m bench.bench_first_visit

The demo chain is served (SQLite, a thread); a WSGI wrapper adds up the bytes of every response body
the server sends (compressed as the browser asked: Chromium asks for Brotli and gzip) and their
headers, so the service worker's own downloads count too. Two first visits, each in a new browser
profile: the cashier signs in and opens the till (its shift already open), and a
shopper opens the shop's home page. Each waits until its service worker is active and has
precached its shell. Goals: the till ≤ 150 KB in all; the shop only what the shop uses.
"""
import tempfile
import threading
import time
from collections import defaultdict

from playwright.sync_api import sync_playwright

from e2e.conftest import CHROMIUM_ARGS, system_chromium
from e2e.harness import serving
from webapp import create_app
from webapp.extensions import db


class Wire:
    """WSGI middleware: what each response puts on the wire (status line and headers roughly, body exactly)."""

    def __init__(self, app):
        self.app, self.lock, self.sent = app, threading.Lock(), []
        self.counting = False

    def __call__(self, environ, start_response):
        seen = {}

        def start(status, headers, exc_info=None):
            seen["head"] = len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            if self.counting:
                path = environ.get("PATH_INFO", "") + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
                with self.lock:
                    self.sent.append((path, seen.get("head", 0), size))

    def start(self):
        with self.lock:
            self.sent, self.counting = [], True

    def stop(self) -> list:
        with self.lock:
            self.counting = False
            return list(self.sent)


def demo_app(folder: str):
    from webapp.demo import load_demo
    from webapp.stock.services import ensure_locations

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.db", "SECRET_KEY": "first-visit",
                      "LOGIN_LIMIT": "100 per minute"})
    with app.app_context():
        db.create_all()
        ensure_locations()
        load_demo()
        db.session.commit()
    return app


def worker_ready(page) -> None:
    """The page's service worker is active (its install, with the precache, is done)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    time.sleep(1.0)  # and nothing else is still on its way


def visit(browser, base: str, wire: Wire, steps) -> list:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        steps(page, base, wire)
        worker_ready(page)
        return wire.stop()
    finally:
        context.close()


def till_visit(page, base, wire):
    wire.start()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("cashier")
    page.get_by_label("密码").fill("cashier-8888")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/pos/registers/{wire.register_id}")
    page.wait_for_load_state("networkidle")


def shop_visit(page, base, wire):
    wire.start()
    page.goto(f"{base}/shop/")
    page.wait_for_load_state("networkidle")


def report(name: str, sent: list, goal: str) -> None:
    total = sum(head + body for _p, head, body in sent)
    by_path = defaultdict(int)
    for path, head, body in sent:
        by_path[path.split("?")[0]] += head + body
    print(f"{name}: {total / 1024:.1f} KB on the wire in {len(sent)} responses ({goal})")
    for path, size in sorted(by_path.items(), key=lambda kv: -kv[1]):
        print(f"    {size / 1024:7.1f} KB  {path}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(folder)
        with app.app_context():
            from sqlalchemy import select

            from webapp.auth.models import User
            from webapp.pos import services as pos
            from webapp.pos.models import Register
            from webapp.pos.queries import open_shift_of
            from webapp.stores.models import Store

            register = db.session.scalar(select(Register).join(Store, Store.id == Register.store_id)
                                         .where(Store.code == "HZ01").order_by(Register.id).limit(1))
            if open_shift_of(register) is None:
                pos.open_shift(register, db.session.scalar(select(User).where(User.username == "cashier")), "200")
                db.session.commit()
            register_id = register.id
        wire = Wire(app.wsgi_app)
        wire.register_id = register_id
        app.wsgi_app = wire
        with serving(app) as base, sync_playwright() as p:
            executable = system_chromium()
            browser = p.chromium.launch(args=CHROMIUM_ARGS, **({"executable_path": executable} if executable else {}))
            try:
                report("till (a cashier signs in and opens the till)", visit(browser, base, wire, till_visit), "goal ≤ 150 KB")
                report("shop (a shopper's first visit)", visit(browser, base, wire, shop_visit),
                       "goal: only what the shop uses")
            finally:
                browser.close()


if __name__ == "__main__":
    main()
