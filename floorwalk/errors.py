"""One error shape for the API, plain pages for people."""

import logging

from flask import Flask, jsonify, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from .requestlog import request_id

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER = 5  # seconds: a restart or a reconnect

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "server_error",
}


class ApiError(HTTPException):
    """An API answer other than success, with a machine-readable ``code``."""

    def __init__(self, status: int, message: str, code: str | None = None, headers=None):
        super().__init__(message)
        self.code = status
        self.error_code = code or CODES.get(status, "error")
        self.extra_headers = headers or {}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, headers=None):
    # A server error shows the request's id: the log line to look for (requestlog.py).
    reference = request_id() if status >= 500 else None
    if wants_json():
        error = {"code": code, "message": message}
        if reference:
            error["request_id"] = reference
        response = jsonify({"error": error})
        response.status_code = status
    else:
        page = render_template("error.html", status=status, message=message, reference=reference)
        response = make_response(page, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if status == 401 and not wants_json():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    headers = dict(getattr(error, "extra_headers", {}))
    if status == 429 and hasattr(error, "retry_after"):
        headers["Retry-After"] = str(error.retry_after)
    code = getattr(error, "error_code", None) or CODES.get(status, "error")
    message = error.description or ""
    if status == 401:
        message = message if isinstance(error, ApiError) else "Sign in to continue."
    return error_response(status, code, message, headers)


def handle_csrf_error(error: CSRFError):
    return error_response(
        400, "csrf", "The security token is missing or out of date; reload and try again."
    )


def handle_too_large(error: RequestEntityTooLarge):
    """413 for a body over its view's limit, whether its Content-Length said so or its
    chunks ran past it (security.BodyLimitedRequest)."""
    from .security import body_limit

    return error_response(413, "too_large", body_limit().message())


def handle_unexpected_error(error: Exception):
    logger.exception(
        "unhandled error on %s %s", request.method, request.path, extra={"status": 500}
    )
    return error_response(500, "server_error", InternalServerError.description)


def handle_database_unavailable(error: OperationalError):
    """The database went away mid-request (a restart, a dropped connection, a lock held
    too long): 503, which the phone retries; its transaction was rolled back, and the
    pool replaces the connection (pool_pre_ping does so for the idle ones)."""
    logger.exception(
        "the database did not answer on %s %s", request.method, request.path,
        extra={"status": 503},
    )  # fmt: skip
    return error_response(
        503, "database_unavailable",
        "The server's database did not answer. Try again in a moment.",
        {"Retry-After": str(DATABASE_RETRY_AFTER)},
    )  # fmt: skip


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
