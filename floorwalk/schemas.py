"""Marshmallow schemas: what the API, forms and CSV files accept."""

from marshmallow import Schema, fields, validate


class CredentialsSchema(Schema):
    """Sign-in, from the /login form and from ``POST /api/v1/session``."""

    # No NUL: PostgreSQL refuses it in a query parameter (a 500 otherwise).
    username = fields.String(
        required=True, validate=[validate.Length(min=1, max=64), validate.ContainsNoneOf("\x00")]
    )
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class SessionSchema(CredentialsSchema):
    """``POST /api/v1/session``: the credentials, and the phone's install and app version
    when it sends them, to name the session on the account page."""

    device = fields.String(load_default=None, validate=validate.Length(max=64))
    app = fields.String(load_default=None, validate=validate.Length(max=32))


def form_input(form) -> dict:
    """A submitted form's fields for a schema, without the CSRF token (checked already)."""
    return {name: value for name, value in form.items() if name != "csrf_token"}


class ChangePasswordSchema(Schema):
    """A user's change of their own password, from the account page."""

    current_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    repeat_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class NotificationPreferencesSchema(Schema):
    """The account page's notification form: the address, and the kinds ticked "by mail"
    (``mail`` repeated; the form reads it with ``getlist``)."""

    email = fields.String(load_default="", validate=validate.Length(max=1024))
    mail = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list)


class MarkReadForm(Schema):
    """The inbox page's "Mark read" (one ``id``) and "Mark all read" (no id)."""

    id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**53 - 1))


class Instant(fields.String):
    """An aware datetime as every answer gives it: RFC 3339 with milliseconds."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat(timespec="milliseconds")
