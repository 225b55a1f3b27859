"""Marshmallow schemas of what the sync API answers (DESIGN §3): push results, the pull
answer (``pull`` dumps it with ``PullAnswerSchema``), photo uploads and errors. The
OpenAPI document is generated from these; what a push may carry is in ``schemas``.
"""

from functools import cache

from marshmallow import Schema, fields, validate

from ..actions.schemas import AssignableUserSchema, PulledActionSchema
from ..notifications.schemas import InboxSchema
from ..schemas import Instant

# Push answers --------------------------------------------------------------------------


class ServerRecordSchema(Schema):
    """A record as the server holds it: as last sent, with what the server adds. Dumps a
    ``records`` row (a mapping of its columns) with its station's code as ``station_code``."""

    id = fields.UUID(required=True)
    type = fields.String(required=True)
    station = fields.String(required=True, allow_none=True, attribute="station_code")
    author = fields.Integer(required=True, attribute="author_id")
    version = fields.Integer(required=True)
    observed_at = fields.String(
        required=True, attribute="device_observed_at", metadata={"description": "as sent"}
    )
    offset_ms = fields.Integer(required=True, allow_none=True)
    walk = fields.UUID(required=True, allow_none=True, attribute="walk_id")
    deleted = fields.Boolean(required=True)
    data = fields.Dict(required=True)
    status = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "observations: open, acknowledged, resolved"},
    )
    server_observed_at = Instant(
        required=True, attribute="observed_at", metadata={"description": "after clock correction"}
    )
    production_day = fields.Date(required=True)
    shift = fields.String(required=True)


@cache
def server_record_schema() -> ServerRecordSchema:
    return ServerRecordSchema()


def server_record(row) -> dict:
    """A stored record for the phone (push's ``server``, pull's ``records``)."""
    return server_record_schema().dump(row)


class ServerVersionSchema(Schema):
    version = fields.Integer(required=True)
    record = fields.Nested(ServerRecordSchema, required=True)


class PushResultSchema(Schema):
    id = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(
            ("created", "duplicate", "updated", "stale", "conflict", "rejected")
        ),
    )
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    server = fields.Nested(ServerVersionSchema)


class PushAnswerSchema(Schema):
    results = fields.List(fields.Nested(PushResultSchema), required=True)
    server_time = fields.String(required=True)


# The pull answer: dumps what ``pull`` gathers (rows and ORM objects) -----------------


class AreaSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class CategorySchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    downtime = fields.Boolean(required=True)
    position = fields.Integer(required=True)


class StationMetricSchema(Schema):
    metric = fields.String(required=True, attribute="metric.key")
    target = fields.Float(required=True, allow_none=True)
    min_level = fields.Float(required=True, allow_none=True)


class StationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    area = fields.Integer(required=True, attribute="area_id", metadata={"description": "area id"})
    metrics = fields.List(fields.Nested(StationMetricSchema), required=True)


class MetricSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    unit = fields.String(required=True)
    kind = fields.String(required=True)


class EmployeeSchema(Schema):
    badge = fields.String(required=True)
    name = fields.String(required=True)
    area = fields.Integer(required=True, attribute="area_id", metadata={"description": "area id"})


class RouteStopSchema(Schema):
    station = fields.String(required=True, attribute="station.code")


class RouteSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    area = fields.Integer(required=True, allow_none=True, attribute="area_id")
    stations = fields.Pluck(
        RouteStopSchema, "station", many=True, required=True, attribute="stops",
        metadata={"description": "station codes, in walking order"},
    )  # fmt: skip


class TargetSchema(Schema):
    station = fields.String(required=True)
    metric = fields.String(required=True)
    shift = fields.String(required=True, metadata={"description": "'' for the whole day"})
    target = fields.Float(required=True, allow_none=True)


class UnscheduledSchema(Schema):
    station = fields.String(required=True)
    shift = fields.String(required=True, metadata={"description": "'' for the whole day"})


class PlanSchema(Schema):
    """Today's plan, whole on every pull."""

    day = fields.Date(required=True)
    station_targets = fields.List(
        fields.Nested(TargetSchema),
        required=True,
        metadata={"description": "each station metric's target by the plan rule"},
    )
    targets = fields.List(fields.Nested(TargetSchema), required=True)
    unscheduled = fields.List(fields.Nested(UnscheduledSchema), required=True)


class PullAnswerSchema(Schema):
    """What a pull answers: ``pull`` dumps its answer with it, and the OpenAPI document
    describes it from it."""

    me = fields.Dict(required=True)
    settings = fields.Dict(required=True)
    min_app = fields.String(required=True)
    full = fields.Boolean(
        required=True, metadata={"description": "true: replace everything mirrored"}
    )
    areas = fields.List(fields.Nested(AreaSchema), required=True)
    categories = fields.List(fields.Nested(CategorySchema), required=True)
    plan = fields.Nested(PlanSchema, required=True)
    stations = fields.List(fields.Nested(StationSchema), required=True)
    metrics = fields.List(fields.Nested(MetricSchema), required=True)
    employees = fields.List(fields.Nested(EmployeeSchema), required=True)
    routes = fields.List(fields.Nested(RouteSchema), required=True)
    records = fields.List(fields.Nested(ServerRecordSchema), required=True)
    actions = fields.List(
        fields.Nested(PulledActionSchema),
        required=True,
        metadata={"description": "the actions the user may see, open or closed in 7 days"},
    )
    users = fields.List(
        fields.Nested(AssignableUserSchema),
        required=True,
        metadata={"description": "whom an action may be given to: every active user"},
    )
    removed = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    cursor = fields.String(required=True)
    server_time = Instant(required=True)
    notifications = fields.Nested(
        InboxSchema, required=True,
        metadata={"description": "the unread count and the latest notifications, whole on "
                  "every pull"},
    )  # fmt: skip


class PhotoAnswerSchema(Schema):
    id = fields.UUID(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


def flat_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{"data.value": ["…"]}``, one key per field."""
    if isinstance(messages, list | tuple):
        return {prefix or "record": [str(m) for m in messages]}
    if isinstance(messages, str):
        return {prefix or "record": [messages]}
    flat: dict[str, list[str]] = {}
    for name, inner in messages.items():
        if name == "_schema":
            flat.update(flat_errors(inner, prefix))
        else:
            flat.update(flat_errors(inner, f"{prefix}.{name}" if prefix else str(name)))
    return flat
