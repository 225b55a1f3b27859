"""Marshmallow schemas of the inbox (DESIGN §9): ``GET /api/v1/notifications``, marking
read, and pull's ``notifications``."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..schemas import Instant

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
