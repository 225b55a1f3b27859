"""CSV import (upload, preview, confirm) and export of the catalog (DESIGN §5)."""

import base64
import binascii
from datetime import date

from flask import Response, abort, redirect, render_template, request, url_for

from ...catalog.csv_io import COLUMNS, KINDS, check_csv, export_csv, import_csv
from ...extensions import db
from . import bp
from .crud import actor, apply

KIND_PAGES = {
    "metrics": "admin.metrics",
    "stations": "admin.stations",
    "targets": "admin.stations",
    "employees": "admin.employees",
    "categories": "admin.categories",
    "plan": "admin.plan",
}


def kind_or_404(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


@bp.route("/import/<kind>", methods=["GET", "POST"])
def import_kind(kind: str):
    """Upload, then a preview (new, updated, errors by line), then confirm."""
    kind_or_404(kind)
    context = {"kind": kind, "columns": COLUMNS[kind], "back": url_for(KIND_PAGES[kind])}
    if request.method == "GET":
        return render_template("admin/import.html", **context)
    if "content" in request.form:
        data, filename = decode_content(request.form["content"]), request.form.get("filename", "")
        report, _ = apply(
            lambda: import_csv(db.session, kind, data, actor()),
            lambda report: f"Imported {filename or kind}: {report.summary()}.",
            commit=lambda report: report.stored,
        )
        if report.stored:
            return redirect(context["back"])
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return render_template(
                "admin/import.html", errors={"file": "Choose a CSV file."}, **context
            ), 400
        data, filename = upload.read(), upload.filename
        report, _ = apply(lambda: check_csv(db.session, kind, data), commit=False)
    return render_template(
        "admin/import.html",
        report=report,
        filename=filename,
        content=base64.b64encode(data).decode("ascii"),
        **context,
    ), (400 if report.errors else 200)


def decode_content(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        abort(400, "The file to import was garbled; upload it again.")


@bp.get("/export/<kind>.csv")
def export_kind(kind: str):
    kind_or_404(kind)
    day = None
    if kind == "plan":
        try:
            day = date.fromisoformat(request.args.get("day", ""))
        except ValueError:
            abort(400, "Give the plan's day as ?day=YYYY-MM-DD.")
    body = export_csv(db.session, kind, day)
    filename = f"plan-{day.isoformat()}.csv" if day else f"{kind}.csv"
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
