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
both databases in under a minute on a quiet 2-core machine. ``--nginx`` adds a run on
PostgreSQL through nginx (TLS) in front of two servers sharing a Redis of the run's own.
Usage: python benchmarks/load.py [--full] [--nginx] [--phones N] [--sqlite-only]
"""

import argparse
import http.client
import io
import json
import os
import random
import ssl
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, func, select
from sync_ingest import free_port, postgres_database, postgres_reachable, records, start_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for --nginx

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db
from floorwalk.models import Area, Metric, Photo, Record, Station

WORKERS = 4
MANAGERS = 5
IDLE_ROUNDS = 9
PASSWORD = "benchmark password"
PROBLEMS: Counter = Counter()  # what went wrong, by kind, across every phone

SIZES = {  # phones, batches per phone, records per batch, photos per phone
    "default": (200, 2, 50, 1),
    "full": (200, 5, 100, 3),
}


class Phone:
    """One phone's connection: cookies kept, the CSRF token sent on writes, every
    request timed by endpoint into ``timings`` (errors counted in ``errors``)."""

    def __init__(self, target: tuple, timings: dict, errors: dict):
        port, context = target
        if context is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        else:
            self.connection = http.client.HTTPSConnection(
                "127.0.0.1", port, timeout=120, context=context
            )
        # What the app's fetches send (Referrer-Policy: same-origin); under HTTPS the
        # CSRF check compares it with the host.
        self.referer = f"{'https' if context else 'http'}://127.0.0.1:{port}/walk"
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.timings, self.errors = timings, errors

    def call(self, name: str, method: str, path: str, body=None, content_type=None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": self.referer,
        }
        if content_type:
            headers["Content-Type"] = content_type
        if method != "GET":
            headers["X-CSRFToken"] = self.token
        started = time.perf_counter()
        try:
            response, content = self.send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.errors[name] += 1
            PROBLEMS[type(error).__name__] += 1
            return None, None
        self.timings[name].append(time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie_name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[cookie_name] = value
        if response.will_close:
            self.connection.close()
        if response.status >= 400:
            self.errors[name] += 1
            PROBLEMS[f"{name} {response.status}"] += 1
            return response.status, None
        return response.status, json.loads(content) if content.startswith(b"{") else content

    def send(self, method: str, path: str, body, headers: dict):
        """One request; sent again once on a fresh connection when a kept-alive one turns
        out closed by the other end before any answer, as browsers do."""
        for attempt in (1, 2):
            reused = self.connection.sock is not None
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

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


def burst(target: tuple, accounts: list, size: tuple) -> dict:
    """Every phone at once, the managers reloading meanwhile; timings by endpoint."""
    phones = size[0]
    timings, errors, photos = defaultdict(list), defaultdict(int), []
    start, running = threading.Barrier(phones + 1), threading.Event()
    running.set()
    day = datetime.now(UTC).date().isoformat()
    threads = [
        threading.Thread(target=shift, args=(Phone(target, timings, errors), accounts[n], size,
                                             photos, start))
        for n in range(phones)
    ]  # fmt: skip
    managers = [
        threading.Thread(target=manager, args=(Phone(target, timings, errors), name, day, running))
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


def bare(target: tuple, count: int, phones: int) -> dict:
    """The same number of requests from as many phones at once, to /healthz."""
    timings, errors = defaultdict(list), defaultdict(int)
    start = threading.Barrier(phones + 1)

    def run(phone: Phone, calls: int) -> None:
        start.wait()
        for _ in range(calls):
            phone.call("healthz", "GET", "/healthz")

    share = [count // phones + (n < count % phones) for n in range(phones)]
    threads = [threading.Thread(target=run, args=(Phone(target, timings, errors), share[n]))
               for n in range(phones)]  # fmt: skip
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"timings": timings, "errors": errors, "elapsed": time.perf_counter() - started}


def idle(target: tuple, accounts: list, size: tuple) -> dict:
    """One phone, one manager, alone on the server: the same push and summary."""
    timings, errors = defaultdict(list), defaultdict(int)
    phone, boss = Phone(target, timings, errors), Phone(target, timings, errors)
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
    if PROBLEMS:
        print("  problems: " + ", ".join(f"{k} ×{v}" for k, v in PROBLEMS.most_common()))
        PROBLEMS.clear()
    idle_text = ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in sorted(idle_medians.items()))
    print(f"  idle server, one phone (median of {IDLE_ROUNDS}): {idle_text}")


def measure(label: str, url: str, size: tuple, front) -> None:
    """One run: ``front(url, tmp)`` serves the database and yields where phones connect."""
    phones, batches, per_batch, _ = size
    with tempfile.TemporaryDirectory() as tmp:
        accounts = prepare(url, tmp, phones)
        with front(url, tmp) as target:
            idle_medians = idle(target, accounts, size)
            already = IDLE_ROUNDS * per_batch
            result = burst(target, accounts, size)
            count = sum(len(v) for v in result["timings"].values())
            bare_result = bare(target, count, phones)
            report(label, result, bare_result, idle_medians)
            print("  " + verify(url, result, already + phones * batches * per_batch))


@contextmanager
def one_server(url: str, tmp: str):
    """`floorwalk serve --workers 4`, phones straight to it over HTTP."""
    server, port = start_server(url, tmp, WORKERS)
    try:
        yield port, None
    finally:
        server.terminate()
        server.wait(30)


@contextmanager
def behind_nginx(url: str, tmp: str):
    """The deployment of docs/deployment.md as tests/deploy/test_nginx.py runs it: nginx
    (TLS, HTTP/2 offered) in front of two servers of WORKERS / 2 workers each, sharing the
    database, the photo folder and a Redis of the run's own."""
    from tests.deploy.test_faults import own_redis
    from tests.deploy.test_nginx import nginx, nginx_config

    with ExitStack() as stack:
        redis_url, _ = stack.enter_context(own_redis())
        settings = {"REDIS_URL": redis_url, "HTTPS": "1", "PROXY_HOPS": "1"}
        ports = []
        for _ in range(2):
            server, port = start_server(url, tmp, WORKERS // 2, **settings)
            stack.callback(server.wait, 30)
            stack.callback(server.terminate)
            ports.append(port)
        prefix = Path(tmp) / "nginx"
        prefix.mkdir()
        https_port = free_port()
        # Debian's nginx.conf allows 768 connections a worker; each phone takes two
        # (its own, and one to a server while it is served).
        main = nginx_config(prefix, https_port, ports, connections=768)
        stack.enter_context(nginx(main, https_port))
        yield https_port, ssl.create_default_context(cafile=str(prefix / "cert.pem"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's size (minutes)")
    parser.add_argument("--phones", type=int, help="how many phones (default 200)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--nginx", action="store_true",
        help="also through nginx and two servers with Redis (nginx, openssl, redis-server)",
    )  # fmt: skip
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
        measure("SQLite", f"sqlite:///{Path(tmp) / 'load.sqlite'}", size, one_server)
    if args.sqlite_only or not postgres_reachable():
        print("PostgreSQL: skipped" + ("" if args.sqlite_only else " (not reachable)"))
        return
    with postgres_database("floorwalk_load") as url:
        measure("PostgreSQL", url, size, one_server)
    if args.nginx:
        with postgres_database("floorwalk_load_nginx") as url:
            measure("PostgreSQL, nginx + 2 servers + Redis", url, size, behind_nginx)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
