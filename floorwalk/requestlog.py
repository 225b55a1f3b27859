"""One log line per request, and the request id that ties a user's error to the log.

Every request gets an id: the proxy's ``X-Request-ID`` when the app sits behind one
(``FLOORWALK_PROXY_HOPS`` > 0; nginx sets it from ``$request_id``) and the value looks like
an id, otherwise one made here. The answer echoes it in ``X-Request-ID``; a server error's
page and its API error body show it too, so the line a user quotes is the line to look up.

Every log line written while a request runs carries its id, method, path, user id and
the time since it began; the line that ends it adds the status. With
``FLOORWALK_LOG_JSON=1`` each line is one JSON object, otherwise plain text. Lines go to
the process's standard error (gunicorn's workers pass it on to systemd's journal).
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

HEADER = "X-Request-ID"
# What a proxy's id may look like (nginx's $request_id is 32 hex digits): anything else,
# a newline or a very long value, is replaced rather than written into the log.
ID_SHAPE = re.compile(r"[A-Za-z0-9._-]{8,64}\Z")

logger = logging.getLogger("floorwalk.requests")


def request_id() -> str | None:
    """The current request's id, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


def begin_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = trusted_incoming_id() or uuid.uuid4().hex


def trusted_incoming_id() -> str | None:
    """The proxy's id, only when there is a proxy to trust (a phone cannot pick its own)."""
    if not current_app.config["PROXY_HOPS"]:
        return None
    value = request.headers.get(HEADER, "")
    return value if ID_SHAPE.match(value) else None


def end_request(response: Response) -> Response:
    if "request_id" not in g:  # a hook before this one answered: still logged
        begin_request()
    response.headers[HEADER] = g.request_id
    logger.info(
        "%s %s %s", request.method, request.path, response.status_code,
        extra={"status": response.status_code},
    )  # fmt: skip
    return response


def request_fields() -> dict:
    """What every line written during a request carries; nothing outside one."""
    if not has_request_context() or "request_id" not in g:
        return {}
    return {
        "request_id": g.request_id,
        "method": request.method,
        "path": request.path,
        "user_id": loaded_user_id(),
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
    }


def loaded_user_id() -> int | None:
    """The id of the user this request loaded anyway, read from the identity map's key:
    never a query (after a commit ``user.id`` would reload the row), nor a user load."""
    state = sa_inspect(g.get("_login_user"), raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


def timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields and
    the status where known; a traceback in ``error``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **request_fields(),
        }
        if hasattr(record, "status"):
            entry["status"] = record.status
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextLines(logging.Formatter):
    """The same fields for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = request_fields()
        # One line each: a path with an encoded newline cannot forge a line of its own.
        message = record.getMessage().replace("\r", "\\r").replace("\n", "\\n")
        line = f"{timestamp(record)} {record.levelname} {record.name}: {message}"
        if fields:
            line += (
                f" ({fields['duration_ms']} ms, request {fields['request_id']}, "
                f"user {fields['user_id']})"
            )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class StandardError(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is written (not when made)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def gunicorn_json_logger() -> type:
    """gunicorn's own lines (start, workers booting, a worker killed) as JSON too, so that
    every line of a server's output parses alike."""
    from gunicorn.glogging import Logger

    class JsonLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonLines())

    return JsonLogger


def configure_logging(json_lines: bool) -> None:
    """floorwalk's loggers at INFO through one handler; building another app (tests make
    many) swaps its format instead of adding a second handler."""
    package = logging.getLogger("floorwalk")
    handler = next((h for h in package.handlers if isinstance(h, StandardError)), None)
    if handler is None:
        handler = StandardError()
        package.addHandler(handler)
    handler.setFormatter(JsonLines() if json_lines else TextLines())
    package.setLevel(logging.INFO)


def register(app: Flask) -> None:
    configure_logging(app.config["LOG_JSON"])
    # First of all hooks, so a request refused by another hook still has an id.
    app.before_request_funcs.setdefault(None, []).insert(0, begin_request)
    app.after_request(end_request)
