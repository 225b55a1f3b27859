"""Records per second through POST /api/v1/sync/push (batches of 500, a real
`floorwalk serve` process), against the bare lower bound measured in the same run: the
same rows (records and their first versions) through a SQLAlchemy Core insert.

Timed into a table that already holds HISTORY records, with record ids made as the phone
makes them (UUIDv7). Runs on a temporary SQLite file, then on PostgreSQL when the local
server answers (a database made for the run and dropped after it).
Usage: python benchmarks/sync_ingest.py
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, text

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db
from floorwalk.models import Area, Metric, Record, RecordVersion, Station
from floorwalk.settings import plant_clock
from floorwalk.sync.records import record_columns

BATCH = 500
BATCHES = 24  # 12,000 records through the endpoint per round
ROUNDS = 3  # the figures are medians: the machine is shared
# Records already stored when timing starts (months of a busy plant): a push must stay
# fast however long the history, so it is measured into a full table, not an empty one.
HISTORY = 240_000
CLIENTS = 2
WORKERS = 2  # one per core on the 2-core machine
PASSWORD = "benchmark password"  # noqa: S105  (a throwaway user of a temporary database)
POSTGRES_ADMIN = os.environ.get(
    "FLOORWALK_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
FLOORWALK = str(Path(sys.executable).with_name("floorwalk"))


def uuid7() -> uuid.UUID:
    """A record id as the phone makes it (``newId`` in store.js): a UUIDv7, whose first
    48 bits are the Unix time in milliseconds, then version 7, 12 random bits, the
    variant and 62 random bits."""
    random_bits = int.from_bytes(os.urandom(10), "big")
    value = (
        (time.time_ns() // 1_000_000) << 80
        | 7 << 76
        | (random_bits >> 62 & 0xFFF) << 64
        | 0b10 << 62
        | random_bits & (1 << 62) - 1
    )
    return uuid.UUID(int=value)


def records(author_id: int, count: int, until: datetime) -> list[dict]:
    """``count`` counts observed a second apart, the last a second before ``until``: the
    server refuses a time more than 5 minutes ahead of its clock (a phone's wrong date)."""
    return [
        {
            "id": str(uuid7()), "type": "count", "station": "PRS-04", "author": author_id,
            "version": 1, "observed_at": (until - timedelta(seconds=count - i)).isoformat(),
            "offset_ms": 0, "walk": None, "data": {"metric": "units_completed", "value": i % 50},
        }
        for i in range(count)
    ]  # fmt: skip


def prepare(url: str, tmp: str):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_ITERATIONS": 1000},
        instance_path=os.path.join(tmp, "instance"),
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        user = create_user(db.session, "bench", "coordinator", PASSWORD, (), 1000)
        db.session.add(Station(code="PRS-04", name="Transfer press", area=Area(name="Press")))
        db.session.add(Metric(key="units_completed", label="Units", unit="pcs", kind="tally"))
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return app, user_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, tmp: str, workers: int, **settings) -> tuple[subprocess.Popen, int]:
    """`floorwalk serve` on a free port, once it answers /healthz; ``settings`` are more
    FLOORWALK_* variables by name without the prefix."""
    port = free_port()
    env = {**os.environ, "FLOORWALK_DATABASE_URL": url, "FLOORWALK_SECRET_KEY": "bench",
           "FLOORWALK_PHOTO_DIR": os.path.join(tmp, "photos"),
           **{f"FLOORWALK_{name}": value for name, value in settings.items()}}  # fmt: skip
    server = subprocess.Popen(
        [FLOORWALK, "serve", "--workers", str(workers), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(600):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return server, port
        except requests.RequestException:
            pass
        time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    raise RuntimeError("floorwalk serve did not start")


def endpoint_rates(url: str, user_id: int, tmp: str) -> list[float]:
    """Records per second through the endpoint, one figure per round (one server)."""
    server, port = start_server(url, tmp, WORKERS)
    base = f"http://127.0.0.1:{port}"
    try:
        sessions = []
        for _ in range(CLIENTS):
            session = requests.Session()
            answer = session.post(f"{base}/api/v1/session",
                                  json={"username": "bench", "password": PASSWORD})  # fmt: skip
            answer.raise_for_status()
            session.headers["X-CSRFToken"] = answer.json()["csrf_token"]
            sessions.append(session)
            session.headers["Content-Type"] = "application/json"
        warm = encoded(user_id)
        for session in sessions:  # every worker imports and connects before timing
            session.post(f"{base}/api/v1/sync/push", data=warm).raise_for_status()

        def send(session, mine, answers):
            for body in mine:
                answer = session.post(f"{base}/api/v1/sync/push", data=body)
                answer.raise_for_status()
                answers.append(answer.content)

        rates = []
        for _ in range(ROUNDS):
            # The phones' JSON is made before the clock starts, and the answers are
            # checked after it stops: the figure is the server's work, not the client's.
            bodies = [encoded(user_id) for _ in range(BATCHES)]
            answers: list[bytes] = []
            threads = [threading.Thread(target=send, args=(s, bodies[i::CLIENTS], answers))
                       for i, s in enumerate(sessions)]  # fmt: skip
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            assert len(answers) == BATCHES
            for answer in answers:
                assert all(r["status"] == "created" for r in json.loads(answer)["results"])
            rates.append(BATCH * BATCHES / elapsed)
        for session in sessions:
            session.close()
        return rates
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def encoded(user_id: int) -> bytes:
    return json.dumps({"records": records(user_id, BATCH, datetime.now(UTC))}).encode()


def bare_rate(app, user_id: int) -> float:
    """The same rows through a Core insert: the floor under what the endpoint can do."""
    now = datetime.now(UTC)
    with app.app_context():
        clock = plant_clock(db.session)
        station_id = db.session.execute(text("SELECT id FROM stations")).scalar_one()
        metric = db.session.execute(text("SELECT id FROM metrics")).one()
        db.session.remove()
        batches = []
        for _ in range(BATCHES):
            rows, versions = [], []
            for body in records(user_id, BATCH, now):
                columns = record_columns(
                    body, user_id, station_id, now, clock, {"metric": metric}, now
                )
                rows.append({**columns, "status": None, "change_seq": 1})
                versions.append({"record_id": columns["id"], "version": 1,
                                 "content_hash": columns["content_hash"], "body": body,
                                 "received_at": now})  # fmt: skip
            batches.append((rows, versions))
        engine = db.engine
        started = time.perf_counter()
        for rows, versions in batches:
            with engine.begin() as connection:
                connection.execute(insert(Record.__table__), rows)
                connection.execute(insert(RecordVersion.__table__), versions)
        elapsed = time.perf_counter() - started
        engine.dispose()
    return BATCH * BATCHES / elapsed


def measure(label: str, url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, user_id = prepare(url, tmp)
        for _ in range(HISTORY // (BATCH * BATCHES)):
            bare_rate(app, user_id)  # the history a plant builds up
        endpoints = endpoint_rates(url, user_id, tmp)
        bares = [bare_rate(app, user_id) for _ in range(ROUNDS)]
    endpoint, bare = statistics.median(endpoints), statistics.median(bares)
    print(f"{label:10} push endpoint {endpoint:9,.0f} records/s   bare Core insert "
          f"{bare:9,.0f} records/s   ratio {bare / endpoint:4.1f}x   (medians of {ROUNDS} "
          f"rounds: {', '.join(f'{r:,.0f}' for r in endpoints)} / "
          f"{', '.join(f'{r:,.0f}' for r in bares)}; load {os.getloadavg()[0]:.1f})")  # fmt: skip


def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return True
    except Exception:  # any failure to connect: skip PostgreSQL
        return False
    finally:
        engine.dispose()


def main() -> None:
    print(f"sync ingest: {BATCHES} batches of {BATCH} records, {CLIENTS} clients, "
          f"`floorwalk serve --workers {WORKERS}`, {HISTORY:,} records stored first, load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{tmp}/bench.sqlite")
    if not postgres_reachable():
        print("PostgreSQL  not reachable: skipped")
        return
    with postgres_database("floorwalk_bench") as url:
        measure("PostgreSQL", url)


@contextmanager
def postgres_database(prefix: str):
    """A database of the run's own on the local PostgreSQL; its URL. Dropped after."""
    name = f"{prefix}_{os.getpid()}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
