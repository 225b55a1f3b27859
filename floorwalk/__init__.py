"""floorwalk: floor-walk data collection for production coordinators."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import instance_secret_key, load_config
from .jsonprovider import FiniteJSONProvider

__version__ = "0.1.0"
MIGRATIONS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "migrations"))


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, CLI.

    ``config`` overrides what the environment gives (tests pass their database here).
    ``FLOORWALK_INSTANCE_PATH`` moves the instance folder (its database, key and photos).
    """
    instance_path = instance_path or os.environ.get("FLOORWALK_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.json = FiniteJSONProvider(app)  # never Infinity or NaN in an answer
    # Only the server's user reads the instance folder (secret key, database, photos).
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    app.config.from_mapping(config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_request_log(app)
    register_filters(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import changes  # noqa: F401  (registers the change counter's session events)
    from .database import configure_engine
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    from .accounts import load_session_user, note_seen
    from .database import writing_request
    from .models import utcnow

    @login_manager.user_loader
    def load_user(session_id: str):
        user = load_session_user(db.session, session_id)
        if user is not None:
            own_transaction = None if writing_request() else db.engine
            note_seen(user.current_session, utcnow(), own_transaction)
        return user


def register_blueprints(app: Flask) -> None:
    from .views import actions, admin, api, auth, inbox, main, photos, summary  # noqa: F401
    from .views import app as phone_app

    # Importing these adds their routes to api.bp.
    from .views.api import actions as api_actions  # noqa: F401
    from .views.api import notifications as api_notifications  # noqa: F401
    from .views.api import report as api_report  # noqa: F401
    from .views.api import summary as api_summary  # noqa: F401
    from .views.api import sync  # noqa: F401

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(summary.bp)
    app.register_blueprint(actions.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(phone_app.bp)
    app.register_blueprint(photos.bp)
    app.register_blueprint(inbox.bp)


def register_hooks(app: Flask) -> None:
    from .security import (
        BodyLimitedRequest,
        NoSessionForStaticFiles,
        check_csrf,
        nav_context,
        refuse_large_body,
        send_security_headers,
    )

    app.request_class = BodyLimitedRequest
    app.session_interface = NoSessionForStaticFiles()
    # First of all hooks: nothing may open the body before its limit is checked.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_large_body)
    app.before_request(check_csrf)
    app.after_request(send_security_headers)
    app.context_processor(nav_context)


def register_request_log(app: Flask) -> None:
    from .requestlog import register

    register(app)


def register_filters(app: Flask) -> None:
    from .filters import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
