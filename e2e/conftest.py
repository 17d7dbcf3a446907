"""The end-to-end harness: the real app on a temporary database, served from a
thread, driven by Playwright in a real Chromium. Screenshots on failure land
in test-results/.
"""
import os
import shutil

import pytest

from e2e.harness import fresh_app, serving
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.extensions import db
from webapp.stock.services import ensure_locations
from webapp.stores.services import save_store

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ADMIN = ("admin", "admin-pass-1")


def system_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/lib/chromium/chromium", shutil.which("chromium") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium where there is one; otherwise Playwright's own browser."""
    executable = system_chromium()
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    return {**args, "executable_path": executable} if executable else args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1024, "height": 768}}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "main")
    with app.app_context():
        store = save_store(None, code="XH01", name="西湖一号店", kind="direct", city="杭州", district="西湖区")
        ensure_locations(store)
        save_user(None, username=ADMIN[0], display_name="总部管理员", role=Role.HQ_ADMIN, stores=[],
                  password=ADMIN[1])
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def base_url(live_app):
    with serving(live_app) as url:
        yield url


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(request, monkeypatch):
    """Fail a test whose pages break the Content-Security-Policy (webapp/security.py): Chromium reports
    every refused inline script, style or connection on the console of the page's context. Every context
    a test opens is watched (the `page` fixture's, `browser.new_context()`, a persistent profile)."""
    if not {"browser", "browser_type"} & set(request.fixturenames):
        yield
        return
    violations: list[str] = []

    def watch(context):
        context.on("console", lambda message: violations.append(f"{message.page.url if message.page else ''}: {message.text}")
                   if "Content Security Policy" in message.text else None)
        return context

    if "browser" in request.fixturenames:
        browser = request.getfixturevalue("browser")
        new_context = browser.new_context
        monkeypatch.setattr(browser, "new_context", lambda *args, **kwargs: watch(new_context(*args, **kwargs)))
    browser_type = request.getfixturevalue("browser_type")
    launch = browser_type.launch_persistent_context
    monkeypatch.setattr(browser_type, "launch_persistent_context",
                        lambda *args, **kwargs: watch(launch(*args, **kwargs)))
    yield
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def sign_in(page, base_url):
    def sign_in_as(username=ADMIN[0], password=ADMIN[1], username_label="用户名", password_label="密码", button="登录"):
        page.goto(f"{base_url}/login")
        page.get_by_label(username_label).fill(username)
        page.get_by_label(password_label).fill(password)
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state("networkidle")

    return sign_in_as


@pytest.fixture
def contexts(browser):
    """Browser contexts of a size a journey asks for (a phone, a tablet), closed at the end."""
    made = []

    def make(viewport, **options):
        context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
        made.append(context)
        return context.new_page()

    yield make
    for context in made:
        context.close()
