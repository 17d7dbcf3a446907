"""Configuration: defaults, then the environment, then the caller's overrides."""
import os
import secrets
from pathlib import Path

LANGUAGES = ["zh_CN", "en"]


def defaults(instance_path: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'huotong.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # PostgreSQL connections a process keeps open: at least its threads (scripts/gunicorn.conf.py sets it so).
        # Fewer, and each request beyond them opens a connection and closes it after (a new PostgreSQL backend).
        "DATABASE_POOL_SIZE": 10,
        # "pgbouncer": DATABASE_URL (and the replica's) reach PostgreSQL through PgBouncer in transaction pooling
        # (README: Connection pooling); the engines then keep nothing on a server connection between transactions.
        "DATABASE_POOLER": None,
        # Behind PgBouncer: the order counter's own pool (a database alias of PgBouncer's); None: behind PgBouncer the
        # counter is bumped in the order's transaction (webapp/sales/numbering.py).
        "DATABASE_COUNTER_URL": None,
        # A PostgreSQL streaming replica for reports and the dashboard (webapp/replica.py); None: the primary.
        "DATABASE_REPLICA_URL": None,
        "REPLICA_MAX_LAG_SECONDS": 30,  # further behind than this: read from the primary
        "REPLICA_CHECK_SECONDS": 5,  # how long a process trusts its last look at the replica
        "REPLICA_CONNECT_TIMEOUT": 2,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": LANGUAGES,
        "CURRENCY": "CNY",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": "memory://",  # several app servers: redis://… (README: Running in production)
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: count in this process, never a 500
        "TRUSTED_PROXIES": 0,  # proxies in front (nginx: 1) whose X-Forwarded-For/-Proto/-Host are believed
        "LOGIN_LIMIT": "5 per minute",
        "SQLITE_BUSY_TIMEOUT_MS": 30000,
        "PAGE_SIZE": 50,
        # Responses compressed in the app (README: Running in production): Brotli or gzip, as asked.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 5,
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                               "application/json", "application/manifest+json", "image/svg+xml", "text/plain",
                               "text/csv"],
        "SEND_FILE_MAX_AGE_DEFAULT": None,  # static files: see webapp/pwa/assets.py
    }


def from_environment() -> dict:
    env = {}
    if url := os.environ.get("DATABASE_URL"):
        env["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if url := os.environ.get("DATABASE_REPLICA_URL"):
        env["DATABASE_REPLICA_URL"] = normalise_database_url(url)
    if url := os.environ.get("DATABASE_COUNTER_URL"):
        env["DATABASE_COUNTER_URL"] = normalise_database_url(url)
    if (pooler := os.environ.get("DATABASE_POOLER")) is not None:
        env["DATABASE_POOLER"] = pooler or None
    for key in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "LOGIN_LIMIT", "CURRENCY", "MEDIA_ROOT"):
        if value := os.environ.get(key):
            env[key] = value
    if size := os.environ.get("DATABASE_POOL_SIZE"):
        env["DATABASE_POOL_SIZE"] = _count("DATABASE_POOL_SIZE", size)
    for key in ("REPLICA_MAX_LAG_SECONDS", "REPLICA_CHECK_SECONDS", "REPLICA_CONNECT_TIMEOUT"):
        if value := os.environ.get(key):
            env[key] = _seconds(key, value)
    if value := os.environ.get("TRUSTED_PROXIES"):
        if not value.isdigit() or int(value) > 5:
            raise ValueError(f"TRUSTED_PROXIES must be the number of proxies in front (0 to 5), not {value!r}")
        env["TRUSTED_PROXIES"] = int(value)
    return env


def _seconds(key: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86400:
        raise ValueError(f"{key} must be a number of seconds from 0 to 86400, not {value!r}")
    return seconds


def _count(key: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 200:
        raise ValueError(f"{key} must be a number of connections from 1 to 200, not {value!r}")
    return int(value)


POOLERS = ("pgbouncer",)


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS as configured, plus what a pooler in front of PostgreSQL needs.

    PgBouncer in transaction pooling gives each transaction whichever server connection is free, so nothing
    may outlive a transaction on it: psycopg's prepared statements (made after ``prepare_threshold`` = 5 uses
    of a statement on a connection, then only named: "prepared statement "_pg3_0" does not exist" on the
    next server connection) are turned off; a connection PgBouncer closed (restarted, ``client_idle_timeout``)
    is found by a ping before it is used, not by the buyer's request."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql") and config.get("DATABASE_POOL_SIZE"):
        options.setdefault("pool_size", config["DATABASE_POOL_SIZE"])
    pooler = config.get("DATABASE_POOLER")
    if not pooler:
        return options
    if pooler not in POOLERS:
        raise ValueError(f"DATABASE_POOLER must be one of {', '.join(POOLERS)} (or empty), not {pooler!r}")
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        raise ValueError("DATABASE_POOLER=pgbouncer needs PostgreSQL: DATABASE_URL postgresql://… (PgBouncer's port)")
    options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
    options.setdefault("pool_pre_ping", True)
    return options


def normalise_database_url(url: str) -> str:
    """postgres:// and postgresql:// both mean psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str) -> str:
    """The instance's secret key, generated once and kept in instance/."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
