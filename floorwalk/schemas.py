"""Marshmallow schemas: what the API, forms and CSV files accept."""

from marshmallow import Schema, fields, validate


class CredentialsSchema(Schema):
    """Sign-in, from the /login form and from ``POST /api/v1/session``."""

    # No NUL: PostgreSQL refuses it in a query parameter (a 500 otherwise).
    username = fields.String(
        required=True, validate=[validate.Length(min=1, max=64), validate.ContainsNoneOf("\x00")]
    )
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


def form_input(form) -> dict:
    """A submitted form's fields for a schema, without the CSRF token (checked already)."""
    return {name: value for name, value in form.items() if name != "csrf_token"}
