"""Stations and the metrics each lists, in order, with standing targets and min levels."""

from typing import Any

from sqlalchemy.orm import Session

from ..audit import audit_change, record_audit
from ..models import Metric, Station, StationMetric
from .areas import ensure_area
from .errors import CatalogError
from .lookups import metric_by_key, station_by_code
from .ordering import move_one_place


def station_values(station: Station) -> dict[str, Any]:
    return {
        "code": station.code,
        "name": station.name,
        "area": station.area.name,
        "active": station.active,
    }


def target_values(entry: StationMetric) -> dict[str, Any]:
    return {
        "station": entry.station.code,
        "metric": entry.metric.key,
        "target": entry.target,
        "min_level": entry.min_level,
    }


def save_station(
    session: Session, actor, station: Station | None, values: dict, action: str | None = None
) -> Station:
    """Create or update a station; its code never changes once printed on a label."""
    before = station_values(station) if station else None
    area = ensure_area(session, values["area"], actor)
    if station is None:
        if station_by_code(session, values["code"]) is not None:
            raise CatalogError(f"The station code {values['code']!r} is taken.", "code")
        station = Station(code=values["code"], area=area)
        session.add(station)
    station.name = values["name"]
    station.area = area
    station.active = values["active"]
    audit_change(session, actor, "station", station.code, before, station_values(station), action)
    return station


def set_station_metric(
    session: Session,
    actor,
    station: Station,
    metric: Metric,
    target: float | None,
    min_level: float | None,
    action: str | None = None,
) -> StationMetric:
    """List ``metric`` at ``station`` (at the end) or change its target and min level."""
    entry = next((e for e in station.metrics if e.metric_id == metric.id), None)
    before = target_values(entry) if entry else None
    if entry is None:
        position = max((e.position for e in station.metrics), default=-1) + 1
        entry = StationMetric(metric=metric, position=position)
        station.metrics.append(entry)
    entry.target = target
    entry.min_level = min_level
    key = f"{station.code}/{metric.key}"
    audit_change(session, actor, "target", key, before, target_values(entry), action)
    return entry


def add_metrics_to_stations(
    session: Session, actor, codes: list[str], keys: list[str]
) -> list[StationMetric]:
    """List each metric of ``keys`` at each station of ``codes`` that does not list it yet,
    at the end, without a target (one step after a stations import). Unknown codes or
    keys are refused and nothing is added."""
    stations = [station_by_code(session, code) for code in codes]
    metrics = [metric_by_key(session, key) for key in keys]
    unknown = [c for c, s in zip(codes, stations, strict=True) if s is None]
    unknown += [k for k, m in zip(keys, metrics, strict=True) if m is None]
    if unknown:
        raise CatalogError(f"No station or metric {', '.join(unknown)}: nothing was added.")
    if not stations or not metrics:
        raise CatalogError("Choose at least one metric for at least one station.")
    added = []
    for station in stations:
        listed = {entry.metric_id for entry in station.metrics}
        for metric in metrics:
            if metric.id not in listed:
                added.append(set_station_metric(session, actor, station, metric, None, None))
    session.flush()
    return added


def remove_station_metric(session: Session, actor, entry: StationMetric) -> None:
    station = entry.station
    key = f"{station.code}/{entry.metric.key}"
    record_audit(session, actor, "delete", "target", key, target_values(entry), None)
    order_station_metrics(station, [e for e in station.metrics if e is not entry])
    session.flush()


def order_station_metrics(station: Station, entries: list[StationMetric]) -> None:
    """List ``entries`` at ``station`` in this order, numbered 0, 1, 2…: positions stay
    dense and unique, and the loaded list shows the order the database now holds.

    Left out entries are deleted. A changed position makes the station's change number
    go up (changes.py), so phones pull the new order.
    """
    for position, entry in enumerate(entries):
        if entry.position != position:
            entry.position = position
    station.metrics = entries


def move_station_metric(
    session: Session, actor, station: Station, metric: Metric, step: int
) -> None:
    """Move ``metric`` one place up (step -1) or down (+1) in the station's list, the order
    the phone's station view, the daily summary and the station history show."""
    entries = {entry.metric.key: entry for entry in station.metrics}
    if metric.key not in entries:
        raise CatalogError(f"{metric.key} is not listed at {station.code}; reload the page.")
    keys = list(entries)
    move_one_place(
        session,
        actor,
        keys,
        keys.index(metric.key),
        step,
        store=lambda order: order_station_metrics(station, [entries[k] for k in order]),
        audited=("station", station.code, "metrics"),
    )
