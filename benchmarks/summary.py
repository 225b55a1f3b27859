"""How long one day's summary takes with a year of history (issue 6, DESIGN §8).

500 stations; 1,000,000 records over 365 days, then 100,000 at the same density (the
same records a day, 37 days of history): the median time of
``daily_summary`` for one day on SQLite and, when the local PostgreSQL answers, on
PostgreSQL (in a database this script creates and drops). Goals: 100 ms or less, and
the 1,000,000-record time within 1.5x of the 100,000-record one (the cost of a day
must not grow with history). Each run also times the bare aggregate SQL of that day
(one GROUP BY over its counts) as the lower bound, and prints the ratio; and the period
report of 7, 30 and 365 days ending that day, each against its own bare SQL (the SUM
over the period's counts). Goals (issue 15): a 30-day report within 15x of its bare SQL,
the 365-day report within 5x of the 30-day one.

    .venv/bin/python benchmarks/summary.py [--records 1000000 100000] [--runs 15]

Environment: FLOORWALK_BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) is the server to create the
benchmark database on; set it to "" to skip PostgreSQL.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from floorwalk import create_app  # noqa: E402
from floorwalk.changes import transaction_change_seq  # noqa: E402
from floorwalk.database import begin_writing  # noqa: E402
from floorwalk.extensions import db  # noqa: E402
from floorwalk.models import (  # noqa: E402
    Area,
    Category,
    Employee,
    Metric,
    Record,
    Station,
    StationMetric,
    User,
)
from floorwalk.settings import plant_clock, set_setting  # noqa: E402
from floorwalk.summaries.day import daily_summary  # noqa: E402
from floorwalk.summaries.period import period_report  # noqa: E402

STATIONS = 500
AREAS = 10
DAYS = 365
LAST_DAY = date(2026, 6, 30)
MEASURED_DAY = LAST_DAY - timedelta(days=20)  # inside every history measured
PER_DAY = 1_000_000 // DAYS  # records a day, whatever the length of the history
BATCH = 20_000
NO_SIGN_IN = "!"  # benchmark users never sign in
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
METRICS = (
    ("units_completed", "counter"),
    ("scrap", "tally"),
    ("material_on_hand", "gauge"),
    ("headcount", "gauge"),
)
SEVERITIES = ("info", "low", "medium", "high", "critical")
BARE_SQL = text(
    "SELECT station_id, metric_id, shift, sum(value), max(value), min(value), count(*) "
    "FROM records WHERE production_day = :day AND deleted = :false AND type = 'count' "
    "GROUP BY station_id, metric_id, shift"
)

# The period report's lower bound: the SUM over the period's counts, one GROUP BY.
PERIOD_BARE_SQL = text(
    "SELECT station_id, metric_id, sum(value), count(*) FROM records "
    "WHERE production_day BETWEEN :day_from AND :day_to AND deleted = :false "
    "AND type = 'count' GROUP BY station_id, metric_id"
)
PERIODS = (7, 30, 365)  # days, each ending on MEASURED_DAY


def make_plant(session) -> dict:
    set_setting(session, "timezone", "America/Chicago")
    set_setting(session, "shifts", "A=06:00,B=14:00,C=22:00")
    metrics = [Metric(key=key, label=key, unit="", kind=kind) for key, kind in METRICS]
    areas = [Area(name=f"Area {n:02d}") for n in range(AREAS)]
    session.add_all(metrics + areas)
    stations = []
    for n in range(STATIONS):
        station = Station(code=f"ST-{n:03d}", name=f"Station {n}", area=areas[n % AREAS])
        station.metrics = [
            StationMetric(metric=metrics[0], position=0, target=300.0),
            StationMetric(metric=metrics[1], position=1, target=8.0),
            StationMetric(metric=metrics[2], position=2, min_level=4.0),
            StationMetric(metric=metrics[3], position=3, min_level=2.0),
        ]
        stations.append(station)
    session.add_all(stations)
    employees = [
        Employee(badge=f"E{n}", name=f"Employee {n}", area=areas[n % AREAS]) for n in range(100)
    ]
    session.add_all(employees)
    users = [
        User(
            username=f"walker{n}",
            password_hash=NO_SIGN_IN,
            role="coordinator",
        )
        for n in range(10)
    ]
    manager = User(username="manager", password_hash=NO_SIGN_IN, role="manager")
    session.add_all(users + [manager])
    session.flush()
    categories = list(session.execute(select(Category)).scalars())
    return {
        "stations": [s.id for s in stations],
        "metrics": metrics,
        "users": users,
        "employees": [e.id for e in employees],
        "categories": categories,
        "manager": manager,
    }


def record_rows(plant: dict, count: int, clock, seq: int, rng: random.Random):
    """``count`` records spread evenly over DAYS days, with day and shift as the server
    computes them (from the shift start instants of each day, zoneinfo-aware)."""
    span = max(-(-count // PER_DAY), 21)
    days = [LAST_DAY - timedelta(days=n) for n in range(span)]
    starts = {day: [(s.name, at) for s, at in clock.shift_starts(day)] for day in days}
    for n in range(count):
        day = days[n % span]
        name, start = starts[day][rng.randrange(3)]
        observed = start + timedelta(seconds=rng.randrange(8 * 3600))
        pick = rng.random()
        row = {
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "version": 1,
            "content_hash": "0" * 64,
            "deleted": rng.random() < 0.01,
            "author_id": rng.choice(plant["users"]).id,
            "station_id": rng.choice(plant["stations"]),
            "walk_id": None,
            "observed_at": observed,
            "device_observed_at": observed.isoformat(),
            "offset_ms": None,
            "received_at": observed,
            "updated_at": observed,
            "production_day": day,
            "shift": name,
            "change_seq": seq,
            "metric_id": None,
            "value": None,
            "category_id": None,
            "severity": None,
            "status": None,
            "minutes": None,
            "employee_id": None,
            "text": None,
        }
        if pick < 0.25:
            row.update(type="visit", data={})
        elif pick < 0.85:
            metric = rng.choice(plant["metrics"])
            value = float(rng.randrange(0, 120 if metric.kind == "counter" else 12))
            row.update(
                type="count",
                data={"metric": metric.key, "value": value},
                metric_id=metric.id,
                value=value,
            )
        elif pick < 0.95:
            category = rng.choice(plant["categories"])
            severity = rng.choice(SEVERITIES)
            row.update(
                type="observation",
                category_id=category.id,
                severity=severity,
                status=rng.choice(("open", "acknowledged", "resolved")),
                minutes=30.0 if category.downtime else None,
                text="Seen on the walk.",
                data={
                    "category": category.key,
                    "severity": severity,
                    "text": "Seen on the walk.",
                    "photos": [],
                },
            )
        else:
            row.update(
                type="employee_note",
                employee_id=rng.choice(plant["employees"]),
                text="Good work.",
                data={"employee": "E1", "kind": "recognition", "text": "Good work."},
            )
        yield row


def load(app, count: int) -> None:
    rng = random.Random(6)
    with app.app_context():
        begin_writing(db.session)
        plant = make_plant(db.session)
        seq = transaction_change_seq(db.session)
        clock = plant_clock(db.session)
        table = Record.__table__
        batch = []
        for row in record_rows(plant, count, clock, seq, rng):
            batch.append(row)
            if len(batch) == BATCH:
                db.session.execute(insert(table), batch)
                batch = []
        if batch:
            db.session.execute(insert(table), batch)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
                # The load's dirty pages written now, not by the checkpointer while the
                # summary is timed (two runs of nearly the same code measured 20.8 and
                # 29.0 ms before this).
                conn.execute(text("CHECKPOINT"))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))


def median_ms(action, runs: int) -> float:
    action()  # warm the caches, as a server that has served the page once
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(app, runs: int) -> tuple[float, float, int]:
    with app.app_context():
        manager = db.session.execute(select(User).where(User.username == "manager")).scalar_one()
        after = datetime(2026, 7, 1, 12, tzinfo=UTC)

        def summary():
            result = daily_summary(db.session, MEASURED_DAY, manager, now=after)
            db.session.rollback()  # each page view is its own transaction
            return result

        stations = len(summary()["stations"])

        def bare():
            with db.engine.connect() as conn:
                conn.execute(BARE_SQL, {"day": MEASURED_DAY, "false": False}).all()

        return median_ms(summary, runs), median_ms(bare, runs), stations


def measure_periods(app, runs: int) -> dict[int, tuple[float, float]]:
    """The period report of each of PERIODS days (it reads the previous period too) and
    its bare aggregate SQL, in the same run: {days: (report ms, bare ms)}."""
    out = {}
    with app.app_context():
        for days in PERIODS:
            day_from = MEASURED_DAY - timedelta(days=days - 1)

            def report(day_from=day_from):
                result = period_report(db.session, day_from, MEASURED_DAY)
                db.session.rollback()
                return result

            def bare(day_from=day_from):
                with db.engine.connect() as conn:
                    values = {"day_from": day_from, "day_to": MEASURED_DAY, "false": False}
                    conn.execute(PERIOD_BARE_SQL, values).all()

            out[days] = (median_ms(report, runs), median_ms(bare, runs))
    return out


def query_plans(app, station_code: str = "ST-007") -> str:
    """The plan of every statement on ``records`` that one summary and one station
    history run, as the database explains them."""
    from floorwalk.summaries.trend import station_history

    statements = []
    with app.app_context():
        engine = db.engine

        def keep(conn, cursor, statement, parameters, context, executemany):
            if "FROM records" in statement and not statement.startswith("EXPLAIN"):
                statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", keep)
        manager = db.session.execute(select(User).where(User.username == "manager")).scalar_one()
        daily_summary(db.session, MEASURED_DAY, manager)
        station = db.session.execute(select(Station).where(Station.code == station_code))
        station_history(db.session, station.scalar_one(), MEASURED_DAY)
        event.remove(engine, "before_cursor_execute", keep)
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        out = []
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in statements:
                cursor.execute(prefix + statement, parameters)
                plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
                out.append(f"{' '.join(statement.split())}\n--\n{plan}\n")
        finally:
            raw.close()
        db.session.rollback()
    return "\n".join(out)


def build_app(url: str, workdir: str):
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    app = create_app(config, instance_path=os.path.join(workdir, "instance"))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


def run(label: str, url: str, count: int, runs: int, workdir: str, plans=None) -> float:
    app = build_app(url, workdir)
    started = time.perf_counter()
    load(app, count)
    loaded = time.perf_counter() - started
    summary_ms, bare_ms, stations = measure(app, runs)
    periods = measure_periods(app, runs)
    if plans:
        with open(plans, "a") as out:
            out.write(f"## {label}, {count:,} records\n\n{query_plans(app)}\n")
    with app.app_context():
        db.engine.dispose()
    print(
        f"{label:10} {count:>9,} records (loaded in {loaded:5.1f} s): "
        f"summary {summary_ms:7.1f} ms, bare SQL {bare_ms:6.1f} ms, "
        f"ratio {summary_ms / bare_ms:5.1f}x  ({stations} stations)",
        flush=True,
    )
    for days, (report_ms, period_bare_ms) in periods.items():
        print(
            f"{'':10} {days:>3}-day report {report_ms:7.1f} ms, bare SQL {period_bare_ms:6.1f} ms, "
            f"ratio {report_ms / period_bare_ms:5.1f}x",
            flush=True,
        )
    if 30 in periods and 365 in periods:
        print(f"{'':10} 365-day / 30-day report: {periods[365][0] / periods[30][0]:.2f}x")
    return summary_ms


def postgres_database(server_url: str):
    """A fresh database on the server, or None when the server does not answer."""
    name = f"fw_bench_{uuid.uuid4().hex[:8]}"
    try:
        engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure means no PostgreSQL to measure on
        print(f"PostgreSQL skipped: {type(error).__name__}")
        return None, None
    return engine, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 100_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--plans", help="append the query plans of the largest run to this file")
    args = parser.parse_args()
    print(
        f"One day's summary ({MEASURED_DAY}), {STATIONS} stations, {PER_DAY:,} records a day;"
        f" median of {args.runs} runs"
    )
    results: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for count in args.records:
            url = f"sqlite:///{workdir}/bench-{count}.sqlite"
            plans = args.plans if count == max(args.records) else None
            results.setdefault("SQLite", {})[count] = run(
                "SQLite", url, count, args.runs, workdir, plans
            )
        server = os.environ.get("FLOORWALK_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
        for count in args.records if server else []:
            engine, name = postgres_database(server)
            if engine is None:
                break
            try:
                url = make_url(server).set(database=name).render_as_string(hide_password=False)
                plans = args.plans if count == max(args.records) else None
                results.setdefault("PostgreSQL", {})[count] = run(
                    "PostgreSQL", url, count, args.runs, workdir, plans
                )
            finally:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                engine.dispose()
    for label, by_count in results.items():
        if len(by_count) >= 2:
            big, small = max(by_count), min(by_count)
            print(
                f"{label}: {big:,} vs {small:,} records: "
                f"{by_count[big] / by_count[small]:.2f}x (goal <= 1.5x); "
                f"{by_count[big]:.1f} ms (goal <= 100 ms)"
            )


if __name__ == "__main__":
    main()
