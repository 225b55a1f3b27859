"""The plant as a whole: the overview, the day plan, the settings and the audit trail."""

from datetime import date
from zoneinfo import available_timezones

from flask import abort, current_app, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import catalog
from ...catalog.plan import day_plan
from ...catalog.schemas import SettingsForm
from ...extensions import db
from ...models import AuditEvent, utcnow
from ...settings import get_settings, plant_clock, save_settings
from . import bp
from .crud import actor, apply, read_form

AUDIT_PAGE = 50


# Where each step of the set-up checklist is done (catalog.checklist.Step.key).
CHECKLIST_PAGES = {
    "plant": ("admin.settings", {}),
    "public_url": ("admin.settings", {}),
    "stations": ("admin.import_kind", {"kind": "stations"}),
    "metrics": ("admin.import_kind", {"kind": "metrics"}),
    "targets": ("admin.import_kind", {"kind": "targets"}),
    "employees": ("admin.import_kind", {"kind": "employees"}),
    "users": ("admin.users", {}),
    "routes": ("admin.routes", {}),
    "labels": ("admin.stations", {}),
    "walk": ("app.walk", {}),
}


@bp.get("/")
def index():
    checklist = catalog.setup_checklist(db.session, current_app.config["PUBLIC_URL"])
    return render_template(
        "admin/index.html",
        overview=catalog.plant_overview(db.session),
        checklist=checklist,
        links={key: url_for(endpoint, **args) for key, (endpoint, args) in CHECKLIST_PAGES.items()},
    )


@bp.get("/plan")
def plan():
    clock = plant_clock(db.session)
    try:
        day = date.fromisoformat(request.args["day"]) if request.args.get("day") else None
    except ValueError:
        abort(400, "Write the day as YYYY-MM-DD.")
    day = day or clock.production_day(utcnow())
    shifts = [s.name for s in clock.shifts]
    shift = request.args.get("shift", "")
    if shift not in shifts:
        shift = ""
    return render_template(
        "admin/plan.html",
        day=day,
        shift=shift,
        shifts=shifts,
        rows=day_plan(db.session, day, shift),
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form, errors = get_settings(db.session), {}
    config_url = current_app.config["PUBLIC_URL"]
    if not form["public_url"] and not config_url:
        # Prefilled with the address in use: often the right one, and it shows the form.
        form["public_url"] = request.host_url.rstrip("/")
    if request.method == "POST":
        form = read_form()

        def save() -> None:
            problems = save_settings(db.session, actor(), SettingsForm().load(form))
            if problems:
                raise ValidationError(problems)

        _, errors = apply(save, "Settings saved.")
        if not errors:
            return redirect(url_for(".settings"))
    return render_template(
        "admin/settings.html",
        errors=errors,
        form=form,
        timezones=sorted(available_timezones()),
        config_url=config_url,
    ), (400 if errors else 200)


@bp.get("/audit")
def audit():
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    entity = request.args.get("entity", "")
    if entity:
        query = query.where(AuditEvent.entity == entity)
    before = request.args.get("before", "")
    if before.isdigit():
        query = query.where(AuditEvent.id < int(before))
    events = list(
        db.session.execute(query.order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)).scalars()
    )
    entities = db.session.execute(
        select(AuditEvent.entity).distinct().order_by(AuditEvent.entity)
    ).scalars()
    return render_template(
        "admin/audit.html",
        events=events,
        entity=entity,
        entities=list(entities),
        zone=plant_clock(db.session).zone,
        older=events[-1].id if len(events) == AUDIT_PAGE else None,
    )
