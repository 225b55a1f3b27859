"""What the actions API answers and accepts (DESIGN §9). ``ActionSchema`` is the one
JSON of an action: ``GET /api/v1/actions`` answers it, pull carries it with a few more
fields (``PulledActionSchema``), the OpenAPI document describes both from here."""

from marshmallow import Schema, ValidationError, fields, validate

from ..models import ACTION_STATUSES, ACTION_UPDATE_STATUSES, MAX_TEXT, MAX_TITLE, PRIORITIES
from ..schemas import Instant
from .queries import ActionFilters


class UserRefSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)


class ActionUpdateSchema(Schema):
    """One applied update, in the order the server received it."""

    id = fields.UUID(required=True, attribute="record_id", metadata={"description": "record id"})
    author = fields.Nested(UserRefSchema, required=True)
    at = Instant(required=True, metadata={"description": "when it was made (server clock)"})
    status = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(ACTION_UPDATE_STATUSES)
    )
    owner = fields.Nested(UserRefSchema, required=True, allow_none=True)
    due = fields.Date(required=True, allow_none=True)
    comment = fields.String(required=True, allow_none=True)
    photos = fields.List(fields.UUID(), required=True)


class ActionSchema(Schema):
    """An action and its derived state, as DESIGN §9 fixes it. Dumps an ``Action`` with
    ``overdue`` and each update's ``photos`` set on it (``queries.with_details``)."""

    id = fields.UUID(required=True, metadata={"description": "the action record's id"})
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ACTION_STATUSES))
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    owner = fields.Nested(UserRefSchema, required=True)
    due = fields.Date(required=True)
    overdue = fields.Boolean(required=True)
    station = fields.String(
        required=True, allow_none=True, attribute="station_code", metadata={"description": "code"}
    )
    observation = fields.UUID(required=True, allow_none=True, attribute="observation_id")
    created_by = fields.Nested(UserRefSchema, required=True)
    created_at = Instant(required=True)
    updates = fields.List(fields.Nested(ActionUpdateSchema), required=True)


class PulledActionSchema(ActionSchema):
    """An action as pull carries it: what the list answers, and what the phone shows on
    the action's screen and needs for the four-eyes rule."""

    text = fields.String(required=True, allow_none=True)
    done_by = fields.Nested(UserRefSchema, required=True, allow_none=True)
    closed_at = Instant(required=True, allow_none=True)
    area_ids = fields.List(
        fields.Integer(), required=True, metadata={"description": "the areas it belongs to"}
    )


class ActionsAnswerSchema(Schema):
    actions = fields.List(fields.Nested(ActionSchema), required=True)


class AssignableUserSchema(Schema):
    """Someone an action may be given to (pull's ``users``: every active user)."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True)
    areas = fields.List(fields.Integer(), required=True, metadata={"description": "area ids"})


class OwnerRef(fields.Field):
    """``me`` or a user's id."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "me":
            return value
        if isinstance(value, str) and value.isdigit() and len(value) < 10:
            return int(value)
        raise ValidationError("Use me or a user's id.")


class ActionsQuery(Schema):
    """``GET /api/v1/actions`` and ``/actions`` filters (empty values count as absent)."""

    status = fields.String(
        load_default=None,
        validate=validate.OneOf(ACTION_STATUSES, error="Unknown status {input}: one of {choices}."),
    )
    owner = OwnerRef(load_default=None)
    overdue = fields.Boolean(load_default=False, truthy={"1", "true"}, falsy={"0", "false"})
    area = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


def filters_of(query: dict, viewer) -> ActionFilters:
    """The loaded query as list filters, ``owner=me`` as the viewer's id."""
    owner = viewer.id if query["owner"] == "me" else query["owner"]
    return ActionFilters(query["status"], owner, query["overdue"], query["area"])


# The pages' forms -----------------------------------------------------------------------


class ActionForm(Schema):
    """ "Create action" on the pages; the push checks the rest (owner, due, station)."""

    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_TITLE, error="A title is 1 to 200 characters."),
    )
    owner = fields.Integer(required=True, error_messages={"invalid": "Choose an owner."})
    due = fields.Date(required=True, error_messages={"invalid": "Give a date as YYYY-MM-DD."})
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    text = fields.String(load_default=None, validate=validate.Length(max=MAX_TEXT))
    station = fields.String(load_default=None, validate=validate.Length(max=32))
    observation = fields.UUID(load_default=None)


class ActionUpdateForm(Schema):
    """A move, reassignment, new due date or comment from an action's page."""

    status = fields.String(load_default=None, validate=validate.OneOf(ACTION_UPDATE_STATUSES))
    owner = fields.Integer(load_default=None, error_messages={"invalid": "Choose an owner."})
    due = fields.Date(load_default=None, error_messages={"invalid": "Give a date as YYYY-MM-DD."})
    comment = fields.String(load_default=None, validate=validate.Length(max=MAX_TEXT))


class NewActionQuery(Schema):
    """What a "Create action" link prefills."""

    title = fields.String(load_default="", validate=validate.Length(max=MAX_TITLE))
    station = fields.String(load_default=None, validate=validate.Length(max=32))
    observation = fields.UUID(load_default=None)


def form_errors(errors: dict) -> dict[str, str]:
    """Errors by form field, from a form schema's or the push's (``data.owner``)."""
    flat = {}
    for name, messages in errors.items():
        if isinstance(messages, dict):
            messages = [m for inner in messages.values() for m in inner]
        field = name.removeprefix("data.") if name != "data" else "form"
        field = "form" if field in ("record", "action", "deleted", "station") else field
        flat[field] = " ".join(str(m) for m in messages)
    return flat
