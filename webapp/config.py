"""Configuration: defaults, then the environment, then the caller's overrides."""
import os
import secrets
from pathlib import Path

LANGUAGES = ["zh_CN", "en"]


def defaults(instance_path: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'huotong.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": LANGUAGES,
        "CURRENCY": "CNY",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": "memory://",
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
    for key in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "LOGIN_LIMIT", "CURRENCY", "MEDIA_ROOT"):
        if value := os.environ.get(key):
            env[key] = value
    return env


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
