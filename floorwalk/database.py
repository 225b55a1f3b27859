"""Engine settings per database, and the rows a new database starts with."""

import uuid

from flask import has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .models import SyncState

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, a busy timeout and ``BEGIN IMMEDIATE`` for writing transactions.

    Without BEGIN IMMEDIATE a transaction that reads and then writes upgrades its lock
    midway, and SQLite answers "database is locked" at once instead of waiting. Reads of
    GET requests begin deferred, so they never queue behind a writer (WAL lets them run).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy's "begin" event emit BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        reading = has_request_context() and request.method in READ_ONLY_METHODS
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def ensure_sync_state(session: Session) -> SyncState:
    """The change counter row, made with a fresh epoch when missing."""
    state = session.execute(select(SyncState)).scalar_one_or_none()
    if state is None:
        state = SyncState(id=1, change_seq=0, epoch=uuid.uuid4())
        session.add(state)
        session.flush()
    return state
