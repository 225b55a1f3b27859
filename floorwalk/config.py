"""Settings from ``FLOORWALK_*`` environment variables, with safe defaults.

Only what differs between installations lives here; what a plant admin changes at
run time (timezone, day start, shifts, public URL) lives in the database instead
(see ``settings.py``).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import URL, make_url

TRUE_WORDS = {"1", "true", "yes", "on"}


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"FLOORWALK_{name}")
    return value if value not in (None, "") else default


def env_flag(name: str) -> bool:
    return (env(name, "") or "").strip().lower() in TRUE_WORDS


def instance_secret_key(instance_path: str) -> str:
    """The key kept in the instance folder, made on first use (mode 0600).

    Generated once rather than per start, so sessions survive a restart.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            pass
        else:
            with os.fdopen(fd, "w") as key_file:
                key_file.write(secrets.token_hex(32))
    return path.read_text().strip()


def demo_database_url(instance_path: str) -> str:
    """The demo's own SQLite database, which ``floorwalk demo`` makes and ``--demo`` uses."""
    return f"sqlite:///{Path(instance_path) / 'demo.sqlite'}"


def sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL names, or None (another database, memory, a ``file:`` URI)."""
    path = url.database
    if not url.drivername.startswith("sqlite") or not path or path == ":memory:":
        return None
    return None if path.startswith("file:") else Path(path)


def from_working_directory(database_url: str) -> str:
    """A relative SQLite path made absolute against the current directory.

    Flask-SQLAlchemy would take it relative to the instance folder, so
    ``sqlite:///instance/demo.sqlite`` typed in the project folder opened
    ``instance/instance/demo.sqlite``; a person means the folder they are in.
    """
    url = make_url(database_url)
    path = sqlite_file(url)
    if path is None or path.is_absolute():
        return database_url
    return url.set(database=str(Path.cwd() / path)).render_as_string(hide_password=False)


def load_config(instance_path: str) -> dict:
    """The Flask configuration for this installation."""
    https = env_flag("HTTPS")
    cookie_prefix = "__Host-" if https else ""
    if env_flag("DEMO"):
        database_url = demo_database_url(instance_path)
    elif env("DATABASE_URL"):
        database_url = from_working_directory(env("DATABASE_URL"))
    else:
        database_url = f"sqlite:///{Path(instance_path) / 'floorwalk.sqlite'}"
    redis_url = env("REDIS_URL")
    return {
        # Without one, create_app keeps a generated key in the instance folder.
        "SECRET_KEY": env("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_URL": (env("PUBLIC_URL") or "").rstrip("/"),
        "PHOTO_DIR": env("PHOTO_DIR") or str(Path(instance_path) / "photos"),
        # Pull tells older apps to update (they keep pushing what they hold).
        "MIN_APP": env("MIN_APP", "0.0.0"),
        "REDIS_URL": redis_url,
        "HTTPS": https,
        "PROXY_HOPS": int(env("PROXY_HOPS", "0")),
        # One JSON object per log line (requestlog.py); otherwise plain text.
        "LOG_JSON": env_flag("LOG_JSON"),
        # Cookies (DESIGN §6): __Host- names and Secure only under HTTPS.
        "SESSION_COOKIE_NAME": f"{cookie_prefix}floorwalk",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_NAME": f"{cookie_prefix}floorwalk_remember",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": True,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # A phone may stay offline for a whole shift: tokens live as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": https,
        # CSRF is checked by our own before_request hook, after the API's 401 check.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "PASSWORD_ITERATIONS": 600_000,
        # Notifications by mail (DESIGN §9): both set, or the inbox only.
        "SMTP_URL": env("SMTP_URL"),
        "MAIL_FROM": env("MAIL_FROM"),
        "SMTP_TIMEOUT": float(env("SMTP_TIMEOUT", "30")),
    }
