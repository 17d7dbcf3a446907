"""Every response forbids inline script (webapp/security.py), and no template or script needs it:
CSS in static/css, behaviour in static/js, data for scripts in data-* attributes or JSON blocks."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from webapp.auth.models import Role
from webapp.extensions import db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request.path} ({response.status_code}) has no Content-Security-Policy"
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


def assert_strict(response):
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"], response.request.path
    assert policy["style-src"] == ["'self'"], response.request.path
    assert "'unsafe-inline'" not in sum(policy.values(), []) and "'unsafe-eval'" not in sum(policy.values(), [])
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def pages_without_arguments(app):
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"})


def test_every_page_an_hq_admin_opens_forbids_inline_script(app, client, login, make_user, make_store):
    store = make_store()
    login(make_user(Role.HQ_ADMIN))
    paths = pages_without_arguments(app) + [
        f"/stock/stores/{store.id}", f"/stock/stores/{store.id}/counts/", f"/stock/stores/{store.id}/write-offs/",
        f"/stock/stores/{store.id}/transfers", f"/stock/stores/{store.id}/receiving",
        f"/manage/reports/stores/{store.id}/hot-sellers", f"/fulfil/stores/{store.id}/",
    ]
    assert len(paths) > 30
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        assert_strict(response)


def test_the_shop_the_till_and_their_files_forbid_inline_script(client, make_user, make_store, login):
    for path in ("/shop/", "/shop/search?q=kl", "/shop/cart", "/login", "/offline", "/sw.js",
                 "/static/js/app.js", "/static/css/app.css", "/no-such-page"):
        assert_strict(client.get(path))
    store = make_store()
    login(make_user(Role.CASHIER, stores=[store]))
    assert_strict(client.get("/pos/"))


def test_a_refusal_as_a_toast_forbids_inline_script_too(client):
    assert_strict(client.get("/no-such-page", headers={"HX-Request": "true"}))


def test_the_till_may_reach_its_bridge_on_the_loopback_only(client):
    connect = policy_of(client.get("/login"))["connect-src"]
    assert connect == ["'self'", "ws://127.0.0.1:*", "ws://localhost:*"]


class InlineCode(HTMLParser):
    """What in a template would run or style inline: script bodies, on* and hx-on attributes,
    javascript: addresses, style attributes and <style> blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith(("on", "hx-on", "data-hx-on")) or name == "style":
                self.found.append(f"<{tag} {name}=…> at line {self.getpos()[0]}")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=\"javascript:…\"> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        if tag == "script":
            self.script = {"json": attributes.get("type") == "application/json", "line": self.getpos()[0], "text": ""}

    def handle_data(self, data):
        if self.script is not None:
            self.script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            if self.script["text"].strip() and not self.script["json"]:
                self.found.append(f"inline <script> at line {self.script['line']}")
            self.script = None


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "templates")))
def test_no_template_holds_inline_script_or_style(template):
    source = re.sub(r"{#.*?#}", "", template.read_text(encoding="utf-8"), flags=re.S)  # Jinja comments
    parser = InlineCode()
    parser.feed(source)
    parser.close()
    assert not parser.found, parser.found


def test_the_templates_are_checked_at_all():
    names = {str(path.relative_to(ROOT / "templates")) for path in TEMPLATES}
    assert {"_skeleton.html", "base.html", "shop/base.html", "pos/till.html", "pwa/offline.html"} <= names
    parser = InlineCode()
    parser.feed('<button onclick="go()" style="x"></button><script>run()</script><a href="javascript:x">'
                '<form hx-on::after-request="x"></form><p data-hx-on:click="x"></p>'
                '<script type="application/json">{"a": 1}</script><script src="/static/js/app.js"></script>')
    assert len(parser.found) == 6


# Weights and map positions may be decimals in JS; money never is.
NOT_MONEY = re.compile(r"\bkg\b|coords\.")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_no_script_adds_money_in_floating_point(script):
    suspects = [line.strip() for line in script.read_text(encoding="utf-8").splitlines()
                if re.search(r"parseFloat\(|\.toFixed\(|\bNumber\(", line) and not NOT_MONEY.search(line)]
    assert not suspects, suspects


def test_the_page_tells_scripts_how_money_is_written(app, client):
    assert 'data-currency="¥"' in client.get("/login").get_data(as_text=True)
    app.config["CURRENCY"] = "USD"
    try:
        assert 'data-currency="US$"' in client.get("/login").get_data(as_text=True)
    finally:
        app.config["CURRENCY"] = "CNY"
    db.session.rollback()
