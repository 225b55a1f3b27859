"""Commands that run floorwalk: ``worker`` (mail and timed jobs), ``serve`` (gunicorn)
and ``demo`` (the demo plant, served with its worker)."""

import gc
import os
import sys
from pathlib import Path

import click
from flask import current_app

from ..config import demo_database_url, env_flag
from ..database import begin_writing
from ..extensions import db
from . import needs_database

# worker -------------------------------------------------------------------------------


@click.command(help="Send the notification mails and run the timed jobs (escalations, digests, "
               "reminders, photo purge), every --tick seconds until SIGTERM.")  # fmt: skip
@click.option("--tick", default=15.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds between ticks.")  # fmt: skip
@click.option("--lease", default=120.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds a worker holds a mail; then another may retry it.")  # fmt: skip
@click.option("--once", is_flag=True, help="Run one tick and stop.")
@needs_database
def worker(tick: float, lease: float, once: bool) -> None:
    """SIGTERM finishes the mail being sent, then exits 0. Its log lines go through the
    app's one handler (requestlog.configure_logging: JSON with FLOORWALK_LOG_JSON=1)."""
    from datetime import timedelta

    from ..notifications.mail import configured_server
    from ..notifications.worker import Worker

    try:
        configured_server()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    runner = Worker(current_app._get_current_object(), tick, timedelta(seconds=lease))
    runner.handle_signals()
    mail = "mail through FLOORWALK_SMTP_URL" if current_app.config["SMTP_URL"] else "no mail"
    click.echo(f"floorwalk worker {runner.name}: a tick every {tick:g} s, {mail}.")
    runner.run(once=once)


# serve and demo -----------------------------------------------------------------------


def run_gunicorn(app_factory, host: str, port: int, workers: int, certfile=None, keyfile=None):
    """Serve with gunicorn; each worker builds its own app from ``app_factory``."""
    from gunicorn.app.base import BaseApplication

    from ..requestlog import gunicorn_json_logger

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # No gunicorn access log: the app writes one line per request itself, with
            # its id, user and duration (requestlog.py).
            self.cfg.set("forwarded_allow_ips", "127.0.0.1,::1")
            if env_flag("LOG_JSON"):
                self.cfg.set("logger_class", gunicorn_json_logger())
            # gunicorn 24+ otherwise opens a control socket under the home folder.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)
            if certfile:
                self.cfg.set("certfile", certfile)
                self.cfg.set("keyfile", keyfile)

        def load(self):
            app = app_factory()
            # What a worker builds at start lives as long as it does: keep it out of the
            # collector's full passes, which rescanned it every few large pushes.
            gc.freeze()
            return app

    Server().run()


@click.command(help="Serve floorwalk with gunicorn on the configured database.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False))
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False))
def serve(host, port, workers, certfile, keyfile) -> None:
    from .. import create_app

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together.")
    if os.environ.get("FLOORWALK_REDIS_URL") and not os.environ.get("FLOORWALK_SECRET_KEY"):
        raise click.ClickException(
            "FLOORWALK_REDIS_URL is set, so several servers may share this plant: set "
            "FLOORWALK_SECRET_KEY too, the same on every server."
        )
    if certfile:
        os.environ["FLOORWALK_HTTPS"] = "1"  # cookies get __Host- names and Secure
    run_gunicorn(create_app, host, port, workers, certfile, keyfile)


@click.command(help="Load the demo plant into the instance folder's SQLite database and serve it.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up the database and stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    import subprocess

    from flask_migrate import upgrade

    from .. import create_app
    from ..demo import demo_loaded, load_demo

    instance = Path(current_app.instance_path)
    database_url = demo_database_url(str(instance))
    credentials_file = instance / "demo-users.txt"
    config = {"SQLALCHEMY_DATABASE_URI": database_url}
    app = create_app(config, instance_path=str(instance))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        begin_writing(db.session)
        if not demo_loaded(db.session):
            accounts = load_demo(db.session, iterations=app.config["PASSWORD_ITERATIONS"])
            db.session.commit()
            lines = [f"{a.username:12} {a.password:16} ({a.role})" for a in accounts]
            fd = os.open(credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write("\n".join(lines) + "\n")
            click.echo("Demo plant loaded. Sign in as one of these users:")
        else:
            click.echo(f"Demo plant already loaded ({database_url}). Users:")
    if credentials_file.exists():
        click.echo(credentials_file.read_text())
    if no_serve:
        return
    os.environ["FLOORWALK_DATABASE_URL"] = database_url
    click.echo(f"Serving the demo at http://{host}:{port}/ (Ctrl+C stops it)")
    # The worker beside the server (DESIGN §9): escalations, digests, the outbox.
    worker_process = subprocess.Popen([sys.executable, "-m", "floorwalk.cli", "worker"])  # noqa: S603
    try:
        run_gunicorn(create_app, host, port, workers=2)
    finally:
        stop_process(worker_process)


def stop_process(process) -> None:
    """SIGTERM, then wait for it to finish what it is sending (SIGKILL after 40 s)."""
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
