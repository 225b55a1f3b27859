"""Geometry of the server-drawn SVG charts: plain numbers the templates place.

Charts are drawn on the server so that they read without JavaScript, print, and carry
their own ``<title>`` for screen readers; the templates only position what this returns.
"""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 160
LEFT, RIGHT, TOP, BOTTOM = 34, 34, 12, 26
# Where the plot area sits in the viewBox, for the templates' axes and ticks.
FRAME = {
    "width": WIDTH,
    "height": HEIGHT,
    "left": LEFT,
    "right": WIDTH - RIGHT,
    "top": TOP,
    "base": HEIGHT - BOTTOM,
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    title: str


def _drawn(value: float | None) -> float:
    """A figure as a chart draws it: none, or not finite, draws as 0 (never a crash)."""
    return value if value is not None and math.isfinite(value) else 0


def _scale(value: float, top: float) -> float:
    """The y coordinate of ``value`` on an axis running 0..top."""
    plot = HEIGHT - TOP - BOTTOM
    return round(HEIGHT - BOTTOM - (value / top if top else 0) * plot, 1)


def _slots(count: int) -> tuple[float, float]:
    step = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return step, max(step * 0.6, 2)


def trend_chart(trend: list[dict]) -> dict:
    """Observations per day as bars (left axis), attainment as a line (right axis, %)."""
    step, width = _slots(len(trend))
    top_count = max([point["observations"] for point in trend] + [4])
    top_attainment = max([_drawn(point["attainment"]) for point in trend] + [1.2])
    bars, line, dots = [], [], []
    for index, point in enumerate(trend):
        x = LEFT + index * step
        y = _scale(point["observations"], top_count)
        day = point["day"][5:]
        bars.append(
            Bar(
                round(x + (step - width) / 2, 1),
                y,
                round(width, 1),
                round(HEIGHT - BOTTOM - y, 1),
                day,
                f"{point['day']}: {point['observations']} observations",
            )
        )
        if point["attainment"] is not None and math.isfinite(point["attainment"]):
            cx, cy = round(x + step / 2, 1), _scale(point["attainment"], top_attainment)
            line.append(f"{cx},{cy}")
            dots.append((cx, cy, f"{point['day']}: {point['attainment']:.0%} of target"))
    return {
        **FRAME,
        "bars": bars,
        "line": " ".join(line),
        "dots": dots,
        "count_top": top_count,
        "attainment_top": round(top_attainment * 100),
        "target_y": _scale(1, top_attainment),
        "labels": [
            (LEFT + i * step + step / 2, b.label)
            for i, b in enumerate(bars)
            if i % 2 == len(bars) % 2 or len(bars) <= 7
        ],
    }


def history_chart(points: list[dict], unit: str) -> dict:
    """A metric's daily figure as bars against its target, drawn as a stepped line."""
    step, width = _slots(len(points))
    values = [_drawn(p["value"]) for p in points] + [_drawn(p["target"]) for p in points]
    top = max(values + [1]) * 1.1
    bars, target_line = [], []
    for index, point in enumerate(points):
        x = LEFT + index * step
        value = point["value"]
        y = _scale(_drawn(value), top)
        text = "no readings" if value is None else f"{value:g} {unit}".strip()
        if point["target"] is not None:
            text += f", target {point['target']:g}"
            ty = _scale(point["target"], top)
            target_line += [f"{round(x, 1)},{ty}", f"{round(x + step, 1)},{ty}"]
        if not point["scheduled"]:
            text += ", not scheduled"
        bars.append(
            Bar(
                round(x + (step - width) / 2, 1),
                y,
                round(width, 1),
                round(HEIGHT - BOTTOM - y, 1),
                point["day"].strftime("%m-%d"),
                f"{point['day']:%Y-%m-%d}: {text}",
            )
        )
    return {
        **FRAME,
        "bars": bars,
        "target": " ".join(target_line),
        "value_top": round(top),
        "labels": [
            (LEFT + i * step + step / 2, b.label)
            for i, b in enumerate(bars)
            if i % 7 == (len(bars) - 1) % 7
        ],
    }
