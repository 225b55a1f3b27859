"""Marshmallow schemas of the sync protocol (DESIGN §3): what a push may carry, and what
push, pull and photo uploads answer. The OpenAPI document is generated from these.

Every schema raises on a field it does not know, naming it: a phone newer than the
server learns that its field was not stored, never silently.
"""

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .models import CODE_PATTERN, MAX_TEXT, NOTE_KINDS, RECORD_TYPES, SEVERITIES

MAX_RECORDS = 500
MAX_PHOTOS_PER_RECORD = 20
# Every push schema version this server has shipped (DESIGN §3: all stay accepted).
SCHEMA_VERSIONS = (1,)
MAX_VERSION = 2**31 - 1
MAX_OFFSET_MS = 10 * 365 * 24 * 3600 * 1000


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def text_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_TEXT), **kwargs)


def key_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)


# Record data, by type ------------------------------------------------------------------


class VisitDataSchema(StrictSchema):
    """A station was scanned or opened: no data."""


class CountDataSchema(StrictSchema):
    metric = key_field(required=True, metadata={"description": "a metric key"})
    value = fields.Float(required=True, allow_nan=False)
    note = text_field(allow_none=True)


class ObservationDataSchema(StrictSchema):
    category = key_field(required=True, metadata={"description": "a category key"})
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    text = text_field(required=True)
    photos = fields.List(
        fields.UUID(), load_default=list, validate=validate.Length(max=MAX_PHOTOS_PER_RECORD)
    )
    minutes = fields.Float(
        allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=100_000)
    )


class EmployeeNoteDataSchema(StrictSchema):
    employee = fields.String(
        required=True, validate=validate.Length(min=1, max=32), metadata={"description": "badge"}
    )
    kind = fields.String(required=True, validate=validate.OneOf(NOTE_KINDS))
    text = text_field(required=True)


class WalkDataSchema(StrictSchema):
    route = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1))
    started_at = fields.AwareDateTime(required=True)
    ended_at = fields.AwareDateTime(allow_none=True)

    @validates_schema
    def ends_after_start(self, values, **kwargs):
        if values.get("ended_at") and values["ended_at"] < values["started_at"]:
            raise ValidationError("A walk ends after it starts.", "ended_at")


DATA_SCHEMAS: dict[str, type[Schema]] = {
    "visit": VisitDataSchema,
    "count": CountDataSchema,
    "observation": ObservationDataSchema,
    "employee_note": EmployeeNoteDataSchema,
    "walk": WalkDataSchema,
}
STATION_REQUIRED = {"visit", "count"}
STATION_ABSENT = {"walk"}


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
            values["data"] = DATA_SCHEMAS[type_]().load(values["data"])
        except ValidationError as error:
            raise ValidationError({"data": error.messages}) from None


class PushSchema(StrictSchema):
    """The push envelope. Records are checked one by one (``RecordSchema``), so that one
    bad record is answered ``rejected`` while the others are stored."""

    device = fields.UUID(allow_none=True, metadata={"description": "the install's id"})
    app = fields.String(allow_none=True, validate=validate.Length(max=32))
    schema = fields.Integer(allow_none=True, strict=True, validate=validate.OneOf(SCHEMA_VERSIONS))
    sent_at = fields.AwareDateTime(allow_none=True, metadata={"description": "device time"})
    records = fields.List(fields.Raw(), required=True, validate=validate.Length(max=MAX_RECORDS))


class PushDocSchema(PushSchema):
    """The push envelope as documented: records as ``RecordSchema`` describes them."""

    records = fields.List(
        fields.Nested(RecordSchema), required=True, validate=validate.Length(max=MAX_RECORDS)
    )


# Answers -------------------------------------------------------------------------------


class ServerRecordSchema(Schema):
    """A record as the server holds it: as last sent, with what the server adds."""

    id = fields.UUID(required=True)
    type = fields.String(required=True)
    station = fields.String(allow_none=True)
    author = fields.Integer(required=True)
    version = fields.Integer(required=True)
    observed_at = fields.String(required=True, metadata={"description": "as sent"})
    offset_ms = fields.Integer(allow_none=True)
    walk = fields.UUID(allow_none=True)
    deleted = fields.Boolean(required=True)
    data = fields.Dict(required=True)
    status = fields.String(
        allow_none=True, metadata={"description": "observations: open, acknowledged, resolved"}
    )
    server_observed_at = fields.String(
        required=True, metadata={"description": "after clock correction"}
    )
    production_day = fields.String(required=True)
    shift = fields.String(required=True)


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


class PullAnswerSchema(Schema):
    me = fields.Dict(required=True)
    settings = fields.Dict(required=True)
    min_app = fields.String(required=True)
    full = fields.Boolean(
        required=True, metadata={"description": "true: replace everything mirrored"}
    )
    areas = fields.List(fields.Dict(), required=True)
    categories = fields.List(fields.Dict(), required=True)
    plan = fields.Dict(required=True)
    stations = fields.List(fields.Dict(), required=True)
    metrics = fields.List(fields.Dict(), required=True)
    employees = fields.List(fields.Dict(), required=True)
    routes = fields.List(fields.Dict(), required=True)
    records = fields.List(fields.Nested(ServerRecordSchema), required=True)
    removed = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    cursor = fields.String(required=True)
    server_time = fields.String(required=True)


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
