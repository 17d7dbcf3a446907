"""Small helpers every view uses: page-or-fragment rendering and htmx redirects."""
from flask import make_response, redirect, render_template, request


def wants_fragment() -> bool:
    """An htmx request that is neither boosted nor a history restore."""
    hx = request.htmx
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(template_name: str, fragment: str | None = None, status: int = 200, **context):
    """One URL serves the page, or its fragment to htmx; caches are told which."""
    template = fragment if fragment and wants_fragment() else template_name
    response = make_response(render_template(template, **context), status)
    response.headers.add("Vary", "HX-Request")
    return response


def htmx_redirect(url: str):
    """Redirect a plain form post with 303, an htmx request with HX-Location."""
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Location"] = url
        return response
    return redirect(url, 303)
