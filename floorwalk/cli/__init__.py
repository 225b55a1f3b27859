"""The ``floorwalk`` command group (also ``flask --app floorwalk …``): the group, its
entry point and what every command that reads the database shares. The commands live by
what they are for: ``data`` (import, labels, photos), ``people`` (users, settings) and
``running`` (worker, serve, demo)."""

import functools
import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from ..config import sqlite_file
from ..extensions import db


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
    from .. import create_app

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
    from ..backup import backup_command, restore_command
    from .data import import_group, labels, photos
    from .people import settings, users
    from .running import demo, serve, worker

    for command in (demo, serve, users, settings, import_group, labels, photos, worker):
        app.cli.add_command(command)
    for command in (backup_command, restore_command):
        app.cli.add_command(command)
