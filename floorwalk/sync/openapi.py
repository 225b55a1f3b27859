"""The OpenAPI document of /api/v1, generated from the marshmallow schemas the API
loads and dumps with (apispec), so that the document cannot drift from the code."""

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .. import __version__
from ..actions.schemas import ActionsAnswerSchema
from ..models import ACTION_STATUSES
from ..notifications.schemas import MAX_NOTIFICATION_ID, InboxSchema, MarkReadSchema
from ..schemas import CredentialsSchema
from .answers import ErrorSchema, PhotoAnswerSchema, PullAnswerSchema, PushAnswerSchema
from .schemas import DATA_SCHEMAS, PushDocSchema, RecordSchema

ERRORS = {
    400: "A bad request, or a missing or wrong CSRF token (code `csrf`)",
    401: "No session, or it has ended",
    403: "Not yours to see or change",
    404: "Unknown",
    409: "The id is taken by something else",
    410: "The cursor is from another database epoch (code `cursor_expired`)",
    413: "The body is too large",
    415: "The body's media type is not accepted, or it is not an image",
    422: "The image has too many pixels",
    429: "Too many failed sign-ins",
}


def _json(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _operation(summary: str, ok: dict, errors: tuple[int, ...], **extra) -> dict:
    responses = {str(status): {"description": text, **body} for status, (text, body) in ok.items()}
    for status in errors:
        responses[str(status)] = {"description": ERRORS[status], **_json(ErrorSchema)}
    return {"summary": summary, "responses": responses, **extra}


SESSION_ANSWER = {
    "type": "object",
    "required": ["user", "csrf_token"],
    "properties": {
        "user": {
            "type": "object",
            "required": ["id", "username", "role", "areas"],
            "properties": {
                "id": {"type": "integer"},
                "username": {"type": "string"},
                "role": {"type": "string"},
                "areas": {"type": "array", "items": {"type": "string"}},
            },
        },
        "csrf_token": {"type": "string"},
    },
}
WRITE_ERRORS = (400, 401, 415)
ACTION_FILTERS = [
    {"name": "status", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(ACTION_STATUSES)}},
    {"name": "owner", "in": "query", "required": False,
     "schema": {"type": "string", "pattern": "^(me|[0-9]{1,9})$"},
     "description": "me, or a user's id"},
    {"name": "overdue", "in": "query", "required": False,
     "schema": {"type": "string", "enum": ["1", "0", "true", "false"]},
     "description": "1: only actions past their due day and not done"},
    {"name": "area", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
     "description": "an area's id: its stations' actions, and those of its people "
     "without a station"},
]  # fmt: skip


@cache
def openapi_document() -> dict:
    spec = APISpec(
        title="floorwalk",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "The sync protocol of DESIGN §3. Authentication: the session "
            "cookie; state-changing requests also carry the CSRF token in X-CSRFToken."
        },
    )
    for name, schema in (
        ("Error", ErrorSchema), ("Credentials", CredentialsSchema), ("Record", RecordSchema),
        ("Push", PushDocSchema), ("PushAnswer", PushAnswerSchema),
        ("Inbox", InboxSchema), ("MarkRead", MarkReadSchema),
        ("PullAnswer", PullAnswerSchema), ("PhotoAnswer", PhotoAnswerSchema),
        ("ActionsAnswer", ActionsAnswerSchema),
    ):  # fmt: skip
        spec.components.schema(name, schema=schema)
    for schema in DATA_SCHEMAS.values():
        spec.components.schema(schema.__name__.removesuffix("Schema"), schema=schema)

    session_ok = {200: ("Signed in", _json(SESSION_ANSWER))}
    spec.path(
        path="/api/v1/session",
        operations={
            "get": _operation("The signed-in user and a fresh CSRF token", session_ok, (401,)),
            "post": _operation(
                "Sign in", session_ok, (400, 401, 415, 429),
                requestBody={"required": True, **_json(CredentialsSchema)},
            ),
        },
    )  # fmt: skip
    spec.path(
        path="/api/v1/sync/push",
        operations={
            "post": _operation(
                "Store records exactly once; one result per record, in input order",
                {200: ("Every record answered", _json(PushAnswerSchema))},
                (*WRITE_ERRORS, 413),
                requestBody={"required": True, **_json(PushDocSchema)},
            )
        },
    )
    spec.path(
        path="/api/v1/sync/pull",
        operations={
            "get": _operation(
                "A full snapshot, or what changed since the cursor",
                {200: ("What the phone mirrors", _json(PullAnswerSchema))},
                (400, 401, 410),
                parameters=[{
                    "name": "cursor", "in": "query", "required": False,
                    "schema": {"type": "string"},
                    "description": "the cursor of the previous pull",
                }, {
                    "name": "device", "in": "query", "required": False,
                    "schema": {"type": "string", "format": "uuid"},
                    "description": "the install's id (DESIGN §11); ignored when unparsable",
                }, {
                    "name": "app", "in": "query", "required": False,
                    "schema": {"type": "string", "maxLength": 32},
                    "description": "the app version",
                }, {
                    "name": "pending", "in": "query", "required": False,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 1000000},
                    "description": "the phone's count of unsent records; ignored when unparsable",
                }],
            )
        },
    )  # fmt: skip
    spec.path(
        path="/api/v1/notifications",
        operations={
            "get": _operation(
                "The user's notifications, newest first, with the unread count",
                {200: ("The inbox", _json(InboxSchema))},
                (400, 401),
                parameters=[{
                    "name": "before", "in": "query", "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_NOTIFICATION_ID},
                    "description": "only notifications older than this id (the next page)",
                }, {
                    "name": "limit", "in": "query", "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                }],
            )
        },
    )  # fmt: skip
    marked = {
        "type": "object", "required": ["marked", "unread"],
        "properties": {"marked": {"type": "integer"}, "unread": {"type": "integer"}},
    }  # fmt: skip
    spec.path(
        path="/api/v1/notifications/read",
        operations={
            "post": _operation(
                "Mark the user's notifications read: these ids, or all",
                {200: ("How many were marked, and how many stay unread", _json(marked))},
                WRITE_ERRORS,
                requestBody={"required": True, **_json(MarkReadSchema)},
            )
        },
    )
    spec.path(
        path="/api/v1/actions",
        operations={
            "get": _operation(
                "The actions the viewer may see (DESIGN §9): overdue first, then by due day",
                {200: ("The actions", _json(ActionsAnswerSchema))},
                (400, 401),
                parameters=ACTION_FILTERS,
            )
        },
    )
    image = {"schema": {"type": "string", "format": "binary"}}
    photo_ok = ("Stored", _json(PhotoAnswerSchema))
    spec.path(
        path="/api/v1/photos/{photo_id}",
        operations={
            "put": _operation(
                "Upload a photo (201 stored, 200 stored already with the same bytes)",
                {201: photo_ok, 200: ("The same bytes are stored already", photo_ok[1])},
                (*WRITE_ERRORS, 403, 409, 413, 422),
                parameters=[{
                    "name": "photo_id", "in": "path", "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                }],
                requestBody={"required": True, "content": {
                    "image/jpeg": image, "image/png": image, "image/webp": image,
                }},
            )
        },
    )  # fmt: skip
    spec.path(
        path="/api/v1/openapi.json",
        operations={"get": {"summary": "This document", "responses": {
            "200": {"description": "OpenAPI 3", **_json({"type": "object"})}
        }}},
    )  # fmt: skip
    return spec.to_dict()
