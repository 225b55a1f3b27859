"""Backups and restores of the database (DESIGN §11; docs/deployment.md, "Backups").

A backup is a consistent copy taken while the server runs: SQLite's online backup API
(in WAL mode the server keeps writing while the copy reads one snapshot), or
``pg_dump -Fc`` on PostgreSQL. A restore loads one into an empty database only, never
over data, and gives it a new epoch: every phone's cursor then expires (410) and the
phone takes a full snapshot instead of trusting changes numbered by another history.

Photos are files, not rows: they are not in the backup (docs/deployment.md says how to
copy the photo folder beside it).
"""

import os
import shutil
import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session

from .extensions import db
from .models import SyncState


class BackupError(Exception):
    """A backup or restore that could not be made, with a sentence saying why."""


def backup_database(database_url: str, file: Path) -> None:
    """Write a consistent copy of the database to ``file`` (replaced whole, or not at all)."""
    url = make_url(database_url)
    if not file.parent.is_dir():
        raise BackupError(f"There is no folder {file.parent} to write the backup in.")
    partial = file.with_name(f".{file.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            backup_sqlite(sqlite_path(url), partial)
        elif url.get_backend_name() == "postgresql":
            run_client("pg_dump", url, ["--format=custom", "--file", str(partial)])
        else:
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)


def restore_database(engine: Engine, file: Path) -> None:
    """Load the backup ``file`` into the empty database behind ``engine``.

    Raises BackupError, and changes nothing, when the database already holds tables.
    The caller gives the restored database a new epoch (``start_new_epoch``).
    """
    if not file.is_file():
        raise BackupError(f"There is no backup file at {file}.")
    tables = inspect(engine).get_table_names()
    engine.dispose()  # the restore writes underneath: no pooled connection may hold it
    if tables:
        raise BackupError(
            f"The database {engine.url.render_as_string()} already holds {len(tables)} "
            "tables: restore only into an empty database (create a new one, or move this "
            "one aside), so that nothing stored is overwritten."
        )
    if engine.url.get_backend_name() == "sqlite":
        restore_sqlite(file, sqlite_path(engine.url))
    else:
        run_client(
            "pg_restore",
            engine.url,
            ["--exit-on-error", "--no-owner", "--single-transaction", str(file)],
        )


def start_new_epoch(session: Session) -> uuid.UUID:
    """A new epoch for a restored database: every cursor made before it expires."""
    epoch = uuid.uuid4()
    session.execute(update(SyncState).values(epoch=epoch))
    return epoch


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup API, in one step: a read transaction over one snapshot,
    which in WAL mode does not stop the server's writers (stepwise copies restart
    whenever another connection writes)."""
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as db, closing(sqlite3.connect(target)) as copy:
        db.backup(copy)
        check_sqlite(copy, target)
        # A backup is one self-contained file, whatever journal mode it inherited.
        copy.execute("PRAGMA journal_mode=DELETE")


def restore_sqlite(file: Path, target: Path) -> None:
    with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as backup:
        try:
            check_sqlite(backup, file)
        except sqlite3.DatabaseError:
            raise BackupError(f"{file} is not a SQLite backup.") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target)) as database:
            backup.backup(database)


def check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    (result,) = connection.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")


def run_client(program: str, url: URL, arguments: list[str]) -> None:
    """Run a PostgreSQL client program on the database at ``url``; its password travels in
    the environment, never on a command line others can read."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} is not installed or not on PATH: install the PostgreSQL client "
            "programs (Debian: apt-get install postgresql-client), of the server's major "
            "version or newer."
        )
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string()
    done = subprocess.run(  # noqa: S603  (our own arguments, the URL as one of them)
        [found, "--dbname", libpq_url, *arguments], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()}")


# commands -----------------------------------------------------------------------------


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE while the server runs (SQLite's
    online backup; pg_dump -Fc on PostgreSQL). Photos are not in it: copy the photo
    folder after it (docs/deployment.md)."""
    try:
        backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {file} ({file.stat().st_size} bytes).")
    click.echo(f"Photos are not in it: copy {current_app.config['PHOTO_DIR']} now, after it.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load the backup FILE into the configured database, which must be empty, and give
    it a new epoch so that every phone takes a full snapshot."""
    try:
        restore_database(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    epoch = start_new_epoch(db.session)
    db.session.commit()
    click.echo(f"Restored {file}; new epoch {epoch}: phones will take a full snapshot.")
