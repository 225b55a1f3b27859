"""The inbox as JSON (DESIGN §9): ``GET /api/v1/notifications`` (newest first, with the
unread count) and ``POST /api/v1/notifications/read`` (some or all), each user's own."""

from functools import cache

from flask import jsonify
from flask_login import current_user

from ...extensions import db
from ...notifications.inbox import inbox, mark_read, unread_count
from ...notifications.schemas import InboxQuerySchema, InboxSchema, MarkReadSchema
from . import bp, json_body, query_args


@cache
def inbox_schema() -> InboxSchema:
    return InboxSchema()


@bp.get("/notifications")
def notifications():
    query = query_args(InboxQuerySchema())
    answer = inbox(db.session, current_user, query["limit"], query["before"])
    return jsonify(inbox_schema().dump(answer))


@bp.post("/notifications/read")
def read_notifications():
    body = json_body(MarkReadSchema())
    marked = mark_read(db.session, current_user, None if body["all"] else body["ids"])
    db.session.commit()
    return jsonify({"marked": marked, "unread": unread_count(db.session, current_user)})
