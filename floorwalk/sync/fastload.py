"""The fast path for push records: what ``RecordSchema`` loads, in a tenth of the time.

Marshmallow spends about 120 µs on a record, half of a push's time. A phone's records
are nearly always plain and valid: for those, the loader below gives the values
``RecordSchema`` would, built from the schemas' own fields and validators. On anything
else (a wrong type, a failed validator, an unknown or unusual input) it gives up and the
schema loads the record, so what is accepted and every error message stay the schema's.
tests/unit/test_sync_fastload.py holds it to that.

Only marshmallow's public API is read: a schema instance's ``fields``, each field's
constructor options (``required``, ``allow_none``, ``load_default``, ``validators``…) and
``resolve_hooks()`` for the names of a schema's decorated hooks. A field type or hook it
does not mirror fails at import, so a schema change cannot silently bypass it.
"""

import math
import uuid
from datetime import date, datetime
from functools import cache

from marshmallow import RAISE, Schema, ValidationError, fields, missing

from .schemas import (
    DATA_SCHEMAS,
    STATION_ABSENT,
    STATION_REQUIRED,
    RecordSchema,
    WalkDataSchema,
    storable_text,
)


class _Unsure(Exception):
    """The fast path cannot vouch for this value: let the schema load it."""


def _plain_text(value) -> str:
    if type(value) is not str or not storable_text(value):
        raise _Unsure
    return value


def _aware_datetime(field: fields.AwareDateTime):
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

    return convert


def _date(field: fields.Date):
    assert field.format in (None, "iso", "iso8601")

    def convert(value):
        try:
            return date.fromisoformat(_plain_text(value))
        except ValueError:
            raise _Unsure from None

    return convert


def _uuid(field: fields.UUID):
    def convert(value):
        try:
            return uuid.UUID(_plain_text(value))
        except ValueError:
            raise _Unsure from None

    return convert


def _integer(field: fields.Integer):
    assert field.strict, "only strict integers are mirrored"

    def convert(value):
        if type(value) is not int:
            raise _Unsure
        return value

    return convert


def _float(field: fields.Float):
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

    return convert


def _boolean(field: fields.Boolean):
    assert field.truthy and field.falsy

    def convert(value):
        if value is True and True in field.truthy:
            return True
        if value is False and False in field.falsy:
            return False
        raise _Unsure

    return convert


def _string(field: fields.String):
    return _plain_text


def _list(field: fields.List):
    inner = _converter(field.inner)

    def convert(value):
        if type(value) is not list:
            raise _Unsure
        return [inner(item) for item in value]

    return convert


# The field types mirrored, most specific first (AwareDateTime and UUID are subclasses
# of types below them); String and List only as exactly themselves.
_CONVERTERS = (
    (fields.AwareDateTime, _aware_datetime, False),
    (fields.Date, _date, True),
    (fields.UUID, _uuid, False),
    (fields.Integer, _integer, False),
    (fields.Float, _float, False),
    (fields.Boolean, _boolean, False),
    (fields.String, _string, True),
    (fields.List, _list, True),
)


def _converter(field: fields.Field):
    """A function loading a value as ``field`` does (validators included), or raising
    ``_Unsure``. A field this cannot mirror exactly fails here, at import."""
    if field.pre_load or field.post_load or field.data_key or field.dump_only:
        raise TypeError(f"The fast path cannot mirror {field!r}.")
    for kind, make, exact in _CONVERTERS:
        if type(field) is kind if exact else isinstance(field, kind):
            convert = make(field)
            break
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
    found = {name for tagged in schema_class.resolve_hooks().values() for name, *_ in tagged}
    schema = schema_class()
    if found != hooks or schema.unknown != RAISE:
        raise TypeError(f"The fast path does not mirror {schema_class.__name__}'s hooks.")
    plan = [
        (name, _converter(field), field.required, field.allow_none, field.load_default)
        for name, field in schema.fields.items()
        if name not in skip
    ]
    known = frozenset(schema.fields)

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


def _load_plain(raw) -> dict:
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
    return values


def fast_load_record(raw) -> dict | None:
    """What ``RecordSchema().load(raw)`` gives for a plain, valid record; ``None`` when
    the fast path cannot vouch for ``raw`` (the schema must then load it)."""
    try:
        return _load_plain(raw)
    except _Unsure:
        return None


def load_record(raw) -> dict:
    """A push record loaded as ``RecordSchema`` loads it; ValidationError when invalid."""
    values = fast_load_record(raw)
    return values if values is not None else _record_schema().load(raw)


@cache
def _record_schema() -> RecordSchema:
    return RecordSchema()
