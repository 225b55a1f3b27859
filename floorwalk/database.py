"""Engine settings per database, and when a transaction takes SQLite's write lock.

The change counter's row (``sync_state``) is made by the first migration, with its epoch."""

import os
from contextlib import suppress

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def create_private_file(database: str | None) -> None:
    """Make a SQLite database file that does not exist yet readable by its owner alone
    (0600); SQLite then gives its -wal and -shm files the same mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    # Already there, or its folder is missing (SQLite will say so): leave it to SQLite.
    with suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, a busy timeout and ``BEGIN IMMEDIATE`` for writing transactions.

    Without BEGIN IMMEDIATE a transaction that reads and then writes upgrades its lock
    midway, and SQLite answers "database is locked" at once instead of waiting. A
    transaction writes when its request's method changes data (unless its view
    ``writes_late``: then when it calls ``switch_to_writing``), or when a command says so
    (``begin_writing``); the others begin deferred and never queue behind a writer.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "do_connect")
    def before_connect(dialect, conn_rec, cargs, cparams):
        # Only when a connection is really opened: a command that finds no database
        # says so and leaves no file behind.
        create_private_file(engine.url.database)

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
        options = connection.get_execution_options()
        immediate = options.get("sqlite_immediate", writing_request())
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writing_request() -> bool:
    if not has_request_context() or request.method in READ_ONLY_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "writes_late", False)


def writes_late(view):
    """Mark a view that changes data but reads and checks first, then calls
    ``switch_to_writing`` before it writes.

    A request that changes data otherwise holds SQLite's write lock from its first query,
    so its parsing and checks would keep every other writer waiting; this view holds it
    for its writes alone.
    """
    view.writes_late = True
    return view


def switch_to_writing(session: Session) -> None:
    """On SQLite, end the reading transaction (nothing is written in it) and begin a
    writing one. Elsewhere a no-op: PostgreSQL's readers never wait for writers.

    What was read stays in Python; the writes must check again anything another writer
    may have changed meanwhile, inside the writing transaction.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
        begin_writing(session)


def begin_writing(session: Session) -> None:
    """Start the session's transaction holding SQLite's write lock (for CLI commands).

    Requests that change data get it by their method (``writes_late`` views through
    ``switch_to_writing``); a command says so here, first. Elsewhere, or once the
    transaction has begun, a no-op.
    """
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


def dialect_insert(session: Session, table):
    """``INSERT`` of the session's database, which has ``on_conflict_do_nothing``."""
    dialect = session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
