"""Small helpers every view uses: page-or-fragment rendering and htmx redirects (the few lines of
htmx's request and response headers the project needs, instead of a half-used library)."""
from flask import Flask, g, make_response, redirect, render_template, request
from flask.globals import _cv_request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1
MOST_ADDRESSES = 2000  # addresses layout_url_for keeps per process


class BoundedInt(IntegerConverter):
    """<int:...> in URLs, refused (404) beyond what a database id can be."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def int_arg(name: str, default: int | None = None) -> int | None:
    """A whole-number query argument (?page=2); nonsense or out of range reads as the default."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= LARGEST_ID else default


def form_id(name: str) -> int | None:
    """An id posted in a form (a SKU, a store); nonsense, or a number no row can have, reads as None."""
    value = request.form.get(name, type=int)
    return value if value is not None and 0 < value <= LARGEST_ID else None


def writes(view):
    """Mark a GET view that writes (it makes a record on first use): its transaction takes the write lock."""
    view.writes = True
    return view


def is_htmx() -> bool:
    """The request came from htmx (its HX-Request header)."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """An htmx request that is neither boosted nor a history restore."""
    return (is_htmx() and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(template_name: str, fragment: str | None = None, status: int = 200, **context):
    """One URL serves the page, or its fragment to htmx; caches are told which."""
    template = fragment if fragment and wants_fragment() else template_name
    response = make_response(render_template(template, **context), status)
    response.headers.add("Vary", "HX-Request")
    return response


def htmx_redirect(url: str):
    """Redirect a plain form post with 303, an htmx request with HX-Location."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Location"] = url
        return response
    return redirect(url, 303)


def layout_url_for(app: Flask):
    """Templates' url_for: an address with no arguments (a nav link) or a static file's (with its content hash)
    is built once per process and script root, then read from a dict.

    Building one costs ~30 µs (the URL map, the url_defaults, the file's hash): the layouts build ~20 on every
    page. What such an address depends on is fixed while the process runs (the routes, the files' hashes —
    pwa/assets.py) except the script root it is mounted under, which is part of the key. Anything else
    (arguments, a relative ``.endpoint``, ``_external``) is built by Flask as before. While templates reload
    (development), files change under a running process: nothing is kept."""
    build = app.url_for
    if app.jinja_env.auto_reload:
        return build
    built: dict[tuple, str] = {}

    def url_for(endpoint: str, **values) -> str:
        context = _cv_request.get(None)
        if context is None or endpoint[0] == "." or (values and (endpoint != "static" or len(values) != 1
                                                                 or "filename" not in values)):
            return build(endpoint, **values)
        adapter = context.url_adapter
        key = (adapter.script_name, adapter.server_name, endpoint, values.get("filename"))
        url = built.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(built) < MOST_ADDRESSES:  # the templates name a few hundred; a bound all the same
                built[key] = url
        return url

    return url_for


def layout_nav(app: Flask):
    """The staff layout's nav (templates/_nav.html): the same links for every user of a role, in a language,
    under a script root — so rendered once for each of those and kept (a few dozen at most). While templates
    reload (development), rendered every time."""
    kept: dict[tuple, Markup] = {}

    def staff_nav(user) -> Markup:
        key = (str(get_locale()), user.role, request.script_root)
        nav = kept.get(key)
        if nav is None:
            nav = Markup(render_template("_nav.html", user=user))
            if not app.jinja_env.auto_reload:
                kept[key] = nav
        return nav

    return staff_nav


def layout_csrf_token(app: Flask):
    """Templates' csrf_token(): Flask-WTF's token, made on the page's first call and kept for the request
    (in ``g``, where Flask-WTF keeps it); a page asks 3–4 times (the head, htmx's headers, each form), and
    Flask-WTF's own function reads its settings through the proxies again on every call."""
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")

    def csrf_token() -> str:
        return g.get(field) or generate_csrf()

    return csrf_token
