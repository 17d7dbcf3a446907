"""Extensions, created once and bound in create_app()."""
from flask import current_app, request, session
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager as FlaskLoginManager
from flask_login.config import COOKIE_NAME
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from webapp.replica import ReadingSession

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class LoginManager(FlaskLoginManager):
    """Flask-Login, with nobody signed in answered without touching the session.

    For every request that asks who is signed in, Flask-Login checks the session's protection first: a
    session that holds anything (a guest's CSRF token, their language) but no fingerprint of the browser
    is marked "not fresh", which rewrites the session and sends its cookie again — for a guest, who has
    nothing to protect. A flash sale's late buyers are guests: each refusal paid for the fingerprint (a
    SHA-512), a re-signed session and a Set-Cookie. With no user in the session, no remember-me cookie and
    no request loader there is nobody to load: the guest is the anonymous user, as Flask-Login would say,
    and the session is left as it came. A signed-in session goes through Flask-Login unchanged."""

    def _load_user(self):
        if ("_user_id" not in session and self._request_callback is None
                and current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) not in request.cookies):
            return self._update_request_context_with_user()  # the anonymous user
        return super()._load_user()


# Objects stay readable after the commit, so a view can render what it just saved without reloading it.
# The session reads from the replica inside a view marked @reads_from_replica (webapp/replica.py).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False, "class_": ReadingSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()  # gzip or Brotli, as the browser asks (README: Running in production)
limiter = Limiter(key_func=get_remote_address, default_limits=[])
