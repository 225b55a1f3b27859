"""What ``/readyz`` checks before a load balancer sends a server traffic: the database
answers, Redis answers when configured, the photo folder takes a file, and the database
is migrated to this code's head. Each check gives ``"ok"`` or the reason it failed.

``/healthz`` stays cheap (one ``SELECT 1``); this one touches the disk and Redis.
"""

import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

OK = "ok"
PROBE_BYTES = 4096  # one block


def readiness(
    session: Session, photo_dir: str, migrations_dir: str, rate_limits: Storage | None
) -> dict[str, str]:
    """Every check by name: "ok" or the reason. ``rate_limits`` is the shared storage of
    the sign-in limits (Redis), or None when each process keeps its own."""
    checks = {"database": database_answers(session)}
    if checks["database"] == OK:
        checks["migrations"] = migrations_current(session, migrations_dir)
    else:
        checks["migrations"] = "not checked: the database does not answer"
    if rate_limits is not None:
        checks["redis"] = OK if rate_limits.check() else "Redis does not answer a PING"
    checks["photos"] = photo_dir_writable(Path(photo_dir))
    return checks


def database_answers(session: Session) -> str:
    try:
        session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means not ready; its class names the kind
        session.rollback()
        # The driver's own words go to the log only (they name hosts and users).
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        logger.warning("the database does not answer: %s", detail[0] if detail else error)
        return f"the database does not answer: {type(error).__name__}"
    return OK


def migrations_current(session: Session, migrations_dir: str) -> str:
    current = set(MigrationContext.configure(session.connection()).get_current_heads())
    heads = migration_heads(migrations_dir)
    if current != heads:
        have = ", ".join(sorted(current)) or "none"
        return f"the database is at {have}, this code at {', '.join(sorted(heads))}: run db upgrade"
    return OK


@cache
def migration_heads(migrations_dir: str) -> set[str]:
    config = Config()
    config.set_main_option("script_location", migrations_dir)
    return set(ScriptDirectory.from_config(config).get_heads())


def photo_dir_writable(photo_dir: Path) -> str:
    """A file with some bytes in it, written through to the disk: an empty file is still
    made on a full disk, so it would not tell."""
    try:
        photo_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=photo_dir, prefix=".readyz-") as probe:
            probe.write(b"\0" * PROBE_BYTES)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        return f"the photo folder {photo_dir} cannot take a file: {error.strerror or error}"
    return OK
