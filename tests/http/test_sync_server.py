"""Exactly once against a real `floorwalk serve --workers 4`: batches replayed from
several threads at once, and a server killed with SIGKILL in the middle of a batch and
the batch then retried. Runs on a temporary SQLite file, and on the PostgreSQL test
database when FLOORWALK_TEST_DATABASE_URL is set."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db
from floorwalk.models import Metric, Record, RecordVersion, Station
from tests.factories import counts, push_body
from tests.support import TEST_DATABASE_URL, TEST_ITERATIONS, app_config, migrate_database

FLOORWALK = str(Path(sys.executable).with_name("floorwalk"))
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def floorwalk_env(database_url: str, tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment a `floorwalk` command runs with here: the database, a secret key,
    the photo folder in ``tmp_path``, and ``settings`` as FLOORWALK_* variables, by name
    without the prefix: what /etc/floorwalk/env gives every unit of one installation."""
    return {
        **os.environ,
        "FLOORWALK_DATABASE_URL": database_url,
        "FLOORWALK_SECRET_KEY": "server-test-secret",
        "FLOORWALK_PHOTO_DIR": str(tmp_path / "photos"),
        **{f"FLOORWALK_{name}": value for name, value in settings.items()},
    }


@contextmanager
def serving(database_url: str, tmp_path: Path, workers=4, log: Path | None = None, **settings):
    """`floorwalk serve --workers 4` on a free port; killed, with its workers, on exit.

    What it writes goes to ``log`` (a file in ``tmp_path`` by default), whose end a failed
    start shows; ``settings`` are more FLOORWALK_* variables, by name without the prefix
    (``LOG_JSON="1"``)."""
    port = free_port()
    log = log or tmp_path / f"server-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [FLOORWALK, "serve", "--workers", str(workers), "--port", str(port)],
            env=floorwalk_env(database_url, tmp_path, **settings),
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield base, process
    finally:
        kill(process)


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    """Until /healthz answers 200. Generous: on a loaded machine workers take a while to
    boot, and a probe given up too soon still holds the worker that took it."""
    probe = requests.Session()
    probe.trust_env = False  # straight to the server, whatever proxy the environment names
    deadline = time.monotonic() + 90
    while True:
        try:
            if probe.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or too busy to answer
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            state = "stopped" if process.poll() is not None else "did not answer in 90 s"
            raise AssertionError(f"the server {state}; its output ends:\n{log_tail(log)}")
        time.sleep(0.2)


def log_tail(log: Path, size: int = 3000) -> str:
    return log.read_bytes()[-size:].decode(errors="replace")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the server and its workers at once, as a power cut would."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def phone(base: str, username: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    answer = session.post(
        f"{base}/api/v1/session", json={"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return session, answer.json()["csrf_token"]


def push(session: requests.Session, token: str, base: str, body: dict) -> list[dict]:
    answer = session.post(
        f"{base}/api/v1/sync/push", json=body, headers={"X-CSRFToken": token}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


@pytest.fixture(params=["sqlite", "postgresql"])
def server_database(request, app, tmp_path):
    """A migrated database with a user, the station PRS-04 and the metric units_completed."""
    if request.param == "postgresql":
        if not TEST_DATABASE_URL:
            pytest.skip("set FLOORWALK_TEST_DATABASE_URL to run on PostgreSQL")
        url = TEST_DATABASE_URL  # migrated by the fixtures, reset by `app` afterwards
    else:
        url = f"sqlite:///{tmp_path / 'server.sqlite'}"
        migrate_database(url, tmp_path)
    setup = create_app(app_config(url, tmp_path), instance_path=str(tmp_path / "setup"))
    with setup.app_context():
        user = create_user(db.session, "walker", "coordinator", PASSWORD, (), TEST_ITERATIONS)
        db.session.add(Station(code="PRS-04", name="Transfer press", area=user_area()))
        db.session.add(Metric(key="units_completed", label="Units", unit="pcs", kind="tally"))
        db.session.commit()
        user_id = user.id
        db.session.remove()
        db.engine.dispose()
    return url, user_id


def user_area():
    from floorwalk.models import Area

    return Area(name="Press Shop")


def stored(url: str) -> tuple[Counter, int]:
    """How many times each record id is stored, and how many versions there are."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            ids = Counter(connection.execute(select(Record.id)).scalars())
            versions = connection.execute(select(func.count()).select_from(RecordVersion))
            return ids, versions.scalar_one()
    finally:
        engine.dispose()


def test_a_batch_replayed_concurrently_from_threads_is_stored_once(server_database, tmp_path):
    url, user_id = server_database
    records = counts(user_id, 300)
    body = push_body(*records)
    answers: list[list[dict]] = []
    errors: list[BaseException] = []
    with serving(url, tmp_path) as (base, _):

        def replay():
            try:
                session, token = phone(base, "walker")
                with session:
                    for _ in range(2):
                        answers.append(push(session, token, base, body))
            except BaseException as error:  # reported by the test below
                errors.append(error)

        threads = [threading.Thread(target=replay) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert not errors, errors
    assert len(answers) == 12
    created = Counter()
    for answer in answers:
        assert [r["id"] for r in answer] == [r["id"] for r in records]
        assert {r["status"] for r in answer} <= {"created", "duplicate"}
        created.update(r["id"] for r in answer if r["status"] == "created")
    assert created == Counter({r["id"]: 1 for r in records})  # each created exactly once
    ids, versions = stored(url)
    assert ids == Counter({uuid.UUID(r["id"]): 1 for r in records}) and versions == 300


def test_a_server_killed_mid_batch_loses_and_doubles_nothing_on_retry(server_database, tmp_path):
    url, user_id = server_database
    batches = [push_body(*counts(user_id, 500)) for _ in range(4)]
    answered: list[list[dict]] = []
    with serving(url, tmp_path) as (base, process):
        session, token = phone(base, "walker")

        def send_all():
            try:
                for body in batches:
                    answered.append(push(session, token, base, body))
            except (requests.ConnectionError, AssertionError):
                pass  # the server died under us: the phone keeps its records

        sender = threading.Thread(target=send_all)
        sender.start()
        while not answered and sender.is_alive():
            time.sleep(0.005)
        time.sleep(0.03)  # into the next batch
        kill(process)
        sender.join(60)
        session.close()
    assert len(answered) < len(batches), "every batch was answered before the kill"
    ids_before, _ = stored(url)
    assert set(ids_before.values()) <= {1}

    with serving(url, tmp_path) as (base, _):
        session, token = phone(base, "walker")
        with session:
            for index, body in enumerate(batches):
                results = push(session, token, base, body)
                expected = "duplicate" if index < len(answered) else None
                for result in results:
                    assert result["status"] in {"created", "duplicate"}
                    if expected:
                        assert result["status"] == expected
    everything = [r["id"] for body in batches for r in body["records"]]
    ids, versions = stored(url)
    assert ids == Counter(uuid.UUID(i) for i in everything) and versions == len(everything)
