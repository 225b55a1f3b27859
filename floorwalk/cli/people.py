"""Commands for the plant's people and settings: ``users create``, ``settings set/show``."""

import sys

import click
from flask import current_app

from ..accounts import AccountError, create_user
from ..database import begin_writing
from ..extensions import db
from ..models import ROLES
from ..settings import NAMES, get_settings, set_setting
from . import needs_database

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
