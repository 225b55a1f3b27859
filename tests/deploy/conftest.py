"""What the deployment and backup tests need from the machine: nginx, PostgreSQL, Redis.

Each is a real service here. Without one, a test skips; in CI (CI=true) it fails, as the
browser tests do without Chromium.
"""

import os
import shutil
import socket
import subprocess
import uuid
from contextlib import contextmanager

import pytest

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db
from floorwalk.models import Area, Metric, Station
from tests.support import PASSWORD, TEST_ITERATIONS, app_config, migrate_database

POSTGRES_ADMIN = ("127.0.0.1", 5432, "postgres")
REDIS = ("127.0.0.1", 6379)


def require(ready: bool, message: str) -> None:
    if ready:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def psql(sql: str) -> None:
    host, port, user = POSTGRES_ADMIN
    subprocess.run(
        ["psql", "-h", host, "-p", str(port), "-U", user, "-d", "postgres", "-v",
         "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True, capture_output=True,
    )  # fmt: skip


@contextmanager
def fresh_postgres_database():
    """A fresh, empty PostgreSQL database of its own, dropped afterwards."""
    host, port, user = POSTGRES_ADMIN
    require(
        shutil.which("psql") is not None and listening(host, port),
        f"PostgreSQL is not reachable at {host}:{port} (see .ci/run)",
    )
    name = f"fw_deploy_{uuid.uuid4().hex[:10]}"
    psql(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_url():
    with fresh_postgres_database() as url:
        yield url


def redis_url() -> str:
    require(listening(*REDIS), "Redis is not reachable at 127.0.0.1:6379 (see .ci/run)")
    return f"redis://{REDIS[0]}:{REDIS[1]}/0"


def seed_plant(
    database_url: str, tmp_path, username: str = "walker", supervisor: str | None = None
) -> int:
    """Migrate the database and add a coordinator (PASSWORD), the station PRS-04 in the
    area Press and the metric units_completed, and with ``supervisor`` a supervisor of
    Press (PASSWORD); the coordinator's id."""
    migrate_database(database_url, tmp_path)
    setup = create_app(app_config(database_url, tmp_path), instance_path=str(tmp_path / "i"))
    with setup.app_context():
        user = create_user(db.session, username, "coordinator", PASSWORD, (), TEST_ITERATIONS)
        db.session.add(Station(code="PRS-04", name="Transfer press", area=Area(name="Press")))
        db.session.add(Metric(key="units_completed", label="Units", unit="pcs", kind="tally"))
        if supervisor is not None:
            db.session.flush()
            create_user(db.session, supervisor, "supervisor", PASSWORD, ["Press"], TEST_ITERATIONS)
        db.session.commit()
        user_id = user.id
        db.session.remove()
        db.engine.dispose()
    return user_id
