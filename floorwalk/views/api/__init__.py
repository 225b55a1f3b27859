"""The JSON API under /api/v1. Every answer, errors included, is JSON (errors.py).

Order of checks for each request: the session (401, so a phone whose session ran out
learns that first), the body's media type (415), then the CSRF token (400 ``csrf``).
"""

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from ...accounts import AccountError, user_summary
from ...errors import ApiError
from ...extensions import csrf
from ...schemas import SessionSchema
from ...signin import SignInBlocked
from ...summaries.schemas import explain, query_input
from ..auth import TOO_MANY_FAILURES, sign_in, sign_out

bp = Blueprint("api", __name__, url_prefix="/api/v1")

BODY_METHODS = {"POST", "PUT", "PATCH"}


def public(view):
    """Reachable without a session (the view answers 401 itself where it must)."""
    view.api_public = True
    return view


def without_csrf_token(view):
    """Needs no CSRF token: only for signing in, which a cross-site form cannot do as JSON."""
    view.api_csrf_exempt = True
    return view


def accepts_body(*mimetypes: str):
    """Takes a raw body of these media types instead of JSON (photo uploads)."""

    def decorator(view):
        view.api_mimetypes = mimetypes
        return view

    return decorator


@bp.before_request
def check_request():
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "api_public", False) and not current_user.is_authenticated:
        raise ApiError(401, "Your session has ended; sign in again.", "unauthorized")
    if request.method in BODY_METHODS:
        allowed = getattr(view, "api_mimetypes", ("application/json",))
        if request.mimetype not in allowed:
            raise ApiError(415, f"Send the body as {' or '.join(allowed)}.")
    if request.method not in {"GET", "HEAD", "OPTIONS"} and not getattr(
        view, "api_csrf_exempt", False
    ):
        csrf.protect()


def query_args(schema):
    """The query string loaded through ``schema`` (an argument it does not know is left
    out, as the pages do); 400 saying what is wrong."""
    try:
        return schema.load(query_input(request.args), unknown="exclude")
    except ValidationError as error:
        raise ApiError(400, explain(error.messages), "invalid") from None


def json_body(schema):
    """The request body loaded through ``schema``; 400 naming each bad field, or for a
    body that is not a JSON object (nesting deeper than the parser recurses included)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # not a ValueError, so silent=True lets it through
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    try:
        return schema.load(body)
    except ValidationError as error:
        fields = "; ".join(
            f"{name}: {' '.join(map(str, msgs))}" for name, msgs in error.messages.items()
        )
        raise ApiError(400, f"Invalid request: {fields}", "invalid") from None


def session_answer(user):
    return jsonify({"user": user_summary(user), "csrf_token": generate_csrf()})


@bp.get("/session")
@public
def get_session():
    if not current_user.is_authenticated:
        raise ApiError(401, "Not signed in.", "unauthorized")
    return session_answer(current_user)


@bp.post("/session")
@public
@without_csrf_token
def create_session():
    """Sign in: a server-side session of its own, named by the phone's device and app."""
    credentials = json_body(SessionSchema())
    try:
        user = sign_in(credentials, credentials.get("device"), credentials.get("app"))
    except SignInBlocked as blocked:
        raise ApiError(
            429, TOO_MANY_FAILURES, headers={"Retry-After": str(blocked.retry_after)}
        ) from None
    except AccountError as error:
        raise ApiError(401, str(error), "bad_credentials") from None
    return session_answer(user)


@bp.delete("/session")
def delete_session():
    """Sign out of this session; ``?all=1``: of every session of the user (DESIGN §3)."""
    sign_out(everywhere=request.args.get("all") == "1")
    return jsonify({"signed_out": True, "csrf_token": generate_csrf()})


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(unknown: str):
    raise ApiError(404, f"No such API endpoint: /api/v1/{unknown}")
