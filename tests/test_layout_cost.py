"""Every page's layout is cheap and reads exactly as before.

The layouts' fixed strings are translated through functions bound once per page to the request's catalogue
(``i18n.template_translations``), and their argument-less and static addresses are built once per process
(``web.layout_url_for``). These tests render the same pages with and without those shortcuts, in both
languages and for each kind of user, and hold the shortcuts to what they save.
"""
import pytest
from flask import g, render_template
from flask_login import login_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from markupsafe import Markup
from werkzeug.routing import MapAdapter

from webapp import i18n
from webapp.auth.models import Role
from webapp.extensions import db

PAGE = """{% extends LAYOUT %}
{% block content %}{% autoescape true %}
<p>{{ _("Till") }} · {{ gettext("Stock") }} · {{ _("100%% sure <b>") }}</p>
<p>{{ _("A text of %(length)s characters is too long here: at most %(limit)s. Nothing was saved.",
        length="<i>5</i>", limit=3) }}</p>
<p>{{ ngettext("%(num)s order", "%(num)s orders", 1) }} {{ ngettext("%(num)s order", "%(num)s orders", 3) }}</p>
<p>{{ url_for('static', filename='css/app.css') }} {{ url_for('shop.order', token='abc') }}</p>
{% endautoescape %}{% endblock %}"""


def rendered(app, layout: str, language: str, user=None, **environ) -> str:
    path = "/shop/orders" if layout.startswith("shop/") else "/admin"
    with app.test_request_context(path, headers={"Accept-Language": language}, **environ):
        g.__dict__.clear()  # the test's app context is reused: start as a request does (no language, no user)
        if user is not None:
            login_user(user)
        return app.jinja_env.from_string(PAGE).render(**_context(app, layout))


def _context(app, layout: str) -> dict:
    context = {"LAYOUT": layout}
    app.update_template_context(context)
    return context


@pytest.fixture
def plain(app):
    """The app as Flask and Flask-Babel set it up: every string and address looked up on every call, the nav
    rendered for every page."""

    def without_shortcuts():
        processors, globals_ = app.template_context_processors[None], app.jinja_env.globals
        shortcuts = {name: globals_[name] for name in ("url_for", "staff_nav", "csrf_token")}
        processors.remove(i18n.template_translations)
        globals_.update(url_for=app.url_for, staff_nav=lambda user: Markup(render_template("_nav.html", user=user)),
                        csrf_token=generate_csrf)
        return lambda: (processors.append(i18n.template_translations), globals_.update(shortcuts))

    return without_shortcuts


@pytest.mark.parametrize("layout", ["base.html", "shop/base.html"])
@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("role", [None, Role.CUSTOMER, Role.CASHIER, Role.STORE_MANAGER, Role.HQ_ADMIN])
def test_every_layout_reads_the_same_with_and_without_its_shortcuts(app, plain, make_user, make_store, layout,
                                                                     language, role):
    user = make_user(role, stores=[make_store()]) if role is not None else None
    db.session.commit()
    fast = rendered(app, layout, language, user)
    restore = plain()
    try:
        slow = rendered(app, layout, language, user)
    finally:
        restore()
    assert _without_csrf(fast) == _without_csrf(slow)
    assert ("收银" in fast) == (language == "zh-CN")  # the page speaks the request's language
    # as Jinja's own: a variable escaped, the string itself trusted markup, %% read as %
    assert "&lt;i&gt;5&lt;/i&gt;" in fast and "100% sure <b>" in fast
    assert "?v=" in fast  # the static file's content hash


def _without_csrf(page: str) -> str:
    import re

    return re.sub(r'(csrf[-_]token"? (content|value)=|X-CSRFToken": )"[^"]+"', "", page)


def test_a_page_looks_its_language_up_once_not_per_string(app, monkeypatch, make_user):
    import flask_babel

    user = make_user(Role.HQ_ADMIN)
    db.session.commit()
    rendered(app, "base.html", "zh-CN", user)  # the language's functions made once per process
    per_string, per_page = [], []
    looked_up = flask_babel.get_translations
    monkeypatch.setattr(flask_babel, "get_translations", lambda: per_string.append(1) or looked_up())
    monkeypatch.setattr(i18n, "get_translations", lambda: per_page.append(1) or looked_up())
    page = rendered(app, "base.html", "zh-CN", user)
    assert "总部" in page
    assert (len(per_string), len(per_page)) == (0, 1)


def test_the_layouts_addresses_are_built_once_per_process_and_per_script_root(app, monkeypatch, make_user):
    user = make_user(Role.HQ_ADMIN)
    db.session.commit()
    built = []
    build = MapAdapter.build
    monkeypatch.setattr(MapAdapter, "build", lambda self, endpoint, *a, **k: built.append(endpoint)
                        or build(self, endpoint, *a, **k))
    rendered(app, "base.html", "en", user)
    built.clear()
    page = rendered(app, "base.html", "en", user)
    # again: only what takes arguments (the language switch's next=, a token) and the PWA head's own two
    assert sorted(built) == sorted(["auth.choose_locale", "shop.order", "pwa.manifest", "pwa.staff_service_worker"])
    assert 'href="/stock/"' in page or 'href="/stock"' in page
    mounted = rendered(app, "base.html", "en", user, base_url="http://localhost/huotong/")
    assert '/huotong/static/css/app.css?v=' in mounted and 'href="/static/css/app.css' not in mounted


def test_each_role_sees_its_own_rooms_in_its_own_language(app, make_user, make_store):
    store = make_store()
    cashier, manager, hq = (make_user(role, stores=[store]) for role in (Role.CASHIER, Role.STORE_MANAGER,
                                                                         Role.HQ_ADMIN))
    db.session.commit()
    pages = {}
    for language, saved in (("zh-CN", "zh_CN"), ("en", "en")):
        for who in (cashier, manager, hq):
            who.locale = saved  # a user's saved language wins over the browser's
            pages[(who.role, language)] = rendered(app, "base.html", language, who)
    assert "Purchasing" not in pages[(Role.CASHIER, "en")] and "Dashboard" not in pages[(Role.CASHIER, "en")]
    assert "Dashboard" in pages[(Role.STORE_MANAGER, "en")] and "Users" not in pages[(Role.STORE_MANAGER, "en")]
    assert "Users" in pages[(Role.HQ_ADMIN, "en")] and "用户" in pages[(Role.HQ_ADMIN, "zh-CN")]
    assert "Stock" not in pages[(Role.HQ_ADMIN, "zh-CN")].split("<main")[0]


def test_the_pages_csrf_token_is_flask_wtfs_made_once_and_it_validates(app):
    with app.test_request_context("/admin"):
        g.__dict__.clear()
        token = app.jinja_env.globals["csrf_token"]()
        assert token == app.jinja_env.globals["csrf_token"]() == generate_csrf()
        validate_csrf(token)  # raises if not
