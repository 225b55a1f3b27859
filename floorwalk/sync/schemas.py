"""Marshmallow schemas of the sync protocol (DESIGN §3): what a push may carry, and what
push, pull and photo uploads answer. The OpenAPI document is generated from these.

Every schema raises on a field it does not know, naming it: a phone newer than the
server learns that its field was not stored, never silently.
"""

import math
import uuid
from datetime import datetime
from functools import cache

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    missing,
    pre_load,
    validate,
    validates_schema,
)

from ..models import CODE_PATTERN, MAX_TEXT, NOTE_KINDS, RECORD_TYPES, SEVERITIES

MAX_RECORDS = 500
MAX_PHOTOS_PER_RECORD = 20
# Every push schema version this server has shipped (DESIGN §3: all stay accepted).
SCHEMA_VERSIONS = (1,)
MAX_VERSION = 2**31 - 1
MAX_ID = 2**31 - 1  # the largest value an INTEGER id column holds
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
    route = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
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


@cache
def _data_schema(type_: str) -> Schema:
    # One instance per type: building a schema costs more than loading a record with it.
    return DATA_SCHEMAS[type_]()


STATION_ABSENT = {"walk"}


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


# The fast path -------------------------------------------------------------------------
# Marshmallow spends about 120 µs on a record, half of a push's time. A phone's records
# are nearly always plain and valid: for those, the loader below gives the values
# RecordSchema would, built from the schemas' own fields and validators, in a tenth of
# the time. On anything else (a wrong type, a failed validator, an unknown or unusual
# input) it gives up and the schema loads the record, so what is accepted and every
# error message stay the schema's. tests/test_sync_fastload.py holds it to that.


class _Unsure(Exception):
    """The fast path cannot vouch for this value: let the schema load it."""


def _plain_text(value) -> str:
    if type(value) is not str or not storable_text(value):
        raise _Unsure
    return value


def _converter(field: fields.Field):
    """A function loading a value as ``field`` does (validators included), or raising
    ``_Unsure``. A field this cannot mirror exactly fails here, at import."""
    if field.pre_load or field.post_load or field.data_key:
        raise TypeError(f"The fast path cannot mirror {field!r}.")
    if isinstance(field, fields.AwareDateTime):
        assert field.format in (None, "iso", "iso8601") and field.default_timezone is None

        def convert(value):
            # Longer than any timestamp: RecordSchema.storable refuses it by name.
            if len(_plain_text(value)) > 40:
                raise _Unsure
            try:
                instant = datetime.fromisoformat(value)
            except ValueError:
                raise _Unsure from None
            if instant.tzinfo is None or instant.utcoffset() is None:
                raise _Unsure
            return instant
    elif isinstance(field, fields.UUID):

        def convert(value):
            try:
                return uuid.UUID(_plain_text(value))
            except ValueError:
                raise _Unsure from None
    elif isinstance(field, fields.Integer):
        assert field.strict, "only strict integers are mirrored"

        def convert(value):
            if type(value) is not int:
                raise _Unsure
            return value
    elif isinstance(field, fields.Float):

        def convert(value):
            if type(value) is not int and type(value) is not float:
                raise _Unsure
            try:
                number = float(value)
            except OverflowError:
                raise _Unsure from None
            if not field.allow_nan and not math.isfinite(number):
                raise _Unsure
            return number
    elif isinstance(field, fields.Boolean):
        assert field.truthy and field.falsy

        def convert(value):
            if value is True and True in field.truthy:
                return True
            if value is False and False in field.falsy:
                return False
            raise _Unsure
    elif type(field) is fields.String:
        convert = _plain_text
    elif type(field) is fields.List:
        inner = _converter(field.inner)

        def convert(value):
            if type(value) is not list:
                raise _Unsure
            return [inner(item) for item in value]
    else:
        raise TypeError(f"The fast path cannot mirror {field!r}.")
    validators = tuple(field.validators)
    if not validators:
        return convert

    def validated(value):
        value = convert(value)
        try:
            for validator in validators:
                validator(value)
        except ValidationError:
            raise _Unsure from None
        return value

    return validated


def _plain_loader(schema_class: type[Schema], hooks: set[str], skip: tuple[str, ...] = ()):
    """A loader of ``schema_class``'s fields (but ``skip``), for a schema whose hooks
    (``hooks``, by name) the caller mirrors itself."""
    found = {name for tagged in schema_class._hooks.values() for name, *_ in tagged}
    if found != hooks or schema_class.opts.unknown != RAISE:
        raise TypeError(f"The fast path does not mirror {schema_class.__name__}'s hooks.")
    plan = []
    for name, field in schema_class._declared_fields.items():
        if name in skip:
            continue
        default = field.load_default
        plan.append((name, _converter(field), field.required, field.allow_none, default))
    known = frozenset(schema_class._declared_fields)

    def load(raw) -> dict:
        if type(raw) is not dict or not known.issuperset(raw):
            raise _Unsure
        values = {}
        for name, convert, required, allow_none, default in plan:
            value = raw.get(name, missing)
            if value is missing:
                if required:
                    raise _Unsure
                if default is not missing:
                    values[name] = default() if callable(default) else default
            elif value is None:
                if not allow_none:
                    raise _Unsure
                values[name] = None
            else:
                values[name] = convert(value)
        return values

    return load


_load_record_fields = _plain_loader(RecordSchema, {"storable", "data_fits_type"}, ("data",))
_load_data = {
    type_: _plain_loader(schema, {"ends_after_start"} if schema is WalkDataSchema else set())
    for type_, schema in DATA_SCHEMAS.items()
}


def fast_load_record(raw) -> dict | None:
    """What ``RecordSchema().load(raw)`` gives for a plain, valid record; ``None`` when
    the fast path cannot vouch for ``raw`` (the schema must then load it)."""
    try:
        values = _load_record_fields(raw)
        data = raw.get("data")
        if type(data) is not dict:
            raise _Unsure
        # RecordSchema.data_fits_type and WalkDataSchema.ends_after_start
        type_, station = values["type"], values.get("station")
        if (type_ in STATION_REQUIRED and not station) or (type_ in STATION_ABSENT and station):
            raise _Unsure
        load_data = _load_data.get(type_)
        if load_data is None:
            raise _Unsure
        values["data"] = load_data(data)
        ended_at = values["data"].get("ended_at")
        if ended_at and ended_at < values["data"]["started_at"]:
            raise _Unsure
    except _Unsure:
        return None
    return values


def load_record(raw) -> dict:
    """A push record loaded as ``RecordSchema`` loads it; ValidationError when invalid."""
    values = fast_load_record(raw)
    return values if values is not None else _record_schema().load(raw)


@cache
def _record_schema() -> RecordSchema:
    return RecordSchema()
