"""The day page's verdict and grid (DESIGN §10): what needs a decision, grouped by kind
and worst first, in one headline; then a station × metric grid by area, each cell's
attainment as a number, a symbol and a colour class (colour is never the only signal).

Made from the summary's JSON alone: no query of its own.
"""

import math
from collections import defaultdict
from typing import Any

from .alerts import LOW_ATTAINMENT

SAFETY_CATEGORY = "safety"
# The groups of the verdict, worst first: (kind, title, how the headline counts them).
GROUPS = (
    (
        "safety",
        "Safety and critical observations",
        ("critical observation", "critical observations"),
    ),
    ("observation", "Other open high observations", ("high observation", "high observations")),
    ("behind", "Stations behind plan", ("station behind plan", "stations behind plan")),
    ("material", "Below minimum level", ("level below minimum", "levels below minimum")),
    ("missed", "Missed stations", ("missed station", "missed stations")),
)
TITLES = {kind: title for kind, title, _ in GROUPS}


def alert_group(alert: dict[str, Any]) -> str:
    if alert["kind"] == "open_observation":
        serious = alert["category"] == SAFETY_CATEGORY or alert["severity"] == "critical"
        return "safety" if serious else "observation"
    return {"low_attainment": "behind", "below_min_level": "material"}.get(alert["kind"], "missed")


def verdict(summary: dict[str, Any]) -> dict[str, Any]:
    """The headline and the groups of what needs a decision. A station behind plan on
    several metrics is one decision: its alerts make one item."""
    names = {row["code"]: row["name"] for row in summary["stations"]}
    items: dict[str, list[dict]] = defaultdict(list)
    by_station: dict[tuple[str, str], dict] = {}
    for alert in summary["alerts"]:
        kind = alert_group(alert)
        station = alert.get("station")
        if kind in ("behind", "material") and (kind, station) in by_station:
            by_station[(kind, station)]["alerts"].append(alert)
            continue
        item = {"station": station, "name": names.get(station), "alerts": [alert]}
        items[kind].append(item)
        if kind in ("behind", "material"):
            by_station[(kind, station)] = item
    groups, phrases = [], []
    for kind, title, (one, many) in GROUPS:
        if items[kind]:
            count = len(items[kind])
            groups.append({"kind": kind, "title": title, "count": count, "items": items[kind]})
            if kind == "safety":  # the headline tells safety from other critical ones
                safety = sum(
                    item["alerts"][0]["category"] == SAFETY_CATEGORY for item in items[kind]
                )
                count -= safety
                if safety:
                    phrases.append(f"{safety} safety")
            if count:
                phrases.append(f"{count} {one if count == 1 else many}")
    total = sum(g["count"] for g in groups)
    if total:
        headline = f"{total} need{'s' if total == 1 else ''} a decision: {', '.join(phrases)}"
    elif summary["complete"]:
        headline = "Nothing needs a decision: every station on plan, nothing open."
    else:
        headline = "Nothing needs a decision so far today."
    return {"headline": headline, "total": total, "groups": groups}


def percent(value: float | None) -> str:
    """A share as people read it: the nearest whole percent, except that rounding never
    lifts a share onto the 80 % or the 100 % the marks are read against (99.6 % reads
    99 %, not "100 % –" for a target missed); "—" for no figure."""
    if value is None or not math.isfinite(value):
        return "—"
    shown = math.floor(value * 100 + 0.5)
    for mark in (round(LOW_ATTAINMENT * 100), 100):
        if shown == mark and value < mark / 100:
            shown = mark - 1
    return f"{shown}%"


def attainment_mark(attainment: float | None, pace: float = 1.0) -> tuple[str, str]:
    """A cell's colour class and the symbol that says the same without colour: its
    attainment against ``pace``, the share of the day target due by now (1 once the day
    is over)."""
    if attainment is None:
        return "att-none", ""
    if attainment >= pace:
        return "att-met", "✓"
    if attainment >= LOW_ATTAINMENT * pace:
        return "att-near", "–"
    return "att-low", "▼"


def station_grid(
    summary: dict[str, Any], kinds: dict[str, str], pace: float = 1.0
) -> dict[str, Any]:
    """Areas of stations × the metrics any station of the day has, amounts first then
    gauges; each cell the figure, its attainment, colour class and symbol. While the day
    is in progress (``pace`` < 1) an amount is held to the share of the day gone by, and
    one nothing was counted for yet is shown as not counted, not as behind (a counted 0,
    a station standing still, is behind)."""
    order: dict[str, int] = {}
    for row in summary["stations"]:
        for key in row["counts"]:
            order.setdefault(key, len(order))
    columns = sorted(order, key=lambda k: (kinds.get(k) == "gauge", order[k]))
    areas: dict[str, list] = defaultdict(list)
    for row in summary["stations"]:
        cells = []
        for key in columns:
            figures = row["counts"].get(key)
            cells.append(grid_cell(figures, kinds.get(key), pace) if figures else None)
        areas[row["area"]].append({"code": row["code"], "name": row["name"], "cells": cells})
    return {"columns": columns, "areas": list(areas.items())}


def grid_cell(figures: dict[str, Any], kind: str | None, pace: float = 1.0) -> dict[str, Any]:
    if kind == "gauge":
        below = figures.get("below")
        value = figures.get("last")
        css, symbol = ("att-low", "▼") if below else attainment_mark(figures.get("attainment"))
        title = f"last {value}" + (f", min level {figures['min_level']}" if below else "")
        return {"css": css, "symbol": symbol, "text": "—" if value is None else value,
                "title": title}  # fmt: skip
    attainment = figures.get("attainment")
    target = figures.get("target")
    if pace < 1 and not figures.get("counted", True):
        return {"css": "att-none", "symbol": "", "text": "—", "title": "not counted yet"}
    css, symbol = attainment_mark(attainment, pace)
    text = percent(attainment) if attainment is not None else str(figures.get("total", "—"))
    title = f"{figures.get('total')} of {target}" if target is not None else "no target"
    if pace < 1 and target is not None:
        title += f"; on pace: {pace * target:.0f} by now"
    return {"css": css, "symbol": symbol, "text": text, "title": title}
