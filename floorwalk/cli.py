"""The ``floorwalk`` command group (also ``flask --app floorwalk …``)."""

import functools
import gc
import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .accounts import AccountError, create_user
from .config import demo_database_url, env_flag, sqlite_file
from .database import begin_writing
from .extensions import db
from .models import ROLES, utcnow
from .settings import NAMES, get_settings, set_setting
from .sync.push import count_statuses


class FloorwalkGroup(FlaskGroup):
    """The ``floorwalk`` command: Flask's group with ``--demo``, and no traceback for a
    database that cannot be opened or is not migrated."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import DBAPIError

        try:
            return super().invoke(ctx)
        except DBAPIError as error:
            problem = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise click.ClickException(
                f"The database answered with an error ({problem}): check "
                "FLOORWALK_DATABASE_URL, or run `floorwalk db upgrade` if it is not migrated."
            ) from None
        except OSError as error:  # a file to read or write: a folder missing, no permission
            where = f" {error.filename}" if error.filename else ""
            raise click.ClickException(f"Cannot use{where}: {error.strerror or error}.") from None


def use_demo_database(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    # Through the environment, so that the app, and `serve`'s workers, open the demo's file.
    if value:
        os.environ["FLOORWALK_DEMO"] = "1"


def command_group() -> click.Group:
    from . import create_app

    return FloorwalkGroup(
        create_app=create_app,
        add_version_option=False,
        help="floorwalk: floor-walk data collection. Configure with FLOORWALK_* variables.",
        params=[
            click.Option(
                ["--demo"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=use_demo_database,
                help="Run the command on the demo's database (instance/demo.sqlite, made by "
                "`floorwalk demo`) instead of FLOORWALK_DATABASE_URL.",
            )
        ],
    )


def main() -> None:
    command_group().main(prog_name="floorwalk")


def missing_database(app: Flask) -> str | None:
    """Why the app's database cannot serve a command yet, in one sentence, or None.

    Looks without connecting where connecting would make an empty SQLite file.
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    url = db.engine.url
    shown = url.render_as_string(hide_password=True)
    advice = (
        "run `floorwalk db upgrade`, or point FLOORWALK_DATABASE_URL at a migrated database "
        "(`floorwalk --demo …` uses the demo's, made by `floorwalk demo`)."
    )
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return f"This database has no tables yet ({path} does not exist): {advice}"
    try:
        migrated = inspect(db.engine).has_table("alembic_version")
    except DBAPIError as error:
        problem = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return f"Cannot open the database {shown} ({problem}): check FLOORWALK_DATABASE_URL."
    if not migrated:
        return f"This database ({shown}) has no tables yet: {advice}"
    return None


def needs_database(command):
    """``with_appcontext``, and a one-sentence refusal when the database is not migrated."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        problem = missing_database(current_app)
        if problem:
            raise click.ClickException(problem)
        return command(*args, **kwargs)

    return with_appcontext(run)


def register(app: Flask) -> None:
    from .backup import backup_command, restore_command

    for command in (demo, serve, users, settings, import_group, labels, photos, worker):
        app.cli.add_command(command)
    for command in (backup_command, restore_command):
        app.cli.add_command(command)


# import -------------------------------------------------------------------------------


@click.group("import", help="Bulk load catalog CSV files, or records exported from a phone.")
def import_group() -> None:
    pass


# import: catalog CSV kinds (metrics, stations, targets, employees, categories, plan)


def catalog_import_command(kind: str) -> click.Command:
    from .catalog.csv_io import COLUMNS

    @click.command(
        kind,
        help=f"Load or update {kind} from a CSV file with the columns {','.join(COLUMNS[kind])}. "
        "A file with any bad row stores nothing; every bad row is reported by line.",
    )
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--check", is_flag=True, help="Report what would change; store nothing.")
    @needs_database
    def command(file: Path, check: bool) -> None:
        from .catalog.csv_io import check_csv, import_csv

        begin_writing(db.session)
        run = check_csv if check else import_csv
        report = run(db.session, kind, file.read_bytes())
        if report.errors:
            db.session.rollback()
            for line, message in report.errors:
                click.echo(f"{file.name}: line {line}: {message}", err=True)
            count = len(report.errors)
            raise click.ClickException(
                f"nothing was stored: {count} error{'s' if count != 1 else ''} in {file.name}."
            )
        if check:
            db.session.rollback()
            click.echo(f"{kind}: {report.summary()} (checked only, nothing stored).")
            return
        db.session.commit()
        click.echo(f"{kind}: {report.summary()}.")

    return command


for _kind in ("metrics", "stations", "targets", "employees", "categories", "plan"):
    import_group.add_command(catalog_import_command(_kind))


# import: records exported from a phone (floorwalk import records FILE.json)


@import_group.command("records")
@click.argument("file", type=click.File("rb"))
@needs_database
def import_records_command(file) -> None:
    """Load records exported from a phone, as a push would store them (records keep their
    authors; no clock correction). Prints one STATUS: N line per status."""
    from .sync.push import import_records

    try:
        results = import_records(db.session, file.read(), utcnow())
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for result in results:
        if result["status"] == "rejected":
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in result["errors"].items())
            click.echo(f"rejected {result['id']}: {problems}", err=True)
    for status, count in count_statuses(results).items():
        click.echo(f"{status.upper()}: {count}")


# labels -------------------------------------------------------------------------------


@click.command(help="Print a PDF sheet of QR labels for the active stations.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--station", "codes", multiple=True, help="A station code (repeatable).")
@click.option("--area", help="Only the active stations of this area.")
@click.option("--route", "route_name", help="A route's active stations, in walking order.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
@click.option(
    "--test-print", is_flag=True, help="One label and a 100 mm ruler, to check the scale."
)
@needs_database
def labels(
    out: Path,
    codes: tuple[str, ...],
    area: str | None,
    route_name: str | None,
    paper: str,
    test_print: bool,
) -> None:
    from .catalog import record_label_print
    from .labels import (
        LabelError,
        label_sheet_pdf,
        labels_base_url,
        route_for_labels,
        scale_check_label,
        scale_check_pdf,
        station_label,
        stations_for_labels,
    )

    try:
        base_url = labels_base_url(db.session, current_app.config["PUBLIC_URL"])
        route = route_for_labels(db.session, route_name) if route_name is not None else None
        stations = stations_for_labels(db.session, codes, area, route)
        if test_print:
            sheet = scale_check_pdf(scale_check_label(stations, base_url), paper)
        else:
            sheet = label_sheet_pdf([station_label(s, base_url) for s in stations], paper)
    except LabelError as error:
        raise click.ClickException(str(error)) from None
    out.write_bytes(sheet)
    if test_print:
        click.echo(f"Wrote a test print page to {out}: print it at 100 % and measure the line.")
        return
    begin_writing(db.session)
    record_label_print(db.session, None, out.name, len(stations))
    db.session.commit()
    click.echo(f"Wrote {len(stations)} label{'s' if len(stations) != 1 else ''} to {out}.")


# photos -------------------------------------------------------------------------------


@click.group(help="Stored photos.")
def photos() -> None:
    pass


@photos.command("purge")
@needs_database
def purge_photos_command() -> None:
    """Delete photos no record has named for 7 days (run it daily from a timer)."""
    from .sync.photos import purge_photos, remove_photo_files

    begin_writing(db.session)
    purged = purge_photos(db.session, utcnow())
    db.session.commit()
    remove_photo_files(current_app.config["PHOTO_DIR"], purged)
    click.echo(f"Purged {len(purged)} unreferenced photos.")


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

    from .notifications.mail import configured_server
    from .notifications.worker import Worker

    try:
        configured_server()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    runner = Worker(current_app._get_current_object(), tick, timedelta(seconds=lease))
    runner.handle_signals()
    mail = "mail through FLOORWALK_SMTP_URL" if current_app.config["SMTP_URL"] else "no mail"
    click.echo(f"floorwalk worker {runner.name}: a tick every {tick:g} s, {mail}.")
    runner.run(once=once)


# users --------------------------------------------------------------------------------


@click.group(help="Manage users.")
def users() -> None:
    pass


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--area", "areas", multiple=True, help="An area the user runs (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@needs_database
def create_user_command(username: str, role: str, areas: tuple[str, ...], password_stdin: bool):
    """Add a user. The password comes from stdin or a prompt, never from the command line."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    begin_writing(db.session)
    try:
        user = create_user(
            db.session, username, role, password, areas, current_app.config["PASSWORD_ITERATIONS"]
        )
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    area_text = f" for {', '.join(a.name for a in user.areas)}" if user.areas else ""
    click.echo(f"Created {user.role} {user.username}{area_text}.")


# settings -----------------------------------------------------------------------------


@click.group(help="Plant settings: " + ", ".join(NAMES) + ".")
def settings() -> None:
    pass


@settings.command("set")
@click.argument("name", type=click.Choice(NAMES))
@click.argument("value")
@needs_database
def set_setting_command(name: str, value: str) -> None:
    """Change a plant setting; an invalid value changes nothing."""
    begin_writing(db.session)
    try:
        changed = set_setting(db.session, name, value)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for key, new_value in changed.items():
        click.echo(f"{key} = {new_value}")


@settings.command("show")
@needs_database
def show_settings_command() -> None:
    """Print every plant setting."""
    for name, value in get_settings(db.session).items():
        click.echo(f"{name} = {value}")


# serve and demo -----------------------------------------------------------------------


def run_gunicorn(app_factory, host: str, port: int, workers: int, certfile=None, keyfile=None):
    """Serve with gunicorn; each worker builds its own app from ``app_factory``."""
    from gunicorn.app.base import BaseApplication

    from .requestlog import gunicorn_json_logger

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
    from . import create_app

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

    from . import create_app
    from .demo import demo_loaded, load_demo

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


if __name__ == "__main__":
    main()
