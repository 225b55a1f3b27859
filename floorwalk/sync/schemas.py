"""Marshmallow schemas of the sync protocol (DESIGN §3): what a push may carry, and what
push, pull and photo uploads answer. The OpenAPI document is generated from these, and
pull dumps its answer with ``PullAnswerSchema``.

Every schema raises on a field it does not know, naming it: a phone newer than the
server learns that its field was not stored, never silently.
"""

from functools import cache

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from ..actions.schemas import AssignableUserSchema, PulledActionSchema
from ..models import (
    ACTION_RECORD_TYPES,
    ACTION_UPDATE_STATUSES,
    CODE_PATTERN,
    MAX_TEXT,
    MAX_TITLE,
    NOTE_KINDS,
    PRIORITIES,
    RECORD_TYPES,
    SEVERITIES,
)
from ..schemas import Instant

MAX_RECORDS = 500
MAX_PHOTOS_PER_RECORD = 20
# Every push schema version this server has shipped (DESIGN §3: all stay accepted).
SCHEMA_VERSIONS = (1,)
MAX_VERSION = 2**31 - 1
MAX_ID = 2**31 - 1  # the largest value an INTEGER id column holds
MAX_OFFSET_MS = 10 * 365 * 24 * 3600 * 1000
# The ranges DESIGN §3 fixes: a count's value and an observation's downtime minutes.
MAX_COUNT_VALUE = 1_000_000_000
MAX_DOWNTIME_MINUTES = 1_440
# The device report of every push (DESIGN §11) and the largest pending count it stores.
REPORT_FIELDS = ("device", "app", "pending")
MAX_PENDING = 1_000_000


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def text_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_TEXT), **kwargs)


def key_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)


def user_id_field(**kwargs) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "an active user's id (pull's users)"},
        **kwargs,
    )


def photos_field() -> fields.List:
    return fields.List(
        fields.UUID(), load_default=list, validate=validate.Length(max=MAX_PHOTOS_PER_RECORD)
    )


# Record data, by type ------------------------------------------------------------------


class VisitDataSchema(StrictSchema):
    """A station was scanned or opened: no data."""


class CountDataSchema(StrictSchema):
    metric = key_field(required=True, metadata={"description": "a metric key"})
    value = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_COUNT_VALUE),
        metadata={"description": "from 0 to 1,000,000,000"},
    )
    note = text_field(allow_none=True)


class ObservationDataSchema(StrictSchema):
    category = key_field(required=True, metadata={"description": "a category key"})
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    text = text_field(required=True)
    photos = photos_field()
    minutes = fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_DOWNTIME_MINUTES),
        metadata={"description": "downtime minutes, from 0 to 1,440"},
    )


class EmployeeNoteDataSchema(StrictSchema):
    employee = fields.String(
        required=True, validate=validate.Length(min=1, max=32), metadata={"description": "badge"}
    )
    kind = fields.String(required=True, validate=validate.OneOf(NOTE_KINDS))
    text = text_field(required=True)


class WalkDataSchema(StrictSchema):
    route = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    started_at = fields.AwareDateTime(required=True)
    ended_at = fields.AwareDateTime(allow_none=True)

    @validates_schema
    def ends_after_start(self, values, **kwargs):
        if values.get("ended_at") and values["ended_at"] < values["started_at"]:
            raise ValidationError("A walk ends after it starts.", "ended_at")


class ActionDataSchema(StrictSchema):
    """A new action (DESIGN §9); the record's author is its creator, its station the
    record's ``station``. Changed only by ``action_update`` records."""

    title = fields.String(
        required=True,
        validate=validate.Length(
            min=1, max=MAX_TITLE, error=f"A title is 1 to {MAX_TITLE} characters."
        ),
    )
    owner = user_id_field(required=True)
    due = fields.Date(required=True, metadata={"description": "not before the day it is made"})
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    text = text_field(allow_none=True)
    observation = fields.UUID(
        allow_none=True, metadata={"description": "the observation record it came from"}
    )


class ActionUpdateDataSchema(StrictSchema):
    """A move, reassignment, new due date, comment or photos for an action: applied in
    the order the server receives them, each checked against the state it finds."""

    action = fields.UUID(required=True, metadata={"description": "the action record's id"})
    status = fields.String(
        allow_none=True,
        validate=validate.OneOf(
            ACTION_UPDATE_STATUSES, error="Unknown status {input}: one of {choices}."
        ),
        metadata={"description": "the move asked for; reopened puts it back to open"},
    )
    owner = user_id_field(allow_none=True)
    due = fields.Date(allow_none=True)
    comment = text_field(allow_none=True)
    photos = photos_field()


DATA_SCHEMAS: dict[str, type[Schema]] = {
    "visit": VisitDataSchema,
    "count": CountDataSchema,
    "observation": ObservationDataSchema,
    "employee_note": EmployeeNoteDataSchema,
    "walk": WalkDataSchema,
    "action": ActionDataSchema,
    "action_update": ActionUpdateDataSchema,
}
STATION_REQUIRED = {"visit", "count"}
# Records that are never edited nor withdrawn: a second version is the same or refused.
APPEND_ONLY = set(ACTION_RECORD_TYPES)


@cache
def _data_schema(type_: str) -> Schema:
    # One instance per type: building a schema costs more than loading a record with it.
    return DATA_SCHEMAS[type_]()


STATION_ABSENT = {"walk", "action_update"}


def storable_text(value: str) -> bool:
    """Text every database stores: no NUL character (PostgreSQL refuses it in text and
    JSON) and no lone surrogate (not encodable as UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_paths(value, path: str = "") -> dict[str, list[str]]:
    """The fields of a JSON value holding text no database can store, by dotted path."""
    found: dict[str, list[str]] = {}
    if isinstance(value, str):
        if not storable_text(value):
            found[path or "record"] = ["Text with NUL or unpaired surrogate characters."]
    elif isinstance(value, dict):
        for key, inner in value.items():
            name = f"{path}.{key}" if path else str(key)
            if not storable_text(str(key)):
                found[path or "record"] = ["A field name with unstorable characters."]
            else:
                found.update(unstorable_paths(inner, name))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.update(unstorable_paths(inner, f"{path}.{index}"))
    return found


class RecordSchema(StrictSchema):
    """One record of a push. ``data`` is checked by the schema of the record's type."""

    id = fields.UUID(required=True, metadata={"description": "made by the phone"})
    type = fields.String(required=True, validate=validate.OneOf(RECORD_TYPES))
    station = fields.String(
        allow_none=True,
        validate=validate.Regexp(CODE_PATTERN),
        metadata={"description": "station code; required for visit and count, none for walk"},
    )
    author = fields.Integer(required=True, strict=True, metadata={"description": "a user id"})
    version = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_VERSION)
    )
    observed_at = fields.AwareDateTime(required=True, metadata={"description": "device time"})
    offset_ms = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(min=-MAX_OFFSET_MS, max=MAX_OFFSET_MS),
        metadata={"description": "device clock minus server clock when captured, in ms"},
    )
    walk = fields.UUID(allow_none=True, metadata={"description": "the walk record's id"})
    deleted = fields.Boolean(truthy={True}, falsy={False})
    data = fields.Dict(
        required=True,
        metadata={
            "anyOf": [
                {"$ref": f"#/components/schemas/{s.__name__[:-6]}"} for s in DATA_SCHEMAS.values()
            ]
        },
    )

    @pre_load
    def storable(self, raw, **kwargs):
        problems = unstorable_paths(raw)
        if isinstance(raw, dict) and len(str(raw.get("observed_at", ""))) > 40:
            problems["observed_at"] = ["Not a valid datetime."]
        if problems:
            raise ValidationError(problems)
        return raw

    @validates_schema(skip_on_field_errors=False)
    def data_fits_type(self, values, **kwargs):
        type_ = values.get("type")
        if type_ not in DATA_SCHEMAS or not isinstance(values.get("data"), dict):
            return
        station = values.get("station")
        if type_ in STATION_REQUIRED and not station:
            raise ValidationError(f"A {type_} names its station.", "station")
        if type_ in STATION_ABSENT and station:
            raise ValidationError(f"A {type_} names no station.", "station")
        try:
            values["data"] = _data_schema(type_).load(values["data"])
        except ValidationError as error:
            raise ValidationError({"data": error.messages}) from None


class PushSchema(StrictSchema):
    """The push envelope. Records are checked one by one (``RecordSchema``), so that one
    bad record is answered ``rejected`` while the others are stored."""

    device = fields.UUID(allow_none=True, metadata={"description": "the install's id"})
    app = fields.String(allow_none=True, validate=validate.Length(max=32))
    pending = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(min=0, max=MAX_PENDING),
        metadata={
            "description": "the phone's unsent records besides this push's, from 0 to 1,000,000"
        },
    )
    schema = fields.Integer(allow_none=True, strict=True, validate=validate.OneOf(SCHEMA_VERSIONS))
    sent_at = fields.AwareDateTime(allow_none=True, metadata={"description": "device time"})
    records = fields.List(fields.Raw(), required=True, validate=validate.Length(max=MAX_RECORDS))

    @pre_load
    def ignore_bad_report(self, raw, **kwargs):
        """The device report (DESIGN §11) never fails a push: a ``device``, ``app`` or
        ``pending`` that does not load is left out, as if the phone had not sent it."""
        if not isinstance(raw, dict):
            return raw
        raw = dict(raw)
        for name in REPORT_FIELDS:
            if name not in raw or raw[name] is None:
                continue
            value = raw[name]
            try:
                if isinstance(value, str) and not storable_text(value):
                    raise ValidationError("unstorable")
                self.fields[name].deserialize(value, name, raw)
            except ValidationError:
                del raw[name]
        return raw


class PushDocSchema(PushSchema):
    """The push envelope as documented: records as ``RecordSchema`` describes them."""

    records = fields.List(
        fields.Nested(RecordSchema), required=True, validate=validate.Length(max=MAX_RECORDS)
    )


# Answers -------------------------------------------------------------------------------


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


# Notification ids as a phone's JavaScript holds them exactly.
MAX_NOTIFICATION_ID = 2**53 - 1
NOTIFICATION_ID = validate.Range(min=1, max=MAX_NOTIFICATION_ID)


class NotificationSchema(Schema):
    """One line of the user's inbox (DESIGN §9)."""

    id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        metadata={"description": "action_assigned, action_due, observation_alert, "
                  "escalation_observation, escalation_action or daily_digest"},
    )  # fmt: skip
    subject = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(required=True, metadata={"description": "a path on this site"})
    created_at = Instant(required=True)
    read = fields.Boolean(required=True)


class InboxSchema(Schema):
    """``GET /api/v1/notifications`` and pull's ``notifications``: the unread count and
    the latest notifications, newest first."""

    unread = fields.Integer(required=True)
    notifications = fields.List(fields.Nested(NotificationSchema), required=True)


class InboxQuerySchema(Schema):
    before = fields.Integer(
        load_default=None, validate=NOTIFICATION_ID,
        metadata={"description": "only notifications older than this id (the next page)"},
    )  # fmt: skip
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class MarkReadSchema(Schema):
    """``POST /api/v1/notifications/read``: ``{"ids": [...]}``, or ``{"all": true}``."""

    ids = fields.List(
        fields.Integer(strict=True, validate=NOTIFICATION_ID),
        validate=validate.Length(max=500),
        load_default=None,
    )
    all = fields.Boolean(load_default=False)

    @validates_schema
    def one_of_them(self, data, **kwargs):
        if (data["ids"] is None) == (not data["all"]):
            raise ValidationError('Give "ids" (a list of notification ids) or "all": true.', "ids")


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
