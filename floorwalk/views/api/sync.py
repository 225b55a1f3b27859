"""Sync API routes (push, pull, photo uploads) on the API blueprint, and the OpenAPI
document. The photo pages are in ``views/photos.py``."""

from flask import current_app, jsonify, request
from flask_login import current_user

from ...database import begin_writing, switch_to_writing, writes_late
from ...errors import ApiError
from ...extensions import db
from ...models import utcnow
from ...security import limit_body
from ...sync.cursor import CursorExpired, CursorInvalid
from ...sync.devices import device_report, record_device
from ...sync.openapi import openapi_document
from ...sync.photos import MAX_PHOTO_BYTES, PhotoError, count_upload, store_photo
from ...sync.pull import pull
from ...sync.push import check_push, store_push
from ...sync.schemas import MAX_RECORDS, PushSchema
from ..photos import photo_dir
from . import accepts_body, bp, json_body, public

MAX_PUSH_BYTES = 5 * 1024 * 1024


@bp.post("/sync/push")
@limit_body(MAX_PUSH_BYTES, f"A push (at most {MAX_RECORDS} records)")
@writes_late
def push():
    body = json_body(PushSchema())
    now = utcnow()
    checked = check_push(db.session, current_user, body, now)
    # Parsing and checks above run beside other pushes; the writes take turns.
    if checked.storable():
        switch_to_writing(db.session)
        # The device report rides on the writing transaction the push takes anyway; a
        # push with nothing to store never waits for the lock, and the pull that ends
        # every sync run reports the device.
        report = device_report(body.get("device"), body.get("app"), body.get("pending"))
        if report:
            record_device(db.session, current_user, report, now)
    results = store_push(db.session, checked, now)
    db.session.commit()
    return jsonify({"results": results, "server_time": now.isoformat(timespec="milliseconds")})


@bp.get("/sync/pull")
def pull_changes():
    now = utcnow()
    try:
        answer = pull(
            db.session,
            current_user,
            request.args.get("cursor") or None,
            now,
            min_app=current_app.config["MIN_APP"],
        )
    except (CursorExpired, CursorInvalid) as error:
        note_device(now)  # the contact counts even when its cursor is refused
        status, code = (
            (410, "cursor_expired") if isinstance(error, CursorExpired) else (400, "invalid_cursor")
        )
        raise ApiError(status, str(error), code) from None
    note_device(now)
    return jsonify(answer)


def note_device(now) -> None:
    """Record the pull's device report (query ``device``, ``app``, ``pending``) in a
    writing transaction of its own, after the pull's reading one."""
    args = request.args
    report = device_report(args.get("device"), args.get("app"), args.get("pending"))
    if report is None:
        return
    db.session.commit()
    begin_writing(db.session)
    record_device(db.session, current_user, report, now)
    db.session.commit()


@bp.put("/photos/<uuid:photo_id>")
@limit_body(MAX_PHOTO_BYTES, "The photo")
@accepts_body("image/jpeg", "image/png", "image/webp")
def put_photo(photo_id):
    try:
        count_upload(current_user.id)  # before the body is read
        status, photo = store_photo(
            db.session, current_user, photo_id, request.get_data(), photo_dir(), utcnow()
        )
    except PhotoError as error:
        db.session.rollback()
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        raise ApiError(error.status, error.message, error.code, headers) from None
    db.session.commit()
    return jsonify({"id": str(photo.id), "width": photo.width, "height": photo.height}), status


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())
