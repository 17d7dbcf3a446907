"""Extensions, created once and bound in create_app()."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from webapp.login import LoginManager  # Flask-Login's, a guest answered without a session write
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


# Objects stay readable after the commit, so a view can render what it just saved without reloading it.
# The session reads from the replica inside a view marked @reads_from_replica (webapp/replica.py).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False, "class_": ReadingSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()  # gzip or Brotli, as the browser asks (README: Running in production)
limiter = Limiter(key_func=get_remote_address, default_limits=[])
