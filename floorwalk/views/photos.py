"""The photo pages: ``/photos/<uuid>`` and its thumbnail, readable as the records naming
the photo are (DESIGN §3, §7)."""

from flask import Blueprint, abort, current_app, send_file
from flask_login import current_user

from ..accounts import role_required
from ..extensions import db
from ..sync.photos import PhotoError, photo_path, viewable_photo

bp = Blueprint("photos", __name__)


def photo_dir() -> str:
    return current_app.config["PHOTO_DIR"]


def send_photo(photo_id, thumb: bool):
    try:
        viewable_photo(db.session, current_user, photo_id)
    except PhotoError as error:
        abort(error.status, error.message)
    path = photo_path(photo_dir(), photo_id, thumb)
    if not path.exists():
        abort(404, "This photo has not been uploaded yet.")
    response = send_file(path, mimetype="image/jpeg", conditional=True)
    response.headers["Cache-Control"] = "no-store"  # user data (DESIGN §7)
    return response


@bp.get("/photos/<uuid:photo_id>")
@role_required()
def photo(photo_id):
    return send_photo(photo_id, thumb=False)


@bp.get("/photos/<uuid:photo_id>/thumb")
@role_required()
def photo_thumb(photo_id):
    return send_photo(photo_id, thumb=True)
