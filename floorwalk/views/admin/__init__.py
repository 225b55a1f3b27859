"""Admin pages: for admins alone, everyone else gets 403 on every /admin URL.

Each form is loaded by a marshmallow schema (catalog_schemas.py) and saved by one
catalog function that writes its audit event; the view commits once, or rolls back and
shows the errors beside their fields.
"""

import base64
import binascii
from datetime import date
from zoneinfo import available_timezones

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import accounts, catalog
from ...accounts import AccountError, role_required
from ...catalog import CatalogError
from ...catalog.csv_io import COLUMNS, KINDS, check_csv, export_csv, format_number, import_csv
from ...catalog.plan import day_plan
from ...catalog.schemas import (
    AreaForm,
    CategoryForm,
    EmployeeForm,
    MetricForm,
    NewUserForm,
    PasswordForm,
    RouteForm,
    SettingsForm,
    StationForm,
    StationMetricForm,
    UserForm,
    form_errors,
)
from ...extensions import db
from ...labels import (
    LabelError,
    label_png,
    label_sheet_pdf,
    label_svg,
    station_label,
    stations_for_labels,
)
from ...models import ROLES, Area, AuditEvent, Metric, Route, User, utcnow
from ...schemas import form_input
from ...settings import get_settings, plant_clock, public_url, save_settings

bp = Blueprint("admin", __name__, url_prefix="/admin")

SECTIONS = (
    ("Users", "admin.users"),
    ("Areas", "admin.areas"),
    ("Stations", "admin.stations"),
    ("Metrics", "admin.metrics"),
    ("Categories", "admin.categories"),
    ("Employees", "admin.employees"),
    ("Routes", "admin.routes"),
    ("Day plan", "admin.plan"),
    ("Settings", "admin.settings"),
    ("Audit", "admin.audit"),
)
KIND_PAGES = {
    "metrics": "admin.metrics",
    "stations": "admin.stations",
    "targets": "admin.stations",
    "employees": "admin.employees",
    "categories": "admin.categories",
    "plan": "admin.plan",
}
AUDIT_PAGE = 50


@bp.before_request
@role_required("admin")
def only_admins():
    """Guard the whole blueprint, so that no admin page can forget its check."""


@bp.context_processor
def admin_context() -> dict:
    return {"sections": SECTIONS, "csv_columns": COLUMNS}


@bp.app_template_filter("fmt_number")
def fmt_number(value) -> str:
    return "" if value is None else format_number(float(value))


@bp.app_template_filter("audit_value")
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


def actor() -> User:
    return current_user._get_current_object()


def submit(schema, save, data: dict) -> tuple[object, dict[str, str]]:
    """Load ``data`` with ``schema`` and ``save`` the values: commit and return what was
    saved, or roll everything back and return the errors by field ('form' for the rest)."""
    try:
        result = save(schema.load(data) if schema is not None else data)
    except ValidationError as error:
        db.session.rollback()
        return None, form_errors(error)
    except (CatalogError, AccountError) as error:
        db.session.rollback()
        return None, {error.field or "form": str(error)}
    db.session.commit()
    return result, {}


def move(direction: str, change) -> None:
    """Make a one-place move up or down (``change(step)``) and commit, or roll back and
    flash why it was refused (already first or last, a page left open too long)."""
    try:
        change({"up": -1, "down": 1}[direction])
    except CatalogError as error:
        db.session.rollback()
        flash(str(error), "error")
        return
    db.session.commit()


def form_page(template: str, errors: dict, **context):
    return render_template(template, errors=errors, **context), 400 if errors else 200


def or_404(row):
    if row is None:
        abort(404)
    return row


def area_choices() -> list[tuple[str, str]]:
    return [("", "— none —")] + [(n, n) for n in catalog.area_names(db.session)]


def area_filter() -> int | None:
    value = request.args.get("area", "")
    return int(value) if value.isdigit() else None


@bp.get("/")
def index():
    return render_template("admin/index.html", overview=catalog.plant_overview(db.session))


# Users --------------------------------------------------------------------------------


@bp.get("/users")
def users():
    return render_template("admin/users.html", users=catalog.list_users(db.session))


def user_form_data() -> dict:
    data = form_input(request.form)
    data["areas"] = request.form.getlist("areas")
    return data


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form, errors = {"role": "coordinator", "areas": []}, {}
    if request.method == "POST":
        form = user_form_data()
        iterations = current_app.config["PASSWORD_ITERATIONS"]
        user, errors = submit(
            NewUserForm(),
            lambda v: accounts.create_user(
                db.session, v["username"], v["role"], v["password"], v["areas"], iterations, actor()
            ),
            form,
        )
        if user:
            flash(f"Added {user.role} {user.username}.", "success")
            return redirect(url_for(".users"))
    return form_page(
        "admin/user_form.html", errors, form=form, user=None, roles=ROLES, areas=area_choices()[1:]
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = or_404(db.session.get(User, user_id))
    form, errors = accounts.user_values(user), {}
    if request.method == "POST":
        form = user_form_data()
        saved, errors = submit(
            UserForm(),
            lambda v: (
                accounts.update_user(db.session, actor(), user, v["role"], v["areas"]) or user
            ),
            form,
        )
        if saved:
            flash(f"Saved {user.username}.", "success")
            return redirect(url_for(".users"))
    return form_page(
        "admin/user_form.html", errors, form=form, user=user, roles=ROLES, areas=area_choices()[1:]
    )


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    user = or_404(db.session.get(User, user_id))
    iterations = current_app.config["PASSWORD_ITERATIONS"]
    saved, errors = submit(
        PasswordForm(),
        lambda v: (
            accounts.reset_password(db.session, actor(), user, v["password"], iterations) or user
        ),
        form_input(request.form),
    )
    if saved:
        flash(f"New password set for {user.username}; their sessions have ended.", "success")
        return redirect(url_for(".user_edit", user_id=user.id))
    return form_page(
        "admin/user_form.html",
        errors,
        form=accounts.user_values(user),
        user=user,
        roles=ROLES,
        areas=area_choices()[1:],
    )


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    user = or_404(db.session.get(User, user_id))
    active = request.form.get("active") == "yes"
    try:
        accounts.set_user_active(db.session, actor(), user, active)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".user_edit", user_id=user.id))
    db.session.commit()
    if active:
        flash(f"{user.username} can sign in again.", "success")
    else:
        flash(f"Deactivated {user.username}; their sessions have ended.", "success")
    return redirect(url_for(".users"))


# Areas --------------------------------------------------------------------------------


@bp.get("/areas")
def areas():
    return render_template("admin/areas.html", areas=catalog.list_areas(db.session))


AREA_FIELDS = ({"name": "name", "label": "Name"},)


@bp.route("/areas/new", methods=["GET", "POST"], defaults={"area_id": None})
@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
def area_edit(area_id: int | None):
    area = or_404(db.session.get(Area, area_id)) if area_id else None
    form, errors = (catalog.area_values(area) if area else {}), {}
    if request.method == "POST":
        form = form_input(request.form)
        saved, errors = submit(
            AreaForm(), lambda v: catalog.save_area(db.session, actor(), area, v["name"]), form
        )
        if saved:
            flash(f"Saved area {saved.name}.", "success")
            return redirect(url_for(".areas"))
    title = f"Area {area.name}" if area else "New area"
    delete_url = url_for(".area_delete", area_id=area.id) if area else None
    return form_page(
        "admin/edit.html",
        errors,
        title=title,
        fields=AREA_FIELDS,
        form=form,
        back=url_for(".areas"),
        delete_url=delete_url,
    )


@bp.post("/areas/<int:area_id>/delete")
def area_delete(area_id: int):
    area = or_404(db.session.get(Area, area_id))
    name = area.name
    try:
        catalog.delete_area(db.session, actor(), area)
    except CatalogError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".area_edit", area_id=area_id))
    db.session.commit()
    flash(f"Deleted area {name}.", "success")
    return redirect(url_for(".areas"))


# Stations -----------------------------------------------------------------------------


@bp.get("/stations")
def stations():
    search = request.args.get("q", "").strip()
    area_id = area_filter()
    found = catalog.list_stations(db.session, search, area_id)
    return render_template(
        "admin/stations.html",
        stations=found,
        search=search,
        area_id=area_id,
        areas=catalog.list_areas(db.session),
        labels_base=labels_base_url(),
    )


def station_or_404(code: str):
    return or_404(catalog.station_by_code(db.session, code))


@bp.route("/stations/new", methods=["GET", "POST"])
def station_new():
    form, errors = {"active": True}, {}
    if request.method == "POST":
        form = form_input(request.form)
        station, errors = submit(
            StationForm(), lambda v: catalog.save_station(db.session, actor(), None, v), form
        )
        if station:
            flash(f"Added station {station.code}; now list its metrics.", "success")
            return redirect(url_for(".station_edit", code=station.code))
    return station_page(None, form, errors)


@bp.route("/stations/<code>", methods=["GET", "POST"])
def station_edit(code: str):
    station = station_or_404(code)
    form, errors = catalog.station_values(station), {}
    if request.method == "POST":
        form = form_input(request.form) | {"code": station.code}
        saved, errors = submit(
            StationForm(), lambda v: catalog.save_station(db.session, actor(), station, v), form
        )
        if saved:
            flash(f"Saved station {station.code}.", "success")
            return redirect(url_for(".stations"))
    return station_page(station, form, errors)


def station_page(station, form, errors, metric_form=None, metric_errors=None):
    return form_page(
        "admin/station_form.html",
        errors or metric_errors or {},
        station=station,
        form=form,
        field_errors=errors,
        metric_form=metric_form or {},
        metric_errors=metric_errors or {},
        area_names=catalog.area_names(db.session),
        metrics=catalog.list_metrics(db.session),
    )


@bp.post("/stations/<code>/metrics")
def station_metrics(code: str):
    """Targets and min levels of the listed metrics, removals and one addition, all or none."""
    station = station_or_404(code)
    data = form_input(request.form)

    def save(_values):
        errors = {}
        for entry in list(station.metrics):
            key = entry.metric.key
            if data.get(f"remove-{key}") == "yes":
                catalog.remove_station_metric(db.session, actor(), entry)
                continue
            values = load_metric_row(key, data.get(f"target-{key}", ""), data, key, errors)
            if values:
                catalog.set_station_metric(
                    db.session,
                    actor(),
                    station,
                    entry.metric,
                    values["target"],
                    values["min_level"],
                )
        if data.get("metric-new"):
            values = load_metric_row(
                data["metric-new"], data.get("target-new", ""), data, "new", errors
            )
            metric = catalog.metric_by_key(db.session, data["metric-new"])
            if metric is None:
                errors["metric-new"] = "Choose a metric."
            elif values:
                catalog.set_station_metric(
                    db.session, actor(), station, metric, values["target"], values["min_level"]
                )
        if errors:
            raise ValidationError(errors)
        return station

    saved, errors = submit(None, save, data)
    if saved:
        flash(f"Saved the metrics of {station.code}.", "success")
        return redirect(url_for(".station_edit", code=station.code))
    return station_page(station, catalog.station_values(station), {}, data, errors)


@bp.post("/stations/<code>/metrics/<int:metric_id>/<any(up, down):direction>")
def station_metric_move(code: str, metric_id: int, direction: str):
    station = station_or_404(code)
    metric = or_404(db.session.get(Metric, metric_id))
    move(
        direction,
        lambda step: catalog.move_station_metric(db.session, actor(), station, metric, step),
    )
    return redirect(url_for(".station_edit", code=station.code) + f"#metric-{metric.key}")


def load_metric_row(metric: str, target: str, data: dict, suffix: str, errors: dict):
    try:
        return StationMetricForm().load(
            {"metric": metric, "target": target, "min_level": data.get(f"min_level-{suffix}", "")}
        )
    except ValidationError as error:
        for name, messages in form_errors(error).items():
            errors[f"{name}-{suffix}"] = messages
        return None


# Labels -------------------------------------------------------------------------------


def labels_base_url() -> str:
    """The public URL for labels; without one, the address this page was asked on."""
    return public_url(db.session, current_app.config["PUBLIC_URL"]) or request.host_url.rstrip("/")


def label_response(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/stations/<code>/label.png")
def station_label_png(code: str):
    label = station_label(station_or_404(code), labels_base_url())
    return label_response(label_png(label), "image/png", f"{code}.png")


@bp.get("/stations/<code>/label.svg")
def station_label_svg(code: str):
    label = station_label(station_or_404(code), labels_base_url())
    return label_response(label_svg(label), "image/svg+xml", f"{code}.svg")


@bp.get("/labels.pdf")
def labels_pdf():
    paper = request.args.get("paper", "a4")
    if paper not in ("a4", "letter"):
        abort(400, "Choose A4 or Letter paper.")
    codes = request.args.getlist("station")
    area = request.args.get("area") or None
    base = labels_base_url()
    try:
        chosen = stations_for_labels(db.session, codes, area)
        sheet = label_sheet_pdf([station_label(s, base) for s in chosen], paper)
    except LabelError as error:
        flash(str(error), "error")
        return redirect(url_for(".stations"))
    return label_response(sheet, "application/pdf", "station-labels.pdf")


# Metrics, categories, employees -------------------------------------------------------

METRIC_FIELDS = (
    {"name": "key", "label": "Key", "hint": "Letters, digits, _ . - (e.g. units_completed)"},
    {"name": "label", "label": "Label"},
    {"name": "unit", "label": "Unit", "hint": "Optional (pcs, bins, people)"},
    {
        "name": "kind",
        "label": "Kind",
        "type": "select",
        "options": [
            ("tally", "tally: entries add up over the day"),
            ("counter", "counter: a running reading that restarts each shift"),
            ("gauge", "gauge: a reading at a moment (last, min, max)"),
        ],
    },
)
CATEGORY_FIELDS = (
    {"name": "key", "label": "Key", "hint": "Letters, digits, _ . -"},
    {"name": "label", "label": "Label"},
    {"name": "downtime", "label": "Downtime (observations carry minutes lost)", "type": "checkbox"},
    {"name": "active", "label": "Active", "type": "checkbox"},
)


def employee_fields():
    return (
        {"name": "badge", "label": "Badge"},
        {"name": "name", "label": "Name"},
        {"name": "area", "label": "Area", "type": "select", "options": area_choices()},
        {"name": "active", "label": "Active", "type": "checkbox"},
    )


def simple_edit(entity, row, fields, schema, save, back: str, delete_url=None):
    """A create or edit page whose form is ``fields``; the key is fixed once created."""
    values_of = {
        "metric": catalog.metric_values,
        "category": catalog.category_values,
        "employee": catalog.employee_values,
    }[entity]
    form, errors = (values_of(row) if row else {"active": True}), {}
    key_name = fields[0]["name"]
    if request.method == "POST":
        form = form_input(request.form)
        if row is not None:
            form[key_name] = values_of(row)[key_name]
        saved, errors = submit(schema, lambda v: save(db.session, actor(), row, v), form)
        if saved:
            flash(f"Saved {entity} {values_of(saved)[key_name]}.", "success")
            return redirect(back)
    title = f"{entity.capitalize()} {form.get(key_name)}" if row else f"New {entity}"
    return form_page(
        "admin/edit.html",
        errors,
        title=title,
        fields=fields,
        form=form,
        fixed=key_name if row else None,
        back=back,
        delete_url=delete_url,
    )


@bp.get("/metrics")
def metrics():
    return render_template("admin/metrics.html", metrics=catalog.list_metrics(db.session))


@bp.route("/metrics/new", methods=["GET", "POST"], defaults={"key": None})
@bp.route("/metrics/<key>", methods=["GET", "POST"])
def metric_edit(key: str | None):
    metric = or_404(catalog.metric_by_key(db.session, key)) if key else None
    delete_url = url_for(".metric_delete", key=key) if key else None
    return simple_edit(
        "metric",
        metric,
        METRIC_FIELDS,
        MetricForm(),
        catalog.save_metric,
        url_for(".metrics"),
        delete_url,
    )


@bp.post("/metrics/<key>/delete")
def metric_delete(key: str):
    metric = or_404(catalog.metric_by_key(db.session, key))
    try:
        catalog.delete_metric(db.session, actor(), metric)
    except CatalogError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".metric_edit", key=key))
    db.session.commit()
    flash(f"Deleted metric {key}.", "success")
    return redirect(url_for(".metrics"))


@bp.get("/categories")
def categories():
    return render_template("admin/categories.html", categories=catalog.list_categories(db.session))


@bp.route("/categories/new", methods=["GET", "POST"], defaults={"key": None})
@bp.route("/categories/<key>", methods=["GET", "POST"])
def category_edit(key: str | None):
    category = or_404(catalog.category_by_key(db.session, key)) if key else None
    return simple_edit(
        "category",
        category,
        CATEGORY_FIELDS,
        CategoryForm(),
        catalog.save_category,
        url_for(".categories"),
    )


@bp.get("/employees")
def employees():
    search = request.args.get("q", "").strip()
    area_id = area_filter()
    return render_template(
        "admin/employees.html",
        employees=catalog.list_employees(db.session, search, area_id),
        search=search,
        area_id=area_id,
        areas=catalog.list_areas(db.session),
    )


@bp.route("/employees/new", methods=["GET", "POST"], defaults={"badge": None})
@bp.route("/employees/<badge>", methods=["GET", "POST"])
def employee_edit(badge: str | None):
    employee = or_404(catalog.employee_by_badge(db.session, badge)) if badge else None
    return simple_edit(
        "employee",
        employee,
        employee_fields(),
        EmployeeForm(),
        catalog.save_employee,
        url_for(".employees"),
    )


# Routes -------------------------------------------------------------------------------


@bp.get("/routes")
def routes():
    return render_template("admin/routes.html", routes=catalog.list_routes(db.session))


@bp.route("/routes/new", methods=["GET", "POST"], defaults={"route_id": None})
@bp.route("/routes/<int:route_id>", methods=["GET", "POST"])
def route_edit(route_id: int | None):
    route = or_404(db.session.get(Route, route_id)) if route_id else None
    form, errors = {"active": True, "stations": ""}, {}
    if route:
        values = catalog.route_values(route)
        form = values | {"stations": "\n".join(values["stations"])}
    if request.method == "POST":
        form = form_input(request.form)

        def save(values):
            chosen = catalog.route_stations(db.session, values["stations"])
            return catalog.save_route(db.session, actor(), route, values, chosen)

        saved, errors = submit(RouteForm(), save, form)
        if saved:
            flash(f"Saved route {saved.name}.", "success")
            return redirect(url_for(".route_edit", route_id=saved.id))
    return form_page(
        "admin/route_form.html",
        errors,
        route=route,
        form=form,
        areas=area_choices(),
        station_codes=[s.code for s in catalog.list_stations(db.session, active_only=True)],
    )


@bp.post("/routes/<int:route_id>/stops/<int:position>/<any(up, down):direction>")
def route_move(route_id: int, position: int, direction: str):
    route = or_404(db.session.get(Route, route_id))
    shown = request.form.get("station") or None
    move(
        direction,
        lambda step: catalog.move_route_stop(db.session, actor(), route, position, step, shown),
    )
    return redirect(url_for(".route_edit", route_id=route.id) + f"#stop-{position}")


# Day plan -----------------------------------------------------------------------------


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


# Settings -----------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form, errors = get_settings(db.session), {}
    if request.method == "POST":
        form = form_input(request.form)

        def save(values):
            problems = save_settings(db.session, actor(), values)
            if problems:
                raise ValidationError(problems)
            return True

        saved, errors = submit(SettingsForm(), save, form)
        if saved:
            flash("Settings saved.", "success")
            return redirect(url_for(".settings"))
    return form_page(
        "admin/settings.html",
        errors,
        form=form,
        timezones=sorted(available_timezones()),
        config_url=current_app.config["PUBLIC_URL"],
    )


# Audit --------------------------------------------------------------------------------


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


# CSV import and export ----------------------------------------------------------------


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
        report = import_csv(db.session, kind, data, actor())
        if report.stored:
            db.session.commit()
            flash(f"Imported {filename or kind}: {report.summary()}.", "success")
            return redirect(context["back"])
        db.session.rollback()
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return render_template(
                "admin/import.html", errors={"file": "Choose a CSV file."}, **context
            ), 400
        data, filename = upload.read(), upload.filename
        report = check_csv(db.session, kind, data)
        db.session.rollback()
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


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def not_found(unknown: str):
    """Unknown admin URLs pass the admin check first, so they reveal nothing to others."""
    abort(404)
