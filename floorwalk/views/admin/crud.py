"""The admin pages' one pattern, in the spirit of flask-admin's ModelView.

An ``Entity`` says what the pages need to know about one kind of row: how to find it
from its URL, load its form, save it, delete it, and which templates show it.
``register`` makes the list, create, edit and delete views from it. ``apply`` is the one
place that commits, rolls back and flashes: every admin view that changes data goes
through it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import Schema, ValidationError

from ... import catalog
from ...accounts import AccountError
from ...catalog import CatalogError
from ...catalog.schemas import form_errors
from ...extensions import db
from ...labels import LabelError
from ...models import User
from ...schemas import form_input

# What a person can be told: each refusal names its field (``.field``) or the whole form.
REFUSALS = (ValidationError, CatalogError, AccountError, LabelError)


def actor() -> User:
    return current_user._get_current_object()


def refusal_errors(error: Exception) -> dict[str, str]:
    """A refusal as messages by form field, 'form' for the ones that name no field."""
    if isinstance(error, ValidationError):
        return form_errors(error)
    return {error.field or "form": str(error)}


def apply(
    change: Callable[[], Any],
    done: str | Callable[[Any], str] | None = None,
    *,
    flash_errors: bool = False,
    commit: bool | Callable[[Any], bool] = True,
) -> tuple[Any, dict[str, str]]:
    """Run ``change()`` (which flushes, never commits) and commit it, then flash ``done``.

    A refusal rolls everything back and comes back as errors by field (also flashed with
    ``flash_errors``, for buttons that have no form to show them in). ``commit`` False,
    or a test of the result that fails, rolls back instead: a preview or a read.
    """
    try:
        result = change()
    except REFUSALS as error:
        db.session.rollback()
        errors = refusal_errors(error)
        if flash_errors:
            for message in errors.values():
                flash(message, "error")
        return None, errors
    if not (commit(result) if callable(commit) else commit):
        db.session.rollback()
        return result, {}
    db.session.commit()
    if done:
        flash(done(result) if callable(done) else done, "success")
    return result, {}


def move(direction: str, change: Callable[[int], None], back: str):
    """A one-place move up or down (``change(step)``), then back to ``back``; a refused
    move (already first or last, a page left open too long) is flashed."""
    apply(lambda: change({"up": -1, "down": 1}[direction]), flash_errors=True)
    return redirect(back)


def or_404(row):
    if row is None:
        abort(404)
    return row


def read_form() -> dict:
    return form_input(request.form)


def area_choices() -> list[tuple[str, str]]:
    return [("", "— none —")] + [(n, n) for n in catalog.area_names(db.session)]


def area_filter() -> int | None:
    value = request.args.get("area", "")
    return int(value) if value.isdigit() else None


def filtered(plural: str, find_rows: Callable, **more) -> dict:
    """A list page's context with its search (``?q=``) and area (``?area=``) filters."""
    search, area_id = request.args.get("q", "").strip(), area_filter()
    rows = find_rows(db.session, search, area_id)
    areas = catalog.list_areas(db.session)
    return {plural: rows, "search": search, "area_id": area_id, "areas": areas, **more}


def no_context(row) -> dict:
    return {}


@dataclass(frozen=True)
class Entity:
    """One kind of row the admin pages list, create, edit and perhaps delete.

    Views made: ``<plural>`` (``GET /<plural>``, template ``admin/<plural>.html``),
    ``<name>_edit`` (``/<plural>/new`` and ``/<plural>/<key>``; with ``new_endpoint`` the
    first is ``<name>_new``) and, with ``delete``, ``<name>_delete``.
    """

    name: str  # "metric": endpoint names, titles, messages
    plural: str  # "metrics": the list's URL and endpoint
    key: str  # the URL's converter and argument: "key", "int:area_id"
    find: Callable  # (session, url key) -> row or None (404)
    schema: type[Schema]  # loads the posted form
    save: Callable  # (session, actor, row or None, values) -> row; flushes, never commits
    values: Callable  # row -> the form's values
    listing: Callable[[], dict]  # the list page's context
    attr: str = ""  # the row's attribute in the URL ("id"); the URL argument's name if blank
    label: str = ""  # the row's attribute messages and titles name ("name"); attr if blank
    template: str = "admin/edit.html"  # the create and edit page
    context: Callable[[Any], dict] = no_context  # row or None -> the form page's context
    blank: Mapping = field(default_factory=lambda: {"active": True})  # a new row's form
    new_schema: type[Schema] | None = None  # loads the form of a new row, when it differs
    fixed: bool = False  # the label field never changes once created (printed, linked)
    read: Callable[[], dict] = read_form  # the posted form as a dict
    delete: Callable | None = None  # (session, actor, row); refuses with CatalogError
    new_endpoint: bool = False
    saved: Callable[[Any, bool], str] | None = None  # (row, created) -> message
    next_url: Callable[[Any, bool], str] | None = None  # (row, created) -> where to go

    def __post_init__(self):
        object.__setattr__(self, "attr", self.attr or self.arg)
        object.__setattr__(self, "label", self.label or self.attr)

    @property
    def arg(self) -> str:
        return self.key.rpartition(":")[2]

    def edit_url(self, row) -> str:
        return url_for(f".{self.name}_edit", **{self.arg: getattr(row, self.attr)})

    def list_url(self) -> str:
        return url_for(f".{self.plural}")

    def title(self, row) -> str:
        return f"{self.name.capitalize()} {getattr(row, self.label)}" if row else f"New {self.name}"

    def message(self, row, created: bool) -> str:
        if self.saved:
            return self.saved(row, created)
        return f"Saved {self.name} {getattr(row, self.label)}."

    def after_save(self, row, created: bool) -> str:
        return self.next_url(row, created) if self.next_url else self.list_url()


def bound(view: Callable, spec: Entity, name: str) -> Callable:
    """``view`` for ``spec``, named like its endpoint (extensions read view names)."""

    def endpoint(**url):
        return view(spec, **url)

    endpoint.__name__ = endpoint.__qualname__ = name
    return endpoint


def register(bp: Blueprint, spec: Entity) -> Entity:
    """Add the list, create, edit (and delete) views of ``spec`` to ``bp``."""
    base = f"/{spec.plural}"
    edit = bound(edit_view, spec, f"{spec.name}_edit")
    bp.add_url_rule(base, spec.plural, bound(list_view, spec, spec.plural))
    form = {"methods": ["GET", "POST"], "view_func": edit}
    if spec.new_endpoint:
        bp.add_url_rule(f"{base}/new", f"{spec.name}_new", **form)
    else:
        bp.add_url_rule(f"{base}/new", f"{spec.name}_edit", defaults={spec.arg: None}, **form)
    bp.add_url_rule(f"{base}/<{spec.key}>", f"{spec.name}_edit", **form)
    if spec.delete is not None:
        delete = bound(delete_view, spec, f"{spec.name}_delete")
        bp.add_url_rule(
            f"{base}/<{spec.key}>/delete", f"{spec.name}_delete", delete, methods=["POST"]
        )
    return spec


def list_view(spec: Entity):
    return render_template(f"admin/{spec.plural}.html", **spec.listing())


def find_or_404(spec: Entity, key):
    return or_404(spec.find(db.session, key))


def edit_view(spec: Entity, **url):
    key = url.get(spec.arg)
    row = None if key is None else find_or_404(spec, key)
    form, errors = (spec.values(row) if row else dict(spec.blank)), {}
    if request.method == "POST":
        form = spec.read()
        if row is not None and spec.fixed:
            form[spec.label] = getattr(row, spec.label)
        schema = (spec.new_schema if row is None else None) or spec.schema
        created = row is None
        saved, errors = apply(
            lambda: spec.save(db.session, actor(), row, schema().load(form)),
            lambda saved: spec.message(saved, created),
        )
        if not errors:
            return redirect(spec.after_save(saved, created))
    return render_form(spec, row, form, errors)


def render_form(spec: Entity, row, form: dict, errors: dict, status: int | None = None, **extra):
    """The create or edit page of ``row``; 400 when it shows errors."""
    delete_url = None
    if row is not None and spec.delete is not None:
        delete_url = url_for(f".{spec.name}_delete", **{spec.arg: getattr(row, spec.attr)})
    context = {
        spec.name: row,
        "form": form,
        "errors": errors,
        "title": spec.title(row),
        "back": spec.list_url(),
        "fixed": spec.label if row is not None and spec.fixed else None,
        "delete_url": delete_url,
    }
    page = render_template(spec.template, **(context | spec.context(row) | extra))
    return page, status or (400 if errors else 200)


def delete_view(spec: Entity, **url):
    row = find_or_404(spec, url[spec.arg])
    done = f"Deleted {spec.name} {getattr(row, spec.label)}."
    _, errors = apply(lambda: spec.delete(db.session, actor(), row), done, flash_errors=True)
    return redirect(url_for(f".{spec.name}_edit", **url) if errors else spec.list_url())
