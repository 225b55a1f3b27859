"""A shift change: PHONES phones sync at once against a real `floorwalk serve --workers 4`
while MANAGERS managers reload the day summary, on SQLite and then on PostgreSQL.

Each phone signs in, pulls everything, pushes BATCHES batches of RECORDS records and
PHOTOS photos, and pulls again from its cursor, all phones starting together (the
worst of a shift change: nobody spreads it out). Reported per endpoint: p50, p95 and
p99 latency and the error count; overall: requests per second. Then checked in the
database: every record stored exactly once, and every photo read back.

Two lower bounds measured in the same run, on the same server:
- "idle": the same push and summary by one phone on the server with nothing else
  running (median of IDLE_ROUNDS): what the burst adds to one request;
- "bare": the same number of requests from the same phones at once to ``/healthz``
  (one ``SELECT 1``): what queueing behind the workers costs a request that does nothing.

Users have 1,000-iteration password hashes so that sign-in here is not PBKDF2's time
(benchmarks/sign_in.py measures that). ``--full`` runs the issue's size (5 batches of
100 records and 3 photos per phone, several minutes); the default is sized to finish
both databases in about two minutes on a 2-core machine.
Usage: python benchmarks/load.py [--full] [--phones N]
"""

import argparse
import http.client
import io
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, func, select
from sync_ingest import postgres_database, postgres_reachable, records, start_server

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db
from floorwalk.models import Area, Metric, Photo, Record, Station

WORKERS = 4
MANAGERS = 5
IDLE_ROUNDS = 9
PASSWORD = "benchmark password"
SIZES = {  # phones, batches per phone, records per batch, photos per phone
    "default": (200, 2, 50, 1),
    "full": (200, 5, 100, 3),
}


class Phone:
    """One phone's connection: cookies kept, the CSRF token sent on writes, every
    request timed by endpoint into ``timings`` (errors counted in ``errors``)."""

    def __init__(self, port: int, timings: dict, errors: dict):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.timings, self.errors = timings, errors

    def call(self, name: str, method: str, path: str, body=None, content_type=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        if method != "GET":
            headers["X-CSRFToken"] = self.token
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.errors[name] += 1
            return None, None
        self.timings[name].append(time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie_name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[cookie_name] = value
        if response.will_close:
            self.connection.close()
        if response.status >= 400:
            self.errors[name] += 1
            return response.status, None
        return response.status, json.loads(content) if content.startswith(b"{") else content

    def sign_in(self, username: str) -> None:
        body = json.dumps({"username": username, "password": PASSWORD})
        _, answer = self.call("sign-in", "POST", "/api/v1/session", body, "application/json")
        self.token = answer["csrf_token"] if answer else ""


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (random.randrange(256), 90, 40)).save(out, "JPEG")
    return out.getvalue()


def prepare(url: str, tmp: str, phones: int) -> list[tuple[str, int]]:
    """Migrate, add the users (phones, then managers), a station and a metric."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_ITERATIONS": 1000},
        instance_path=os.path.join(tmp, "instance"),
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        users = [create_user(db.session, f"phone{n}", "coordinator", PASSWORD, (), 1000)
                 for n in range(phones)]  # fmt: skip
        users += [create_user(db.session, f"manager{n}", "manager", PASSWORD, (), 1000)
                  for n in range(MANAGERS)]  # fmt: skip
        db.session.add(Station(code="PRS-04", name="Transfer press", area=Area(name="Press")))
        db.session.add(Metric(key="units_completed", label="Units", unit="pcs", kind="tally"))
        db.session.commit()
        accounts = [(user.username, user.id) for user in users]
        db.session.remove()
        db.engine.dispose()
    return accounts


def shift(phone: Phone, user: tuple[str, int], size: tuple, photos: list, start) -> None:
    """One phone's sync run at shift change."""
    _, batches, per_batch, photo_count = size
    username, user_id = user
    bodies = [json.dumps({"records": records(user_id, per_batch, datetime.now(UTC))})
              for _ in range(batches)]  # fmt: skip
    images = [(uuid.uuid4(), jpeg()) for _ in range(photo_count)]
    start.wait()
    phone.sign_in(username)
    _, snapshot = phone.call("pull (full)", "GET", "/api/v1/sync/pull")
    for body in bodies:
        phone.call("push", "POST", "/api/v1/sync/push", body, "application/json")
    for photo_id, content in images:
        status, _ = phone.call("photo", "PUT", f"/api/v1/photos/{photo_id}", content, "image/jpeg")
        if status in (200, 201):
            photos.append((phone, photo_id))
    cursor = quote(snapshot["cursor"]) if snapshot else ""
    phone.call("pull (cursor)", "GET", f"/api/v1/sync/pull?cursor={cursor}")


def manager(phone: Phone, username: str, day: str, running: threading.Event) -> None:
    phone.sign_in(username)
    while running.is_set():
        phone.call("summary", "GET", f"/api/v1/summary/{day}")


def burst(port: int, accounts: list, size: tuple) -> dict:
    """Every phone at once, the managers reloading meanwhile; timings by endpoint."""
    phones = size[0]
    timings, errors, photos = defaultdict(list), defaultdict(int), []
    start, running = threading.Barrier(phones + 1), threading.Event()
    running.set()
    day = datetime.now(UTC).date().isoformat()
    threads = [
        threading.Thread(target=shift, args=(Phone(port, timings, errors), accounts[n], size,
                                             photos, start))
        for n in range(phones)
    ]  # fmt: skip
    managers = [
        threading.Thread(target=manager, args=(Phone(port, timings, errors), name, day, running))
        for name, _ in accounts[phones:]
    ]
    for thread in threads + managers:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    running.clear()
    for thread in managers:
        thread.join()
    return {"timings": timings, "errors": errors, "photos": photos, "elapsed": elapsed}


def bare(port: int, count: int, phones: int) -> dict:
    """The same number of requests from as many phones at once, to /healthz."""
    timings, errors = defaultdict(list), defaultdict(int)
    start = threading.Barrier(phones + 1)

    def run(phone: Phone, calls: int) -> None:
        start.wait()
        for _ in range(calls):
            phone.call("healthz", "GET", "/healthz")

    share = [count // phones + (n < count % phones) for n in range(phones)]
    threads = [threading.Thread(target=run, args=(Phone(port, timings, errors), share[n]))
               for n in range(phones)]  # fmt: skip
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"timings": timings, "errors": errors, "elapsed": time.perf_counter() - started}


def idle(port: int, accounts: list, size: tuple) -> dict:
    """One phone, one manager, alone on the server: the same push and summary."""
    timings, errors = defaultdict(list), defaultdict(int)
    phone, boss = Phone(port, timings, errors), Phone(port, timings, errors)
    (username, user_id), (manager_name, _) = accounts[0], accounts[-1]
    phone.sign_in(username)
    boss.sign_in(manager_name)
    day = datetime.now(UTC).date().isoformat()
    for _ in range(IDLE_ROUNDS):
        body = json.dumps({"records": records(user_id, size[2], datetime.now(UTC))})
        phone.call("push", "POST", "/api/v1/sync/push", body, "application/json")
        boss.call("summary", "GET", f"/api/v1/summary/{day}")
        phone.call("healthz", "GET", "/healthz")
    return {name: statistics.median(values) for name, values in timings.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def verify(url: str, result: dict, expected_records: int) -> str:
    """Every record once, every photo readable; the finding in words."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(Record)).scalar_one()
            distinct = connection.execute(select(func.count(func.distinct(Record.id)))).scalar()
            photo_rows = connection.execute(select(func.count()).select_from(Photo)).scalar()
    finally:
        engine.dispose()
    unreadable = sum(  # each read back by the phone that took it
        phone.call("read photo", "GET", f"/photos/{photo_id}")[0] != 200
        for phone, photo_id in result["photos"]
    )
    lost = expected_records - distinct
    return (
        f"records: {stored:,} stored, {expected_records:,} pushed, {lost} lost, "
        f"{stored - distinct} doubled; photos: {photo_rows} stored, "
        f"{len(result['photos'])} accepted, {unreadable} unreadable"
    )


def report(label: str, result: dict, bare_result: dict, idle_medians: dict) -> None:
    timings = result["timings"]
    total = sum(len(v) for v in timings.values())
    rate, bare_rate = (
        total / result["elapsed"],
        len(bare_result["timings"]["healthz"]) / (bare_result["elapsed"]),
    )
    health = bare_result["timings"]["healthz"]
    print(f"{label}: {total:,} requests in {result['elapsed']:.1f} s, {rate:,.0f}/s; "
          f"bare /healthz burst {bare_rate:,.0f}/s (ratio {bare_rate / rate:.1f}x); "
          f"errors {sum(result['errors'].values())} "
          f"(bare {sum(bare_result['errors'].values())})")  # fmt: skip
    print(f"  {'endpoint':14} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'p95/bare p95':>13} {'p95/idle':>9} {'errors':>7}")  # fmt: skip
    for name, values in [*sorted(timings.items()), ("bare /healthz", health)]:
        p50, p95, p99 = (percentile(values, s) * 1000 for s in (0.5, 0.95, 0.99))
        idle_key = "healthz" if name == "bare /healthz" else name
        versus_idle = f"{p95 / (idle_medians[idle_key] * 1000):8.1f}x" if (
            idle_key in idle_medians) else f"{'—':>9}"  # fmt: skip
        print(f"  {name:14} {len(values):>6} {p50:8.0f} {p95:8.0f} {p99:8.0f}"
              f" {p95 / (percentile(health, 0.95) * 1000):12.1f}x {versus_idle}"
              f" {result['errors'].get(name, 0):>7}")  # fmt: skip
    idle_text = ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in sorted(idle_medians.items()))
    print(f"  idle server, one phone (median of {IDLE_ROUNDS}): {idle_text}")


def measure(label: str, url: str, size: tuple) -> None:
    phones, batches, per_batch, _ = size
    with tempfile.TemporaryDirectory() as tmp:
        accounts = prepare(url, tmp, phones)
        server, port = start_server(url, tmp, WORKERS)
        try:
            idle_medians = idle(port, accounts, size)
            already = IDLE_ROUNDS * per_batch
            result = burst(port, accounts, size)
            count = sum(len(v) for v in result["timings"].values())
            bare_result = bare(port, count, phones)
            report(label, result, bare_result, idle_medians)
            print("  " + verify(url, result, already + phones * batches * per_batch))
        finally:
            server.terminate()
            server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's size (minutes)")
    parser.add_argument("--phones", type=int, help="how many phones (default 200)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    size = SIZES["full" if args.full else "default"]
    if args.phones:
        size = (args.phones, *size[1:])
    phones, batches, per_batch, photo_count = size
    print(f"shift change: {phones} phones × (sign-in, pull, {batches} pushes of {per_batch} "
          f"records, {photo_count} photo(s), pull), {MANAGERS} managers reloading the "
          f"summary; `floorwalk serve --workers {WORKERS}`; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{Path(tmp) / 'load.sqlite'}", size)
    if args.sqlite_only or not postgres_reachable():
        print("PostgreSQL: skipped" + ("" if args.sqlite_only else " (not reachable)"))
        return
    with postgres_database("floorwalk_load") as url:
        measure("PostgreSQL", url, size)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
