"""Static files with their content's hash in the URL, cacheable forever.

``url_for('static', filename='css/pos.css')`` gives ``/static/css/pos.css?v=3f9c2a1b7d``:
the hash of the file's bytes. A response to such a URL is the same for ever, so
browsers (and a proxy) keep it a year without asking again; a deploy that
changes the file changes its URL. The hash is computed once per file and
process (again when the file's modification time changes, where templates reload too: development).
Requests without ``v`` (an old page, a bookmark) get a short cache time.
"""
import hashlib
import os

from flask import current_app, request

from webapp.pwa.blueprint import bp

FOREVER = 365 * 24 * 3600
SHORT = 300
_hashes: dict[str, tuple[float, str]] = {}


def content_hash(filename: str) -> str | None:
    path = os.path.join(current_app.static_folder, filename)
    known = _hashes.get(path)
    if known is not None and not current_app.jinja_env.auto_reload:
        return known[1]  # in production the files change only with a deploy, which starts new processes
    if not filename or not os.path.isfile(path):
        return None
    changed = os.path.getmtime(path)
    if known is None or known[0] != changed:
        with open(path, "rb") as f:
            known = (changed, hashlib.sha256(f.read()).hexdigest()[:10])
        _hashes[path] = known
    return known[1]


@bp.app_url_defaults
def versioned_static(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and (digest := content_hash(values.get("filename", ""))):
        values["v"] = digest


@bp.record_once
def _on_every_response(state) -> None:
    state.app.after_request(cache_static)


def cache_static(response):
    if request.endpoint == "static" and response.status_code == 200:
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args.get("v") == content_hash(filename):
            response.cache_control.no_cache = None
            response.cache_control.max_age = FOREVER
            response.cache_control.public = True
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = None
            response.cache_control.max_age = SHORT
    return response
