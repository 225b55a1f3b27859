"""Marshmallow schemas of the sync protocol (DESIGN §3): what a push may carry. What push,
pull and photo uploads answer is in ``answers``; the OpenAPI document is generated from both.

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
