"""Jinja filters every page may use, registered on the app by create_app."""

import re
from collections.abc import Sequence

from flask import Flask
from markupsafe import Markup, escape

from .catalog.csv_export import format_number
from .summaries.verdict import percent


def fmt_number(value) -> str:
    """A number as the CSV files write it (no trailing .0); blank for None."""
    return "" if value is None else format_number(float(value))


def with_unit(value, unit: str | None) -> str:
    """A value with its unit, agreeing with the number: "1 bin", "2 bins", "1 person"
    (the rule of static/src/words.js ``withUnit``, which the phone uses)."""
    shown = str(fmt_number(value) if isinstance(value, int | float) else value)
    if not unit:
        return shown
    if value != 1:
        return f"{shown} {unit}"
    if unit == "people":
        return f"{shown} person"
    if re.fullmatch(r"[a-z]{3,}s", unit, re.IGNORECASE):
        return f"{shown} {unit[:-1]}"
    return f"{shown} {unit}"


def audit_value(value) -> str:
    """A value of the audit trail as people read it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return (
            "; ".join(" ".join(map(str, v)) if isinstance(v, list) else str(v) for v in value)
            or "—"
        )
    return str(value)


CELL = re.compile(r"<td(?=[\s>])")


def labelled_cells(cells: str, labels: Sequence[str]) -> Markup:
    """A table row's cells, each given its column's heading as ``data-label``: on a phone
    the admin tables turn into cards that show it beside the value (admin.css)."""
    names = iter(labels)
    cells = escape(cells)  # the caller's rendered cells are Markup already: unchanged
    labelled = CELL.sub(lambda cell: f'<td data-label="{escape(next(names, ""))}"', cells)
    return Markup(labelled)  # noqa: S704 (escaped HTML and escaped labels only)


def register(app: Flask) -> None:
    app.add_template_filter(labelled_cells, "labelled_cells")
    app.add_template_filter(fmt_number, "fmt_number")
    app.add_template_filter(audit_value, "audit_value")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(with_unit, "with_unit")
