"""Marshmallow schemas for the catalog: CSV rows and the admin pages' forms.

A CSV row and the matching form accept the same values with the same messages, so an
admin learns one set of rules. Every field strips surrounding spaces; blank optional
fields load as None.
"""

import math
import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..accounts import MIN_PASSWORD_LENGTH, USERNAME_PATTERN
from ..models import CODE_PATTERN, METRIC_KINDS, ROLES

# A key names its row in admin URLs (/admin/metrics/<key>): "." or ".." would not.
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off"}


class Text(fields.String):
    """A stripped string of at most ``max`` characters; blank is None unless required."""

    def __init__(self, max: int, *, required: bool = True, pattern: str | None = None, rule=""):
        if required:
            super().__init__(required=True)
        else:
            super().__init__(load_default=None, allow_none=True)
        self.max = max
        self.needed = required
        self.pattern = re.compile(pattern) if pattern else None
        self.rule = rule

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            if self.needed:
                raise ValidationError("Required.")
            return None
        if len(text) > self.max:
            given = f"{len(text)} characters given"
            raise ValidationError(
                f"{self.rule} ({given})."
                if self.rule
                else f"At most {self.max} characters ({given})."
            )
        if self.pattern and not self.pattern.match(text):
            raise ValidationError(f"{self.rule}: {text!r} is not.")
        return text


class YesNo(fields.Field):
    """``yes`` or ``no`` (true/false, 1/0 also read); ``blank`` is what an empty cell means."""

    def __init__(self, blank: bool | None = None, **kwargs):
        kwargs.setdefault("load_default", blank)
        super().__init__(**kwargs)
        self.blank = blank

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip().lower()
        if text == "" and self.blank is not None:
            return self.blank
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValidationError(f"Write yes or no, not {value!r}.")


class Amount(fields.Field):
    """A number of 0 or more; blank is None unless required."""

    def __init__(self, required: bool = False, **kwargs):
        super().__init__(load_default=None, allow_none=True, **kwargs)
        self.needed = required

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if not text:
            if self.needed:
                raise ValidationError("A number is needed.")
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(f"{text!r} is not a number.") from None
        if not math.isfinite(number):
            raise ValidationError(f"{text!r} is not a number.")
        if number < 0:
            raise ValidationError(f"Must be 0 or more, not {text}.")
        return number


def station_code(required: bool = True) -> Text:
    return Text(
        32,
        required=required,
        pattern=CODE_PATTERN,
        rule="A station code is 1 to 32 letters, digits, '-' or '_', without spaces",
    )


def catalog_key() -> Text:
    return Text(
        64,
        pattern=KEY_PATTERN,
        rule="A key starts with a letter or digit, then letters, digits, '_', '.' or '-'",
    )


def metric_kind() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(
            METRIC_KINDS, error="The kind is tally, counter or gauge, not {input!r}."
        ),
    )


class RowSchema(Schema):
    """A CSV row: exactly its columns, checked by the reader before the schema."""


# CSV rows (DESIGN §5) -----------------------------------------------------------------


class MetricRow(RowSchema):
    key = catalog_key()
    label = Text(120)
    unit = Text(32, required=False)
    kind = metric_kind()


class StationRow(RowSchema):
    code = station_code()
    name = Text(120)
    area = Text(80)
    active = YesNo(blank=True)


class TargetRow(RowSchema):
    station = Text(32)
    metric = Text(64)
    target = Amount()
    min_level = Amount()


class EmployeeRow(RowSchema):
    badge = Text(32)
    name = Text(120)
    area = Text(80, required=False)


class CategoryRow(RowSchema):
    key = catalog_key()
    label = Text(120)
    downtime = YesNo(blank=False)


class PlanRow(RowSchema):
    day = fields.Date(required=True, error_messages={"invalid": "Write the day as YYYY-MM-DD."})
    shift = Text(16, required=False)
    station = Text(32)
    metric = Text(64, required=False)
    target = Amount()
    scheduled = YesNo(blank=True)


# Forms --------------------------------------------------------------------------------


class FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE


class StationForm(FormSchema):
    code = station_code()
    name = Text(120)
    area = Text(80)
    active = YesNo(blank=False, load_default=False)


class StationMetricForm(FormSchema):
    metric = Text(64)
    target = Amount()
    min_level = Amount()


class MetricForm(FormSchema):
    key = catalog_key()
    label = Text(120)
    unit = Text(32, required=False)
    kind = metric_kind()


class CategoryForm(FormSchema):
    key = catalog_key()
    label = Text(120)
    downtime = YesNo(blank=False, load_default=False)
    active = YesNo(blank=False, load_default=False)


class EmployeeForm(FormSchema):
    badge = Text(32)
    name = Text(120)
    area = Text(80, required=False)
    active = YesNo(blank=False, load_default=False)


class AreaForm(FormSchema):
    name = Text(80)


class RouteForm(FormSchema):
    name = Text(120)
    area = Text(80, required=False)
    active = YesNo(blank=False, load_default=False)
    stations = fields.String(load_default="")


def new_password() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(
            min=MIN_PASSWORD_LENGTH, error=f"At least {MIN_PASSWORD_LENGTH} characters."
        ),
    )


class UserForm(FormSchema):
    role = fields.String(
        required=True, validate=validate.OneOf(ROLES, error="Choose one of the roles.")
    )
    areas = fields.List(fields.String(), load_default=list)


class NewUserForm(UserForm):
    username = Text(
        64,
        pattern=USERNAME_PATTERN,
        rule="A username is 1 to 64 letters, digits or . _ @ - (no spaces)",
    )
    password = new_password()


class PasswordForm(FormSchema):
    password = new_password()


class SettingsForm(FormSchema):
    timezone = fields.String(required=True)
    day_start = fields.String(load_default="")
    shifts = fields.String(load_default="")
    public_url = fields.String(load_default="")
    escalate_after = fields.String(load_default="")


def form_errors(error: ValidationError) -> dict[str, str]:
    """A schema's messages as one line per field, for showing beside each field."""
    return {name: " ".join(flatten(messages)) for name, messages in error.messages.items()}


def flatten(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in flatten(value)]
    return [m for value in messages for m in flatten(value)]
