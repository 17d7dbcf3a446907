"""What every request pays, whatever its page, stays small — and keeps every guarantee.

The fixed part of a request sends no statement of its own: nothing for an address nobody answers, nothing
to learn the user's language, nothing for the user on a request that does not ask who they are, and the
user with the stores they work in in one statement when a page checks the role and the store. Counted with
SQLAlchemy's cursor events over real requests (a fresh session each, as a request has); SQLite's BEGIN is
not a statement of the page's. ``python -m bench.bench_request`` prints the CPU beside these counts.
"""
import os
import subprocess
import sys
from contextlib import contextmanager

from sqlalchemy import event

from webapp.auth.models import Role
from webapp.extensions import db, limiter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextmanager
def counted():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            statements.append(" ".join(statement.split()))

    db.session.expunge_all()  # as a request starts: nothing known yet
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def speaks_english(user):
    user.locale = "en"  # saved by the language switch
    return user


def test_an_address_nobody_answers_costs_no_statement(client):
    with counted() as statements:
        response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)
    assert statements == []


def test_the_health_check_asks_the_database_once_and_says_ok(client):
    with counted() as statements:
        response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == ["SELECT 1"]


def test_a_request_that_does_not_ask_who_is_signed_in_never_loads_them(client, make_user, login):
    login(make_user(Role.HQ_ADMIN))
    with counted() as statements:
        assert client.get("/healthz").status_code == 200
    assert statements == ["SELECT 1"]


def test_a_staff_page_has_the_user_and_their_stores_from_one_statement(client, login, till):
    login(till.cashier)
    with counted() as statements:
        response = client.get(f"/pos/registers/{till.register.id}/search?q=", headers={"HX-Request": "true"})
    assert response.status_code == 200
    about_the_user = [s for s in statements if "FROM users" in s or "staff_stores" in s]
    assert len(about_the_user) == 1, "\n".join(statements)
    assert "staff_stores" in about_the_user[0]  # the store check needs no second look-up
    assert len(statements) <= 2, "\n".join(statements)  # the user, the register


def test_another_users_store_is_still_refused(client, login, make_user, make_store, till):
    login(make_user(Role.CASHIER, stores=[make_store()]))
    assert client.get(f"/pos/registers/{till.register.id}/search?q=", headers={"HX-Request": "true"}).status_code == 403


def test_a_signed_in_users_language_is_known_without_a_statement(client, make_user, login):
    """A refusal before any view (a NUL in the address) speaks the user's saved language, loading nobody."""
    login(speaks_english(make_user(Role.HQ_ADMIN)))
    with counted() as statements:
        response = client.get("/no-such-page?q=%00", headers={"HX-Request": "true", "Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert statements == []


def test_the_saved_language_follows_the_user_to_a_new_browser_and_the_switch_changes_it(app, client, make_user,
                                                                                         login):
    user = speaks_english(make_user(Role.HQ_ADMIN))
    login(user)  # a browser that says Chinese: the user's saved choice wins
    assert "Not found" in client.get("/no-such-page", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    client.post("/locale", data={"locale": "zh_CN"})
    assert "Not found" not in client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "zh_CN"


def test_a_session_signed_in_before_the_language_was_kept_in_it_still_speaks_the_users_language(client, make_user,
                                                                                                 login):
    login(speaks_english(make_user(Role.HQ_ADMIN)))
    with client.session_transaction() as session:
        session.pop("locale")  # as a session from before this release
    response = client.get("/no-such-page?q=%00", headers={"HX-Request": "true", "Accept-Language": "zh-CN"})
    assert "NUL character" in response.get_data(as_text=True)


def test_fragments_and_guests_pages_do_not_load_the_user_for_the_templates(app):
    """Flask-Login's context processor (which loads the user for every render) is not installed: templates reach
    the user through the proxy, only when they read it."""
    from flask_login.utils import _user_context_processor

    assert _user_context_processor not in app.template_context_processors[None]
    assert app.jinja_env.globals["current_user"] is not None


def test_rate_limits_on_views_still_count_without_the_check_before_every_request(app, client, make_user):
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    make_user(Role.HQ_ADMIN, username="anna")
    db.session.commit()
    answers = [client.post("/login", data={"username": "anna", "password": "wrong"}).status_code for _ in range(6)]
    assert answers[-1] == 429, answers


def test_an_app_wide_limit_brings_the_check_before_every_request_back():
    """Configured in a process of its own (the limiter is one per process)."""
    script = (
        "from webapp import create_app\n"
        "from webapp.extensions import limiter\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x', 'TESTING': True,\n"
        "                  'RATELIMIT_DEFAULT': '2 per minute'})\n"
        "assert limiter._check_request_limit in app.before_request_funcs[None]\n"
        "client = app.test_client()\n"
        "print([client.get('/healthz').status_code for _ in range(3)])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[200, 200, 429]"


def test_warming_compiles_every_template_once_and_they_all_stay_compiled(app):
    from webapp import warm

    warm(app)
    names = app.jinja_env.list_templates(extensions=["html"])
    assert len(names) < app.jinja_env.cache.capacity  # none is ever dropped and compiled again
    assert all(app.jinja_env.cache.get((weakref_loader(app), name)) is not None for name in names)


def weakref_loader(app):
    import weakref

    return weakref.ref(app.jinja_env.loader)


def test_compiled_templates_are_kept_for_the_next_process_and_a_folder_that_refuses_them_breaks_nothing(tmp_path):
    from jinja2 import DictLoader, Environment

    from webapp import CompiledTemplates

    folder = tmp_path / "jinja"
    folder.mkdir()
    first = Environment(loader=DictLoader({"a.html": "{{ 1 + 1 }}"}), bytecode_cache=CompiledTemplates(str(folder)))
    assert first.get_template("a.html").render() == "2"
    assert len(list(folder.iterdir())) == 1  # the next process loads this instead of compiling
    not_a_folder = tmp_path / "jinja-file"
    not_a_folder.write_text("")  # no bytecode can be written here (nor in a full or read-only folder)
    refused = Environment(loader=DictLoader({"b.html": "{{ 2 + 2 }}"}),
                          bytecode_cache=CompiledTemplates(str(not_a_folder)))
    assert refused.get_template("b.html").render() == "4"


def test_gunicorn_serves_the_app_with_the_production_settings(database_url, tmp_path):
    """scripts/gunicorn.conf.py: the app preloaded and warmed in the master, answered by its workers."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test", "BIND": f"127.0.0.1:{port}",
           "WEB_WORKERS": "1", "WEB_THREADS": "2"}
    server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c",
                               os.path.join(ROOT, "scripts", "gunicorn.conf.py"), "webapp:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, answer = time.monotonic() + 90, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
            except OSError:
                time.sleep(0.3)
        assert answer == b"ok\n", server.stdout.read() if server.poll() is not None else "no answer"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "1 workers × 2 threads" in output


def test_the_health_check_writes_no_cookie_and_says_when_the_database_does_not_answer(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    assert "Set-Cookie" not in client.get("/healthz").headers

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "database unreachable\n")


def test_a_guest_asked_who_they_are_leaves_the_session_and_its_cookie_alone(client):
    """A guest's session (their language, a form's CSRF token) is not rewritten because a page asked who is signed
    in: no fingerprint, no "not fresh" mark, no Set-Cookie (a flash sale's refused buyers are guests)."""
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = client.get("/admin")  # asks who is signed in: nobody, so to the sign-in page
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers
    with client.session_transaction() as session:
        assert dict(session) == {"locale": "en"}


def test_a_signed_in_session_is_still_protected_and_its_user_still_loaded(client, make_user, login):
    login(make_user(Role.HQ_ADMIN))
    with client.session_transaction() as session:
        assert session["_fresh"] is True and session["_id"]
    response = client.get("/admin", headers={"User-Agent": "another browser"})  # the cookie carried elsewhere
    assert response.status_code == 200  # still signed in (basic protection) ...
    with client.session_transaction() as session:
        assert session["_fresh"] is False  # ... but no longer fresh: a fresh login is asked where it matters
