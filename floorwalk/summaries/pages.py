"""What the summary pages show beyond a summary's JSON: the day page's trend, chart and
filter choices, a station's history with its charts, and the follow-up list's choices.
The views render these as they come."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..actions.figures import action_figures
from ..models import SEVERITIES, Area, Category, Metric, Station, StationMetric, User, utcnow
from ..permissions import (
    may_follow_up,
    may_follow_up_at_all,
    may_list_devices,
    may_see_phones_at_risk,
    supervised_area_ids,
)
from ..settings import plant_clock
from ..sync.devices import stale_device_count
from .alerts import elapsed_share
from .day import daily_summary
from .followup import AGES, ObservationFilter, follow_up_history, list_observations
from .period import TREND_DAILY_DAYS
from .plots import history_charts, sparkline, trend_charts
from .scope import SummaryError, known_area, metrics_by_key
from .spans import first_record_day
from .trend import daily_trend, station_history
from .verdict import station_grid, verdict

REPORT_LINKS = (7, 30)  # the period reports the day page links to, ending that day


def plant_today(session: Session) -> date:
    return plant_clock(session).production_day(utcnow())


def day_page(
    session: Session, day: date, viewer: User, area_id: int | None, shift: str | None
) -> dict[str, Any]:
    """The day page: the summary, its 14-day trend and chart, and the filters' choices.

    Raises SummaryError as ``daily_summary`` does.
    """
    summary = daily_summary(session, day, viewer, area_id, shift)
    trend = daily_trend(session, day, area_id, summary["shift"])
    metrics = metrics_by_key(session)
    clock = plant_clock(session)
    now = utcnow()
    today = clock.production_day(now)
    pace = 1.0 if summary["complete"] else elapsed_share(clock, day, summary["shift"], now)
    records_from = first_record_day(session)
    return {
        "summary": summary,
        # A day before the plant's records begin has nothing to decide: every station
        # would read missed and behind plan for a day nobody used floorwalk.
        "records_from": records_from,
        "before_records": records_from is not None and day < records_from,
        # Actions opened, closed and overdue that day (DESIGN §10; not in §3's JSON).
        "day_actions": action_figures(session, day, day, area_id, today),
        "day": day,
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "today": today,
        "trend": trend,
        "trend_plots": trend_charts(trend),
        "areas": session.execute(select(Area).order_by(Area.name)).scalars().all(),
        "shifts": [s.name for s in clock.shifts],
        "metrics": metrics,
        "gauge_keys": read_gauges(summary, metrics),
        "categories": dict(session.execute(select(Category.key, Category.label)).all()),
        "can_follow_up": may_follow_up_at_all(viewer),
        "can_export_records": may_follow_up_at_all(viewer),
        "report_from": {n: (day - timedelta(days=n - 1)).isoformat() for n in REPORT_LINKS},
        "station_names": {row["code"]: row["name"] for row in summary["stations"]},
        "verdict": verdict(summary),
        "pace": pace,
        "grid": station_grid(summary, {key: m.kind for key, m in metrics.items()}, pace),
        "phones_at_risk": (
            stale_device_count(session, utcnow()) if may_see_phones_at_risk(viewer) else None
        ),
        "can_list_devices": may_list_devices(viewer),
    }


def read_gauges(summary: dict[str, Any], metrics: dict[str, Metric]) -> list[str]:
    """The gauges some station of the summary has a reading of (the levels table's columns)."""
    return [
        key
        for key, metric in metrics.items()
        if metric.kind == "gauge"
        and any(
            station["counts"].get(key, {}).get("last") is not None
            for station in summary["stations"]
        )
    ]


def station_page(session: Session, code: str, viewer: User, until: date | None) -> dict[str, Any]:
    """A station's page: its history up to ``until`` (today by default) and a chart per
    metric with a value or a target. Raises SummaryError (404) for an unknown code."""
    found = session.execute(select(Station).where(Station.code == code)).scalar_one_or_none()
    if found is None:
        raise SummaryError(f"No station {code!r}.", 404)
    history = station_history(session, found, until or plant_today(session))
    levels = dict(
        session.execute(
            select(StationMetric.metric_id, StationMetric.min_level).where(
                StationMetric.station_id == found.id
            )
        ).all()
    )
    charts = history_charts(history["series"], levels)
    return {
        "station": found,
        "history": history,
        "charts": charts,
        "can_follow_up": may_follow_up_at_all(viewer),
    }


def follow_up_page(session: Session, viewer: User, wanted: ObservationFilter) -> dict[str, Any]:
    """The follow-up list with each observation's history, and the filters' choices (a
    supervisor chooses among their own areas). SummaryError (404) for an unknown area."""
    known_area(session, wanted.area_id)
    rows = list_observations(session, viewer, wanted)
    areas_allowed = supervised_area_ids(viewer)
    area_query = select(Area).order_by(Area.name)
    if areas_allowed is not None:
        area_query = area_query.where(Area.id.in_(areas_allowed))
    return {
        "rows": rows,
        "history": follow_up_history(session, [record.id for record, _, _ in rows]),
        "areas": session.execute(area_query).scalars().all(),
        "categories": session.execute(select(Category).order_by(Category.position)).scalars(),
        "severities": SEVERITIES,
        "ages": AGES,
        "zone": plant_clock(session).zone,
        "may_follow_up": lambda record: may_follow_up(viewer, record),
    }


def report_page(session: Session, report: dict[str, Any], trends: dict) -> dict[str, Any]:
    """The period report page beyond its JSON: the filters' choices and metric labels,
    each station's metrics against the previous period's, and each station's sparkline
    of attainment by day (by week over long spans), from ``report_and_trends``."""
    clock = plant_clock(session)
    # A station nobody visited in the previous period has no figures to compare: "—",
    # not 0 %.
    before = {
        row["code"]: row["counts"] for row in report["previous"]["stations"] if row["visited_days"]
    }
    day_from, day_to = date.fromisoformat(report["from"]), date.fromisoformat(report["to"])
    names = {row["code"]: f"{row['code']} {row['name']}" for row in report["stations"]}
    return {
        "sparklines": {
            code: sparkline([(day.strftime("%m-%d"), v) for day, v in trends[code]], name)
            for code, name in names.items()
            if code in trends
        },
        "trend_by_week": (day_to - day_from).days + 1 > TREND_DAILY_DAYS,
        # The days asked for before the plant's records begin (period.counted_from); and,
        # as for a station above, a previous period nobody visited (before the records
        # begin, say) has nothing to compare with: "—", not "+46 observations".
        "days_before_records": (day_from - date.fromisoformat(report["asked_from"])).days,
        # A span that ends before the records begin has nothing counted to show: its
        # stations would read "0 % ▼, visited 0 of 7 days" for days nobody used floorwalk.
        "before_records": report["records_from"] is not None
        and day_to < date.fromisoformat(report["records_from"]),
        "previous_empty": not any(
            day["visited"] for day in report["previous"]["coverage"]["by_day"].values()
        ),
        "areas": session.execute(select(Area).order_by(Area.name)).scalars().all(),
        "shifts": [s.name for s in clock.shifts],
        "metrics": metrics_by_key(session),
        "categories": dict(session.execute(select(Category.key, Category.label)).all()),
        "previous_counts": before,
        "today": clock.production_day(utcnow()),
    }
