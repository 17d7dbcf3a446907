"""Flask-Login, with nobody signed in answered without touching the session.

For every request that asks who is signed in, Flask-Login checks the session's protection first: a
session that holds anything (a guest's CSRF token, their language) but no fingerprint of the browser
is marked "not fresh", which rewrites the session and sends its cookie again — for a guest, who has
nothing to protect. A flash sale's late buyers are guests: each refusal paid for the fingerprint (a
SHA-512), a re-signed session and a Set-Cookie. With no user in the session and no remember-me cookie
there is nobody to load, so the guest is answered as Flask-Login would (the anonymous user) and the
session is left as it came. A signed-in session goes through Flask-Login unchanged, protection and all.
"""
from flask import current_app, request, session
from flask_login import LoginManager as FlaskLoginManager
from flask_login.config import COOKIE_NAME


class LoginManager(FlaskLoginManager):
    def _load_user(self):
        if ("_user_id" not in session and self._request_callback is None
                and current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) not in request.cookies):
            return self._update_request_context_with_user()  # the anonymous user
        return super()._load_user()
