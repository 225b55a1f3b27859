"""Request hooks: body limits, CSRF for pages, security headers on every response, role
navigation; cookie sessions that static files leave alone."""

import io
from dataclasses import dataclass

from flask import Request, current_app, has_request_context, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_input_stream

from .extensions import csrf
from .permissions import EVERY_ROLE, FOLLOW_UP_ROLES

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

# What the navigation offers, by role. An entry shows once its page exists, so a
# feature adds its page and its line here, nothing else.
NAVIGATION = (
    ("Walk", "app.walk", EVERY_ROLE),
    ("Summary", "summary.today", EVERY_ROLE),
    ("Follow-up", "summary.observations", FOLLOW_UP_ROLES),
    ("Actions", "actions.index", EVERY_ROLE),
    ("Reports", "summary.report", EVERY_ROLE),
    ("Admin", "admin.index", ("admin",)),
)


MB = 1024 * 1024


@dataclass(frozen=True)
class BodyLimit:
    max_bytes: int
    what: str

    def message(self) -> str:
        return f"{self.what} is larger than {self.max_bytes // MB} MB."


def limit_body(max_bytes: int, what: str):
    """Let the view's request bodies be at most ``max_bytes`` (``what`` names the body in
    the 413 message); every other view keeps the app's ``MAX_CONTENT_LENGTH``."""

    def decorator(view):
        view.body_limit = BodyLimit(max_bytes, what)
        return view

    return decorator


def body_limit() -> BodyLimit:
    """The limit of the current request's body, known from its URL before any byte is read."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    default = BodyLimit(current_app.config["MAX_CONTENT_LENGTH"], "The request body")
    return getattr(view, "body_limit", default)


class CappedStream(io.RawIOBase):
    """A body without a Content-Length (chunked), raising 413 as soon as more than
    ``max_bytes`` have arrived. Werkzeug's own ``LimitedStream`` stops reading silently
    at its maximum and hands the truncated body on as if it were whole."""

    def __init__(self, stream, max_bytes: int):
        self._stream, self._max, self._read = stream, max_bytes, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # One byte past the maximum is enough to know the body is too large.
        data = self._stream.read(min(len(buffer), self._max + 1 - self._read))
        self._read += len(data)
        if self._read > self._max:
            raise RequestEntityTooLarge()
        buffer[: len(data)] = data
        return len(data)


class BodyLimitedRequest(Request):
    """A request whose body stream is cut off at its view's limit, however the body is
    framed. The limit comes from the view the URL names, so it is right whenever
    something first opens the stream (the CSRF check does, before the view runs)."""

    @cached_property
    def stream(self):
        limit = self.max_content_length
        # Raises 413 for a Content-Length over the limit; a body without one is only
        # read when the server says it ends it (gunicorn does, chunked included).
        stream = get_input_stream(self.environ, max_content_length=limit)
        chunked = self.content_length is None and "wsgi.input_terminated" in self.environ
        if chunked and limit is not None:
            return CappedStream(self.environ["wsgi.input"], limit)
        return stream

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        if has_request_context() and request._get_current_object() is self:
            return body_limit().max_bytes
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def refuse_large_body() -> None:
    """413 from the Content-Length alone, before anything (the session, CSRF) reads;
    a chunked body is counted as it arrives by the stream BodyLimitedRequest limits."""
    if (request.content_length or 0) > body_limit().max_bytes:
        raise RequestEntityTooLarge()


def check_csrf() -> None:
    """Every state-changing page request carries the form's CSRF token.

    The API checks its own, after telling an expired session apart (views/api/__init__.py).
    """
    if request.method in SAFE_METHODS or request.blueprint == "api":
        return
    csrf.protect()


def send_security_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if current_app.config["HTTPS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    static_file = request.endpoint == "static" and response.status_code < 400
    if "Cache-Control" not in headers and not static_file:
        # Pages, API answers and error pages carry user data (an error page, the
        # navigation of the signed-in user); the service worker caches only the shell.
        headers["Cache-Control"] = "no-store"
    return response


def nav_context() -> dict:
    items = []
    if current_user.is_authenticated:
        endpoints = current_app.view_functions
        for label, endpoint, roles in NAVIGATION:
            if endpoint in endpoints and current_user.role in roles:
                items.append((label, url_for(endpoint), request.endpoint == endpoint))
    return {"navigation": items}


class NoSessionForStaticFiles(SecureCookieSessionInterface):
    """Cookie sessions, except that a static file, the same for everyone, neither reads
    nor writes one.

    Otherwise every static answer re-signs the session and remember cookies (Flask-Login
    refreshes them on each request) and says ``Vary: Cookie``: a hashed file the page has
    just loaded then no longer matches the service worker's request a moment later and is
    downloaded again, and a ``public`` answer carries the user's session.
    """

    def open_session(self, app, request):
        if is_static_file(app):
            return self.session_class()  # empty, and never saved
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not is_static_file(app):
            super().save_session(app, session, response)


def is_static_file(app) -> bool:
    return request.path.startswith(f"{app.static_url_path}/")
