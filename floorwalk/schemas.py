"""Marshmallow schemas: what the API, forms and CSV files accept."""

from marshmallow import Schema, fields, validate


class CredentialsSchema(Schema):
    """Sign-in, from the /login form and from ``POST /api/v1/session``."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
