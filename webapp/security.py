"""Security headers on every response.

The Content-Security-Policy allows scripts and styles from this server only: no inline script, no
inline style, no eval, no page of ours inside another site's frame. Templates keep CSS in
static/css and behaviour in static/js; a script's data travels in data-* attributes or
<script type="application/json"> blocks, which the policy does not run. The till talks to the
hardware bridge, a websocket on the till itself (docs/bridge.md: it listens on the loopback only, on
port 8765 unless the bridge's settings say another), so connections to the loopback are allowed on
any port (the literal ::1 cannot be written in a policy: "localhost" covers it). Everything else,
pictures included, comes from the page's own address.
"""
from flask import Flask, Response

BRIDGE = "ws://127.0.0.1:* ws://localhost:*"

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": f"'self' {BRIDGE}",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}

CONTENT_SECURITY_POLICY = "; ".join(f"{directive} {sources}" for directive, sources in POLICY.items())


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
