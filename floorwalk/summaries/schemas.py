"""What the summary pages and the summary API accept as query arguments and forms."""

from marshmallow import Schema, fields, validate

from ..models import SEVERITIES
from .followup import AGES

DAY_MESSAGE = "use a day as YYYY-MM-DD"


class AreaRef(fields.Field):
    """An area by its number or by its name: a number loads as an int, a name as its
    text (scope.area_id_of finds it)."""

    default_error_messages = {"invalid": "give an area's name or its number"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.strip() or len(value) > 120:
            raise self.make_error("invalid")
        value = value.strip()
        if value.isdigit():
            return int(value)
        return value


def Day(**kwargs) -> fields.Date:  # noqa: N802 - a field, named like one
    return fields.Date(
        error_messages={"invalid": DAY_MESSAGE, "required": "give a day as YYYY-MM-DD"},
        **kwargs,
    )


def explain(messages: dict) -> str:
    """A marshmallow error dict as one sentence: "Check from: use a day as YYYY-MM-DD."."""
    parts = []
    for name, problems in sorted(messages.items()):
        if isinstance(problems, dict):
            problems = [text for texts in problems.values() for text in texts]
        text = "; ".join(str(p).rstrip(".") for p in problems)
        parts.append(f"{name}: {text[:1].lower()}{text[1:]}")
    return f"Check {'; '.join(parts)}."


def query_input(args) -> dict:
    """Query arguments for a schema; empty values count as absent (form selects send them)."""
    return {key: value for key, value in args.items() if value != ""}


class SummaryQuery(Schema):
    area = AreaRef(load_default=None)
    shift = fields.String(load_default=None, validate=validate.Length(max=16))
    day = Day(load_default=None)


class RecordsQuery(Schema):
    start = Day(required=True, data_key="from")
    end = Day(required=True, data_key="to")
    area = AreaRef(load_default=None)


class ReportQuery(Schema):
    start = Day(required=True, data_key="from")
    end = Day(required=True, data_key="to")
    area = AreaRef(load_default=None)
    shift = fields.String(load_default=None, validate=validate.Length(max=16))


class ObservationsQuery(Schema):
    area = AreaRef(load_default=None)
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    category = fields.String(load_default=None, validate=validate.Length(max=64))
    age = fields.Integer(load_default=0, validate=validate.OneOf(AGES))
    day = fields.Date(load_default=None)
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "all")))


class HistoryQuery(Schema):
    until = fields.Date(load_default=None)


class FollowUpForm(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=4000))


class HandoverQuery(Schema):
    day = Day(load_default=None)
    shift = fields.String(load_default=None, validate=validate.Length(max=16))


class HandoverForm(Schema):
    day = Day(required=True)
    shift = fields.String(load_default="", validate=validate.Length(max=16))
    note = fields.String(load_default="", validate=validate.Length(max=4000))
