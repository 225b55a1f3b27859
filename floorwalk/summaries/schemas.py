"""What the summary pages and the summary API accept as query arguments and forms."""

from marshmallow import Schema, fields, validate

from ..models import SEVERITIES
from .followup import AGES


def query_input(args) -> dict:
    """Query arguments for a schema; empty values count as absent (form selects send them)."""
    return {key: value for key, value in args.items() if value != ""}


class SummaryQuery(Schema):
    area = fields.Integer(load_default=None, validate=validate.Range(min=1))
    shift = fields.String(load_default=None, validate=validate.Length(max=16))
    day = fields.Date(load_default=None)


class RecordsQuery(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    area = fields.Integer(load_default=None, validate=validate.Range(min=1))


class ObservationsQuery(Schema):
    area = fields.Integer(load_default=None, validate=validate.Range(min=1))
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    category = fields.String(load_default=None, validate=validate.Length(max=64))
    age = fields.Integer(load_default=0, validate=validate.OneOf(AGES))
    day = fields.Date(load_default=None)
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "all")))


class HistoryQuery(Schema):
    until = fields.Date(load_default=None)


class FollowUpForm(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=4000))
