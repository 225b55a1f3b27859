"""How long a period report takes with a year of history (issue 15, DESIGN §10).

The plant of benchmarks/summary.py (500 stations, 4 metrics, 3 shifts), 1,000,000
records over 365 days, loaded in bulk (indexes dropped, rows inserted in batches of
50,000 with one executemany each, indexes built again). Then the median time of
``period_report`` (which also reads the previous period of equal length) for 30 and for
365 days ending on the same day, each against its bare lower bound measured in the same
run: one GROUP BY station and metric over the period's live counts, on the same index;
the records each report reads (its span and the previous one), and so the year's time
per record against the month's; and the report page's figures (``report_and_trends``:
the report and each station's sparkline from the same pass), against the report alone.
Goals: the 30-day report 250 ms or less and within 15x of its bare SQL; the 365-day
report within 5x of the 30-day one. On SQLite, then on PostgreSQL when it answers (a
database made for the run and dropped after it).

    .venv/bin/python benchmarks/period.py [--records 1000000] [--runs 9]

Environment: FLOORWALK_BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres); set it to "" to skip PostgreSQL.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import bindparam, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from summary import (  # noqa: E402  (the plant, its records and the timing of the day summary's benchmark)
    DEFAULT_POSTGRES,
    MEASURED_DAY,
    build_app,
    make_plant,
    median_ms,
    postgres_database,
    record_rows,
)

from floorwalk.changes import transaction_change_seq  # noqa: E402
from floorwalk.database import begin_writing  # noqa: E402
from floorwalk.extensions import db  # noqa: E402
from floorwalk.models import WALK_RECORD_TYPES, Record  # noqa: E402
from floorwalk.settings import plant_clock  # noqa: E402
from floorwalk.summaries.period import period_report, report_and_trends  # noqa: E402

BATCH = 50_000
PERIODS = (30, 365)  # days, each ending on MEASURED_DAY
# The lower bound: the period's live counts summed per station and metric, one GROUP BY,
# the days listed as the report lists them (both databases seek them in the covering
# ix_records_day_type).
BARE_SQL = text(
    "SELECT station_id, metric_id, sum(value), max(value), count(*) FROM records "
    "WHERE production_day IN :days AND deleted = :false AND type = 'count' "
    "GROUP BY station_id, metric_id"
).bindparams(bindparam("days", expanding=True))


def secondary_indexes(conn) -> list[tuple[str, str]]:
    """(name, CREATE statement) of each ix_ index on records, as the database holds it."""
    if conn.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"
    else:
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records'"
    return [(name, sql) for name, sql in conn.execute(text(query)) if name.startswith("ix_")]


def load(app, count: int) -> float:
    """``count`` records in bulk; the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(15)
    with app.app_context():
        begin_writing(db.session)
        plant = make_plant(db.session)
        seq = transaction_change_seq(db.session)
        clock = plant_clock(db.session)
        db.session.commit()
        with db.engine.begin() as conn:
            indexes = secondary_indexes(conn)
            for name, _ in indexes:
                conn.execute(text(f"DROP INDEX {name}"))
            batch = []
            for n, row in enumerate(record_rows(plant, count, clock, seq, rng)):
                row["id"] = uuid.UUID(int=n + 1)  # ids that grow, as UUIDv7 ones do
                batch.append(row)
                if len(batch) == BATCH:
                    conn.execute(insert(Record.__table__), batch)
                    batch = []
            if batch:
                conn.execute(insert(Record.__table__), batch)
            for _, create in indexes:
                conn.execute(text(create))
        # The plant's rows were read again after the commit, which left the session in a
        # transaction: its snapshot would keep VACUUM from marking any page all-visible,
        # and PostgreSQL could then never answer from an index alone, as it does on a
        # database autovacuum keeps.
        db.session.close()
        analyze = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(analyze))
    return time.perf_counter() - started


def all_visible(app) -> str:
    """PostgreSQL: the share of the records' pages VACUUM marked all-visible (what lets a
    query read an index alone); empty on SQLite."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return ""
        with db.engine.connect() as conn:
            pages, visible = conn.execute(
                text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'records'")
            ).one()
    return f"; {visible / max(pages, 1):.0%} of its pages all-visible"


# What a report reads: the live walk records of its span and of the previous span of
# equal length (``period_report`` reads both).
READ_SQL = text(
    "SELECT count(*) FROM records WHERE production_day BETWEEN :first AND :last "
    "AND deleted = :false AND type IN :types"
).bindparams(bindparam("types", expanding=True))


def records_read(day_from: date) -> int:
    first = day_from - (MEASURED_DAY - day_from) - timedelta(days=1)
    with db.engine.connect() as conn:
        values = {"first": first, "last": MEASURED_DAY, "false": False,
                  "types": list(WALK_RECORD_TYPES)}  # fmt: skip
        return conn.execute(READ_SQL, values).scalar_one()


def measure(app, runs: int) -> dict[int, tuple[float, float, int, float, int]]:
    """{days: (report ms, bare SQL ms, stations in the report, the page's figures ms,
    the records the report reads)}."""
    out = {}
    with app.app_context():
        for days in PERIODS:
            day_from = MEASURED_DAY - timedelta(days=days - 1)
            listed = [day_from + timedelta(days=n) for n in range(days)]

            def report(day_from: date = day_from):
                result = period_report(db.session, day_from, MEASURED_DAY)
                db.session.rollback()  # each page view is its own transaction
                return result

            def page(day_from: date = day_from):
                result = report_and_trends(db.session, day_from, MEASURED_DAY)
                db.session.rollback()
                return result

            def bare(listed: list[date] = listed):
                with db.engine.connect() as conn:
                    conn.execute(BARE_SQL, {"days": listed, "false": False}).all()

            stations = len(report()["stations"])
            out[days] = (median_ms(report, runs), median_ms(bare, runs), stations,
                         median_ms(page, runs), records_read(day_from))  # fmt: skip
    return out


def run(label: str, url: str, count: int, runs: int, workdir: str) -> None:
    app = build_app(url, workdir)
    loaded = load(app, count)
    visible = all_visible(app)
    figures = measure(app, runs)
    with app.app_context():
        db.engine.dispose()
    print(f"{label}: {count:,} records, loaded in {loaded:.1f} s{visible}; median of {runs} runs")
    for days, (report_ms, bare_ms, stations, page_ms, read) in figures.items():
        print(
            f"  {days:>3}-day report {report_ms:8.1f} ms, bare SQL {bare_ms:7.1f} ms, "
            f"ratio {report_ms / bare_ms:5.1f}x  ({stations} stations, {read:,} records "
            f"read); with the page's sparklines {page_ms:.1f} ms "
            f"({page_ms / report_ms:.2f}x the report)",
            flush=True,
        )
    (month, *_, month_read), (year, *_, year_read) = figures[30], figures[365]
    print(
        f"  30-day report {month:.1f} ms (goal <= 250 ms), "
        f"{month / figures[30][1]:.1f}x its bare SQL (goal <= 15x); "
        f"365-day / 30-day {year / month:.2f}x (goal <= 5x), reading "
        f"{year_read / month_read:.2f}x the records: "
        f"{(year / year_read) / (month / month_read):.2f}x the time per record",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        run("SQLite", f"sqlite:///{workdir}/period.sqlite", args.records, args.runs, workdir)
        server = os.environ.get("FLOORWALK_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
        engine, name = postgres_database(server) if server else (None, None)
        if engine is None:
            return
        try:
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            run("PostgreSQL", url, args.records, args.runs, workdir)
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()


if __name__ == "__main__":
    main()
