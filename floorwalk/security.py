"""Request hooks: CSRF for pages, security headers on every response, role navigation;
cookie sessions that static files leave alone."""

from flask import current_app, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

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
    ("Admin", "admin.index", ("admin",)),
)


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
