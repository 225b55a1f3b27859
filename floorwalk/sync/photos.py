"""Photos (DESIGN §3, §7): decoded only as JPEG, PNG or WebP, pixel count bounded from
the header before any pixel is decoded, JPEGs decoded at the smallest scale that still
gives 2048 px, re-encoded to JPEG without any metadata, bounded to 2048 px, with a
thumbnail, stored under names the server makes (0600 files in 0700 folders), limited
per user per minute, and readable as the records naming them are.
"""

import errno
import hashlib
import io
import logging
import os
import time
import uuid
import warnings
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from limits import parse
from PIL import Image, ImageOps, UnidentifiedImageError
from redis.exceptions import RedisError
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from ..actions.queries import action_of
from ..changes import transaction_change_seq
from ..database import dialect_insert
from ..extensions import limiter
from ..models import Photo, Record, RecordPhoto, User
from ..permissions import may_view_record, may_view_unclaimed_photo

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A 40-megapixel photo decodes to 120 MB of RGB; past it, a decompression bomb (DESIGN §3).
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
THUMB_SIDE = 320
FORMATS = ("JPEG", "PNG", "WEBP")
# Modes Pillow resizes with LANCZOS as they are; others (palette, 1-bit) go to RGBA first.
SCALABLE_MODES = ("RGB", "RGBA", "L", "CMYK")
UNREFERENCED_LIFETIME = timedelta(days=7)
# A coordinator takes a few photos a walk; a loop of uploads would keep workers decoding.
UPLOAD_LIMIT = parse("30/minute")
STORAGE_RETRY_AFTER = 60  # seconds: a full or unwritable folder takes an admin to mend


class PhotoError(Exception):
    """A photo request refused, with the HTTP status and code that say why."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Processed:
    image: bytes
    thumb: bytes
    width: int
    height: int


def count_upload(uploader_id: int) -> None:
    """Count one upload of this user in the app's limiter storage (shared by the workers
    as the sign-in limits are); PhotoError 429, with the seconds to wait, past the limit."""
    key = ("photo-upload", str(uploader_id))
    try:
        allowed = limiter.limiter.hit(UPLOAD_LIMIT, *key)
    except RedisError:
        # Redis down: a signed-in user's photos are not held back for it (the body and
        # pixel limits still hold); sign-in limits fall back to the database instead.
        logger.warning("Redis does not answer: photo uploads are not counted")
        return
    if not allowed:
        reset_at = limiter.limiter.get_window_stats(UPLOAD_LIMIT, *key).reset_time
        raise PhotoError(
            429, "too_many_requests",
            f"More than {UPLOAD_LIMIT.amount} photos in a minute; wait and try again.",
            retry_after=max(1, int(reset_at - time.time()) + 1),
        )  # fmt: skip


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # Pillow writes what image.info holds (a JPEG or PNG comment, the ICC profile, EXIF,
    # XMP) back into the JPEG: empty it, so that nothing of the original is kept.
    image.info = {}
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def process_image(data: bytes) -> Processed:
    """The photo re-encoded and its thumbnail; PhotoError 415 for what is not a JPEG, PNG
    or WebP image, 422 for a decompression bomb."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as original:
                if original.width * original.height > MAX_PIXELS:
                    raise PhotoError(
                        422, "image_too_large",
                        f"The image has more than {MAX_PIXELS:,} pixels.",
                    )  # fmt: skip
                if original.format == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 scale when that still gives MAX_SIDE px:
                    # a 40 MP photo then takes a quarter of the memory and time.
                    original.draft("RGB", (MAX_SIDE, MAX_SIDE))
                original.load()
                image = original if original.mode in SCALABLE_MODES else original.convert("RGBA")
                # Shrink before anything copies the pixels: turning and flattening then
                # work on 4 MP, not 40 (a 40 MP RGBA PNG otherwise peaks over 600 MB).
                image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                # Turn the picture the way the camera held it before the EXIF goes.
                image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoError(422, "image_too_large", "The image has too many pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise PhotoError(
            415, "not_an_image", "The body is not a JPEG, PNG or WebP image."
        ) from None
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Processed(_jpeg(image), _jpeg(thumb), image.width, image.height)


def photo_path(photo_dir: str, photo_id: uuid.UUID, thumb: bool = False) -> Path:
    """Where a photo's file lives: named from the parsed id, never from what was sent."""
    name = photo_id.hex
    return Path(photo_dir) / name[:2] / (f"{name}.thumb.jpg" if thumb else f"{name}.jpg")


def _write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` as a 0600 file, in 0700 folders: a photo is user data.

    A folder that cannot take it (full, read-only, not ours) is PhotoError 507 or 503,
    which the phone retries later, keeping the photo; no partial file is left."""
    temporary = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    try:
        for folder in (path.parent.parent, path.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise storage_error(error) from error


def storage_error(error: OSError) -> PhotoError:
    """What the phone is told when the photo folder cannot take a file."""
    reason = error.strerror or type(error).__name__
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        status, code, what = 507, "insufficient_storage", "its photo storage is full"
    else:
        status, code, what = 503, "photo_storage_unavailable", "it cannot write photos"
    return PhotoError(
        status, code,
        f"The server cannot store this photo now: {what} ({reason}). The phone keeps the "
        "photo and sends it again; tell your admin if this lasts.",
        retry_after=STORAGE_RETRY_AFTER,
    )  # fmt: skip


def _answer_existing(photo: Photo, uploader: User, digest: str) -> tuple[int, Photo]:
    if photo.uploader_id != uploader.id or photo.sha256 != digest:
        raise PhotoError(409, "conflict", "A different photo is stored under this id.")
    return 200, photo


def store_photo(
    session: Session, uploader: User, photo_id: uuid.UUID, data: bytes, photo_dir: str,
    now: datetime,
) -> tuple[int, Photo]:  # fmt: skip
    """Store an upload once: 201 when stored now, 200 when these bytes are stored under
    this id already; PhotoError 409 for other bytes, 403 when another user's record
    names the id. Flushes, never commits; the files are written before the commit."""
    digest = hashlib.sha256(data).hexdigest()
    existing = session.get(Photo, photo_id)
    if existing is not None:
        return _answer_existing(existing, uploader, digest)
    processed = process_image(data)
    # Take turns with pushes (the change counter's row lock, held to commit), so that a
    # push checking who uploaded this photo and this upload checking who names it never
    # both pass on what the other has not committed. SQLite's write lock does it there.
    transaction_change_seq(session)
    claimed_by_other = session.execute(
        select(RecordPhoto.photo_id)
        .join(Record, Record.id == RecordPhoto.record_id)
        .where(RecordPhoto.photo_id == photo_id, Record.author_id != uploader.id)
        .limit(1)
    ).first()
    if claimed_by_other:
        raise PhotoError(403, "forbidden", "Another user's record names this photo.")
    stmt = (
        dialect_insert(session, Photo.__table__)
        .values(
            id=photo_id, uploader_id=uploader.id, sha256=digest, width=processed.width,
            height=processed.height, size=len(processed.image), created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(Photo.id)
    )  # fmt: skip
    if session.execute(stmt).first() is None:
        # Stored by a concurrent upload since we looked.
        existing = session.get(Photo, photo_id, populate_existing=True)
        return _answer_existing(existing, uploader, digest)
    # Files before the commit: a crash in between leaves files a retry overwrites.
    _write_atomically(photo_path(photo_dir, photo_id), processed.image)
    _write_atomically(photo_path(photo_dir, photo_id, thumb=True), processed.thumb)
    return 201, session.get(Photo, photo_id)


def viewable_photo(session: Session, viewer: User, photo_id: uuid.UUID) -> Photo:
    """The photo if ``viewer`` may see it: as a record naming it may be seen, or, while
    no record names it, by its uploader and admins. PhotoError 404 or 403 otherwise."""
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise PhotoError(404, "not_found", "No such photo.")
    records = session.execute(
        select(Record).join(RecordPhoto, RecordPhoto.record_id == Record.id)
        .where(RecordPhoto.photo_id == photo_id)
    ).scalars().all()  # fmt: skip
    if records:
        allowed = any(
            may_view_record(viewer, record, action_of(session, record)) for record in records
        )
    else:
        allowed = may_view_unclaimed_photo(viewer, photo.uploader_id)
    if not allowed:
        raise PhotoError(403, "forbidden", "You may not see this photo.")
    return photo


def purge_photos(session: Session, now: datetime) -> list[uuid.UUID]:
    """Delete the rows of photos that no record has named for 7 days; returns their ids
    so that the caller removes the files once the deletion is committed."""
    unnamed = (
        select(Photo.id)
        .where(Photo.created_at < now - UNREFERENCED_LIFETIME)
        .where(~exists().where(RecordPhoto.photo_id == Photo.id))
    )
    ids = list(session.execute(unnamed).scalars())
    if ids:
        session.execute(delete(Photo).where(Photo.id.in_(ids)))
    return ids


def remove_photo_files(photo_dir: str, photo_ids: list[uuid.UUID]) -> None:
    for photo_id in photo_ids:
        for thumb in (False, True):
            photo_path(photo_dir, photo_id, thumb).unlink(missing_ok=True)
