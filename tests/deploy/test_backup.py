"""`floorwalk backup` and `floorwalk restore` (DESIGN §11) against a real `floorwalk serve`
taking a stream of pushes, on SQLite and on fresh PostgreSQL databases."""

import os
import sqlite3
import subprocess
import threading
import uuid
from collections import Counter
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.deploy.conftest import fresh_postgres_database, seed_plant
from tests.factories import counts, push_body
from tests.http.test_sync_server import FLOORWALK, phone, push, serving, stored

pytestmark = pytest.mark.deploy


def floorwalk(database_url: str, *arguments: str, path: str | None = None):
    env = {**os.environ, "FLOORWALK_DATABASE_URL": database_url}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [FLOORWALK, *arguments], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """The plant's database (a walker, PRS-04, units_completed; its id) and an empty one."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            plant, empty = (f"sqlite:///{tmp_path / name}" for name in ("plant.db", "new.db"))
        else:
            plant, empty = (stack.enter_context(fresh_postgres_database()) for _ in range(2))
        yield plant, empty, seed_plant(plant, tmp_path)


def integrity_problems(database_url: str) -> list:
    """SQLite's integrity and foreign key checks; PostgreSQL's amcheck over every index
    (foreign keys were checked when pg_restore made them)."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                result = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
                keys = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                return [r for r in result if r != "ok"] + list(keys)
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = connection.execute(
                text(
                    "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = 'public'"
                )
            ).scalars()
            for oid in indexes:  # raises on a corrupt index
                connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
            return []
    finally:
        engine.dispose()


def test_a_backup_taken_during_pushes_restores_what_was_committed_and_expires_cursors(
    databases, tmp_path
):
    plant, empty, user_id = databases
    backup = tmp_path / "backups" / "floorwalk.backup"
    backup.parent.mkdir()
    batches: list[dict] = []
    answered: list[dict] = []
    stop, failures = threading.Event(), []
    with serving(plant, tmp_path) as (base, _):
        session, token = phone(base, "walker")
        old_cursor = session.get(f"{base}/api/v1/sync/pull", timeout=30).json()["cursor"]

        def keep_pushing():
            try:
                while not stop.is_set():
                    batches.append(push_body(*counts(user_id, 25)))
                    push(session, token, base, batches[-1])
                    answered.append(batches[-1])
            except BaseException as error:  # reported below
                failures.append(error)

        sender = threading.Thread(target=keep_pushing)
        sender.start()
        while len(answered) < 3 and sender.is_alive():
            threading.Event().wait(0.01)
        committed_before = {r["id"] for body in list(answered) for r in body["records"]}
        made = floorwalk(plant, "backup", str(backup))
        answered_at_backup = len(answered)
        while len(answered) < answered_at_backup + 2 and sender.is_alive():
            threading.Event().wait(0.01)  # the server keeps taking pushes afterwards
        stop.set()
        sender.join(60)
        session.close()
    assert not failures, failures
    assert made.returncode == 0, made.stderr
    assert "Photos are not in it" in made.stdout

    refused = floorwalk(plant, "restore", str(backup))
    assert refused.returncode != 0
    assert "restore only into an empty database" in refused.stderr
    restored = floorwalk(empty, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr

    assert integrity_problems(empty) == []
    ids, _ = stored(empty)
    sent = {r["id"] for body in batches for r in body["records"]}
    assert {uuid.UUID(i) for i in committed_before} <= set(ids) <= {uuid.UUID(i) for i in sent}
    assert set(ids.values()) == {1}

    with serving(empty, tmp_path) as (base, _):
        session, token = phone(base, "walker")
        with session:
            expired = session.get(f"{base}/api/v1/sync/pull", params={"cursor": old_cursor})
            assert expired.status_code == 410
            assert expired.json()["error"]["code"] == "cursor_expired"
            snapshot = session.get(f"{base}/api/v1/sync/pull", timeout=30)
            assert snapshot.status_code == 200
            assert [s["code"] for s in snapshot.json()["stations"]] == ["PRS-04"]
            # The phone sends again whatever it holds; the restore lost none of it for good.
            for body in batches:
                for result in push(session, token, base, body):
                    assert result["status"] in {"created", "duplicate"}
    ids, versions = stored(empty)
    assert ids == Counter(uuid.UUID(i) for i in sent) and versions == len(sent)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("the night shift's notes, not a database")
    answer = floorwalk(f"sqlite:///{tmp_path / 'new.db'}", "restore", str(not_a_backup))
    assert answer.returncode != 0
    assert "is not a SQLite backup" in answer.stderr


def test_backup_on_postgresql_says_when_pg_dump_is_missing(tmp_path):
    bin_without_pg_dump = str(Path(FLOORWALK).parent)
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    answer = floorwalk(url, "backup", str(tmp_path / "x.backup"), path=bin_without_pg_dump)
    assert answer.returncode != 0
    assert "pg_dump is not installed" in answer.stderr
    assert not (tmp_path / "x.backup").exists()


def test_backup_says_when_the_folder_for_the_file_is_missing(tmp_path):
    plant = f"sqlite:///{tmp_path / 'plant.db'}"
    answer = floorwalk(plant, "backup", str(tmp_path / "nowhere" / "x.backup"))
    assert answer.returncode != 0
    assert f"There is no folder {tmp_path / 'nowhere'}" in answer.stderr


def test_a_sqlite_backup_is_one_self_contained_file(tmp_path):
    plant = tmp_path / "plant.db"
    seed_plant(f"sqlite:///{plant}", tmp_path)
    backup = tmp_path / "copy.backup"
    assert floorwalk(f"sqlite:///{plant}", "backup", str(backup)).returncode == 0
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not Path(f"{backup}-wal").exists()
