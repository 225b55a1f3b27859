"""Users: their spec, and beside it the password reset and (de)activation."""

from flask import current_app, redirect, request, url_for

from ... import accounts, catalog
from ...catalog.schemas import NewUserForm, PasswordForm, UserForm
from ...extensions import db
from ...models import ROLES, User
from . import bp
from .crud import Entity, actor, apply, area_choices, find_or_404, read_form, register, render_form


def iterations() -> int:
    return current_app.config["PASSWORD_ITERATIONS"]


def user_form() -> dict:
    return read_form() | {"areas": request.form.getlist("areas")}


def save_user(session, actor, user: User | None, values: dict) -> User:
    if user is None:
        return accounts.create_user(
            session,
            values["username"],
            values["role"],
            values["password"],
            values["areas"],
            iterations(),
            actor,
        )
    accounts.update_user(session, actor, user, values["role"], values["areas"])
    return user


def user_saved(user: User, created: bool) -> str:
    return f"Added {user.role} {user.username}." if created else f"Saved {user.username}."


USERS = register(
    bp,
    Entity(
        name="user",
        plural="users",
        key="int:user_id",
        attr="id",
        label="username",
        new_endpoint=True,
        find=lambda session, user_id: session.get(User, user_id),
        schema=UserForm,
        new_schema=NewUserForm,
        save=save_user,
        values=accounts.user_values,
        blank={"role": "coordinator", "areas": []},
        read=user_form,
        listing=lambda: {"users": catalog.list_users(db.session)},
        template="admin/user_form.html",
        context=lambda user: {"roles": ROLES, "areas": area_choices()[1:]},
        saved=user_saved,
    ),
)


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    user = find_or_404(USERS, user_id)

    def reset() -> None:
        password = PasswordForm().load(read_form())["password"]
        accounts.reset_password(db.session, actor(), user, password, iterations())

    done = f"New password set for {user.username}; their sessions have ended."
    _, errors = apply(reset, done)
    if not errors:
        return redirect(USERS.edit_url(user))
    return render_form(USERS, user, accounts.user_values(user), errors)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    user = find_or_404(USERS, user_id)
    active = request.form.get("active") == "yes"
    if active:
        done = f"{user.username} can sign in again."
    else:
        done = f"Deactivated {user.username}; their sessions have ended."
    _, errors = apply(
        lambda: accounts.set_user_active(db.session, actor(), user, active), done, flash_errors=True
    )
    return redirect(USERS.edit_url(user) if errors else url_for(".users"))
