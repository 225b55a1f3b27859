"""Charts people can read (DESIGN §10): one y-axis per chart with its title, a visible
legend, an x-axis title, labels that stay at least 11 px on a 390 px phone, the target
and the minimum level drawn where they exist, and the same figures as a table.

The geometry is plain numbers the macro ``readable_chart`` in summary/_macros.html
places; the viewBox is narrow (360 units) so that its 13-unit text is drawn at about
12 px in a phone's card, and the CSS caps the chart's width on a laptop.
"""

import math
from typing import Any

from .verdict import percent as as_percent

WIDTH, HEIGHT = 360, 230
LEFT, RIGHT, TOP, BOTTOM = 52, 22, 34, 48
FONT = 13  # viewBox units: ~12 px at a phone card's ~330 px
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _finite(value: float | None) -> float | None:
    """A figure as a chart draws it: one that is not finite (stored before values were
    checked) draws as none, never as a crash or an axis to infinity."""
    return value if value is not None and math.isfinite(value) else None


def _nice_top(value: float) -> float:
    """A round top for the axis at or above ``value``: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _y(value: float, top: float) -> float:
    return round(TOP + PLOT_H - (value / top) * PLOT_H, 1)


def _show(value, percent: bool) -> str:
    if value is None:
        return "—"
    return as_percent(value) if percent else f"{value:g}"


def readable_chart(
    days: list[str],
    values: list[float | None],
    *,
    y_title: str,
    value_name: str,
    style: str = "bars",
    percent: bool = False,
    targets: list[float | None] | None = None,
    min_level: float | None = None,
) -> dict[str, Any]:
    """One series over ``days`` (labels such as "02-10") on one y-axis, with a stepped
    target line (``targets``, per day) and a level line (``min_level``) where given.
    ``style`` "bars" or "line"; ``percent`` shows values 0..1 as percentages."""
    values = [_finite(v) for v in values]
    targets = [_finite(v) for v in targets] if targets else [None] * len(days)
    min_level = _finite(min_level)
    known = [v for v in values + targets + [min_level] if v is not None]
    top = _nice_top(max(known + [1 if percent else 4]))
    step = PLOT_W / max(len(days), 1)
    bars, points, target_line = [], [], []
    for index, (day, value, target) in enumerate(zip(days, values, targets, strict=True)):
        x = LEFT + index * step
        title = f"{day}: {_show(value, percent)}"
        if target is not None:
            title += f", target {_show(target, percent)}"
            ty = _y(target, top)
            target_line += [f"{round(x, 1)},{ty}", f"{round(x + step, 1)},{ty}"]
        if value is None:
            continue
        y = _y(value, top)
        if style == "bars":
            width = max(step * 0.6, 2)
            bars.append(
                {
                    "x": round(x + (step - width) / 2, 1),
                    "y": y,
                    "width": round(width, 1),
                    "height": round(TOP + PLOT_H - y, 1),
                    "title": title,
                }  # fmt: skip
            )
        else:
            points.append((round(x + step / 2, 1), y, title))
    every = max(1, -(-len(days) // 6))  # at most about six day labels
    legend = [("value", value_name)]
    if target_line:
        legend.append(("target", "target"))
    if min_level is not None:
        legend.append(("level", f"min level {min_level:g}"))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "base": TOP + PLOT_H,
        "font": FONT,
        "y_title": y_title,
        "y_mid": TOP + PLOT_H / 2,
        "ticks": [(_y(v, top), _show(v, percent)) for v in (0, top / 2, top)],
        "bars": bars,
        "line": " ".join(f"{x},{y}" for x, y, _ in points),
        "dots": points,
        "target": " ".join(target_line),
        "level_y": _y(min_level, top) if min_level is not None else None,
        "labels": [
            (round(LEFT + i * step + step / 2, 1), day)
            for i, day in enumerate(days)
            if (len(days) - 1 - i) % every == 0
        ],
        "legend": [(kind, text, LEFT + n * 110) for n, (kind, text) in enumerate(legend)],
        "rows": [
            (day, _show(value, percent), _show(target, percent))
            for day, value, target in zip(days, values, targets, strict=True)
        ],
        "has_target": bool(target_line),
    }


def trend_charts(trend: list[dict]) -> list[tuple[str, str, dict]]:
    """The day page's trend as two charts, each with one y-axis: attainment against the
    100 % target, and observations."""
    days = [point["day"][5:] for point in trend]
    return [
        (
            "attainment",
            "Attainment against target",
            readable_chart(
                days,
                [point["attainment"] for point in trend],
                y_title="% of target",
                value_name="attainment",
                style="line",
                percent=True,
                targets=[1.0] * len(days),
            ),
        ),
        (
            "observations",
            "Observations",
            readable_chart(
                days,
                [point["observations"] for point in trend],
                y_title="observations",
                value_name="observations",
            ),
        ),
    ]


def history_charts(series: list[dict], min_levels: dict[int, float | None]) -> list[tuple]:
    """A station page's chart per metric with a value or a target: its daily figure as
    bars, the target as a stepped line, a gauge's minimum level as a line."""
    charts = []
    for item in series:
        metric, points = item["metric"], item["points"]
        if not any(p["value"] is not None or p["target"] is not None for p in points):
            continue
        gauge = metric.kind == "gauge"
        chart = readable_chart(
            [p["day"].strftime("%m-%d") for p in points],
            [p["value"] for p in points],
            y_title=metric.unit or metric.label,
            value_name="last reading" if gauge else "total",
            targets=[p["target"] for p in points],
            min_level=min_levels.get(metric.id),
        )
        charts.append((metric, chart))
    return charts


SPARK_W, SPARK_H = 120, 30
SPARK_PAD = 3
STEADY = 0.05  # a change of less than 5 points of attainment reads "steady"


def sparkline(points: list[tuple[str, float | None]], name: str) -> dict[str, Any]:
    """A small line of attainment over the period (0 at the bottom, 100 % drawn as a
    line), and the same trend in words for people who do not see it: ``label``."""
    values = [(label, _finite(value)) for label, value in points]
    known = [(label, value) for label, value in values if value is not None]
    top = max([1.0] + [v for _, v in known])
    step = (SPARK_W - 2 * SPARK_PAD) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(SPARK_H - SPARK_PAD - value / top * (SPARK_H - 2 * SPARK_PAD), 1)

    coords = [
        (round(SPARK_PAD + i * step, 1), y(value))
        for i, (_, value) in enumerate(values)
        if value is not None
    ]
    return {
        "width": SPARK_W,
        "height": SPARK_H,
        "line": " ".join(f"{x},{cy}" for x, cy in coords),
        "last": coords[-1] if coords else None,
        "target_y": y(1.0),
        "label": f"{name}: attainment {trend_words(known)}",
    }


def trend_words(known: list[tuple[str, float]]) -> str:
    """A series of attainment in words: its direction, first and last, lowest and highest."""
    if not known:
        return "not measured: no counts against a target in this period"
    (first_label, first), (last_label, last) = known[0], known[-1]
    if len(known) == 1:
        return f"{_show(first, True)} on {first_label}, the only figure"
    low = min(known, key=lambda point: point[1])
    high = max(known, key=lambda point: point[1])
    direction = "steady"
    if abs(last - first) > STEADY:
        direction = "rising" if last > first else "falling"
    return (
        f"{direction}, from {_show(first, True)} on {first_label} to {_show(last, True)} on "
        f"{last_label}; lowest {_show(low[1], True)} on {low[0]}, "
        f"highest {_show(high[1], True)} on {high[0]}"
    )
