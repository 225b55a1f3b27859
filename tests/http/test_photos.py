"""Photo uploads and reads (DESIGN §3, §7), and the purge of unnamed photos."""

import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from floorwalk.extensions import db
from floorwalk.models import Photo, Record
from floorwalk.sync.photos import MAX_PIXELS
from floorwalk.sync.push import apply_push, check_push, store_push
from tests.factories import push_body, record
from tests.support import sign_in

GPS_IFD = 0x8825


def jpeg(size=(64, 48), colour="red", gps=False) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (41.0, 52.0, 0.0), 3: "W", 4: (87.0, 37.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def put_photo(client, token, photo_id, body, content_type="image/jpeg"):
    return client.put(
        f"/api/v1/photos/{photo_id}", data=body, content_type=content_type,
        headers={"X-CSRFToken": token},
    )  # fmt: skip


def fetch(client, url):
    """GET a photo page, closing the response (its file) before returning it."""
    with client.get(url) as response:
        response.data  # noqa: B018  (read the body before the file closes)
        return response


def photo_count() -> int:
    return db.session.execute(select(func.count()).select_from(Photo)).scalar_one()


def test_a_photo_is_stored_once_and_a_retry_is_answered_200(client, signed_in):
    _, token = signed_in()
    photo_id, body = uuid.uuid4(), jpeg()
    first = put_photo(client, token, photo_id, body)
    assert first.status_code == 201
    assert first.get_json() == {"id": str(photo_id), "width": 64, "height": 48}
    assert put_photo(client, token, photo_id, body).status_code == 200
    other = put_photo(client, token, photo_id, jpeg(colour="blue"))
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "conflict"
    assert photo_count() == 1


def test_gps_and_other_metadata_are_stripped_and_the_size_bounded(client, signed_in):
    _, token = signed_in()
    original = jpeg(size=(3000, 1500), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    photo_id = uuid.uuid4()
    assert put_photo(client, token, photo_id, original).status_code == 201
    stored = fetch(client, f"/photos/{photo_id}")
    assert stored.status_code == 200 and stored.mimetype == "image/jpeg"
    assert stored.headers["Cache-Control"] == "no-store"
    image = Image.open(io.BytesIO(stored.data))
    assert image.size == (2048, 1024)
    assert not image.getexif() and b"PhoneMaker" not in stored.data
    thumb = Image.open(io.BytesIO(fetch(client, f"/photos/{photo_id}/thumb").data))
    assert max(thumb.size) == 320


def test_png_and_webp_are_accepted_and_stored_as_jpeg(client, signed_in):
    _, token = signed_in()
    for kind, mimetype in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, kind)
        photo_id = uuid.uuid4()
        assert put_photo(client, token, photo_id, out.getvalue(), mimetype).status_code == 201
        assert Image.open(io.BytesIO(fetch(client, f"/photos/{photo_id}").data)).format == "JPEG"


def test_a_text_file_sent_as_a_jpeg_is_refused(client, signed_in):
    _, token = signed_in()
    response = put_photo(client, token, uuid.uuid4(), b"just some text, honestly")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "not_an_image"
    assert photo_count() == 0


def test_a_gif_is_not_an_accepted_type(client, signed_in):
    _, token = signed_in()
    response = put_photo(client, token, uuid.uuid4(), b"GIF89a", "image/gif")
    assert response.status_code == 415


def test_a_decompression_bomb_is_refused(client, signed_in):
    _, token = signed_in()
    side = int(MAX_PIXELS**0.5) + 100
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    assert len(out.getvalue()) < 1024 * 1024  # small on the wire, huge once decoded
    response = put_photo(client, token, uuid.uuid4(), out.getvalue(), "image/png")
    assert response.status_code == 422
    assert photo_count() == 0


def test_a_body_over_10_mb_is_refused_before_reading(client, signed_in):
    _, token = signed_in()
    response = put_photo(client, token, uuid.uuid4(), b"\xff" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_an_upload_needs_a_session_and_its_csrf_token(client, make_user):
    assert put_photo(client, "x", uuid.uuid4(), jpeg()).status_code == 401
    sign_in(client, make_user().username)
    response = put_photo(client, "wrong", uuid.uuid4(), jpeg())
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf"


def test_a_photo_another_users_record_names_cannot_be_uploaded(client, make_user, plant):
    owner, other = make_user(), make_user()
    photo_id = uuid.uuid4()
    data = {"category": "safety", "severity": "low", "text": "t", "photos": [str(photo_id)]}
    now = datetime.now(UTC)
    apply_push(db.session, owner, push_body(record(owner, "observation", data=data)), now)
    db.session.commit()
    token = sign_in(client, other.username)
    assert put_photo(client, token, photo_id, jpeg()).status_code == 403


@pytest.mark.parametrize(
    ("viewer", "named", "allowed"),
    [
        ("uploader", False, True),
        ("admin", False, True),
        ("coordinator", False, False),
        ("coordinator", True, True),  # station history is for everyone
    ],
)
def test_who_may_see_a_photo(client, make_user, plant, viewer, named, allowed):
    uploader = make_user()
    token = sign_in(client, uploader.username)
    photo_id = uuid.uuid4()
    put_photo(client, token, photo_id, jpeg())
    if named:
        data = {"category": "safety", "severity": "low", "text": "t", "photos": [str(photo_id)]}
        now = datetime.now(UTC)
        apply_push(db.session, uploader, push_body(record(uploader, "observation", data=data)), now)
        db.session.commit()
    if viewer != "uploader":
        sign_in(client, make_user(role=viewer).username)
    assert fetch(client, f"/photos/{photo_id}").status_code == (200 if allowed else 403)
    assert fetch(client, f"/photos/{uuid.uuid4()}").status_code == 404


def test_photos_pages_send_signed_out_people_to_sign_in(client):
    response = client.get(f"/photos/{uuid.uuid4()}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_purge_removes_photos_no_record_named_for_seven_days(client, runner, app, make_user, plant):
    user = make_user()
    token = sign_in(client, user.username)
    named, unnamed, recent = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for photo_id in (named, unnamed, recent):
        assert put_photo(client, token, photo_id, jpeg()).status_code == 201
    data = {"category": "safety", "severity": "low", "text": "t", "photos": [str(named)]}
    now = datetime.now(UTC)
    apply_push(db.session, user, push_body(record(user, "observation", data=data)), now)
    for photo_id in (named, unnamed):
        db.session.get(Photo, photo_id).created_at = now - timedelta(days=8)
    db.session.commit()
    result = runner.invoke(args=["photos", "purge"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 " in result.output
    assert db.session.get(Photo, unnamed) is None
    assert fetch(client, f"/photos/{unnamed}").status_code == 404
    for kept in (named, recent):
        assert fetch(client, f"/photos/{kept}").status_code == 200


@pytest.mark.parametrize("claimed_by", ["upload", "push"])
def test_a_photo_claimed_between_a_pushs_checks_and_its_writes_is_refused(
    client, make_user, plant, claimed_by
):
    """A push checks its records before it takes the write lock; who owns each photo it
    names is read again inside the writing transaction, so another user's upload or
    record that came in between still makes the record rejected, never stored."""
    mine, thief = make_user(), make_user()
    photo_id = uuid.uuid4()
    data = {"category": "safety", "severity": "low", "text": "t", "photos": [str(photo_id)]}
    now = datetime.now(UTC)
    checked = check_push(db.session, thief, push_body(record(thief, "observation", data=data)), now)
    db.session.commit()  # the checks' transaction ends; the owner's change comes in
    if claimed_by == "upload":
        assert (
            put_photo(client, sign_in(client, mine.username), photo_id, jpeg()).status_code == 201
        )
    else:
        apply_push(db.session, mine, push_body(record(mine, "observation", data=data)), now)
        db.session.commit()
    (result,) = store_push(db.session, checked, now)
    assert result["status"] == "rejected"
    assert result["errors"] == {"data.photos": [f"The photo {photo_id} belongs to another user."]}
    db.session.commit()
    authors = db.session.execute(select(Record.author_id).where(Record.type == "observation"))
    assert set(authors.scalars()) == ({mine.id} if claimed_by == "push" else set())


# Hostile and odd uploads (issue 11) ---------------------------------------------------

SECRET = "secret-from-the-phone"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    f'22-rdf-syntax-ns#"><rdf:Description about="{SECRET}-xmp"/></rdf:RDF></x:xmpmeta>'
).encode()


def srgb_profile() -> bytes:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return profile.tobytes()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = f"{SECRET}-exif"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (41.0, 52.0, 0.0), 3: "W", 4: (87.0, 37.0, 0.0)})
    return exif


def with_metadata(kind: str) -> bytes:
    """A 600×400 image carrying every kind of metadata its format holds, each naming SECRET."""
    image = Image.new("RGB", (600, 400), "green")
    out = io.BytesIO()
    common = {"exif": gps_exif(), "icc_profile": srgb_profile(), "xmp": XMP}
    if kind == "JPEG":
        image.save(out, "JPEG", comment=f"{SECRET}-comment".encode(), **common)
    elif kind == "PNG":
        from PIL.PngImagePlugin import PngInfo

        chunks = PngInfo()
        chunks.add_text("Comment", f"{SECRET}-text")
        chunks.add_text("Description", f"{SECRET}-ztxt", zip=True)
        chunks.add_itxt("XML:com.adobe.xmp", XMP.decode())
        chunks.add_itxt("Author", f"{SECRET}-itxt", lang="en")
        del common["xmp"]
        image.save(out, "PNG", pnginfo=chunks, **common)
    else:
        image.save(out, "WEBP", **common)
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of each segment before the scan."""
    assert data[:2] == b"\xff\xd8"
    segments, at = [], 2
    while True:
        marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4])
        segments.append((marker, data[at + 4 : at + 2 + length]))
        if marker == 0xDA:  # start of scan: pixels follow
            return segments
        at += 2 + length


# JFIF header, quantisation and Huffman tables, frame, restart interval, scan.
PIXEL_MARKERS = {0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD, 0xDA}


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_nothing_of_the_originals_metadata_survives_in_the_photo_or_its_thumbnail(
    client, signed_in, kind
):
    _, token = signed_in()
    original = with_metadata(kind)
    assert SECRET.encode() in original or kind == "PNG"  # zTXt and iTXt may be compressed
    photo_id = uuid.uuid4()
    response = put_photo(client, token, photo_id, original, f"image/{kind.lower()}")
    assert response.status_code == 201
    for url in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumb"):
        served = fetch(client, url).data
        assert SECRET.encode() not in served and b"GPS" not in served, url
        for marker, payload in jpeg_segments(served):
            if marker == 0xE0:
                assert payload.startswith(b"JFIF\0"), url
            else:
                assert marker in PIXEL_MARKERS, (url, hex(marker), payload[:40])
        image = Image.open(io.BytesIO(served))
        assert not image.getexif() and "icc_profile" not in image.info
        assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose frame header declares ``width`` × ``height``."""
    data = bytearray(jpeg(size=(64, 48)))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = height.to_bytes(2) + width.to_bytes(2)
    return bytes(data)


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_an_image_declaring_over_40_megapixels_is_refused_before_decoding(client, signed_in, kind):
    """6,400 × 6,400 is 41 MP: 123 MB once decoded, from a few hundred bytes."""
    _, token = signed_in()
    if kind == "JPEG":
        body = jpeg_declaring(6400, 6400)  # its pixels are 64 × 48: decoding would fail
    else:
        out = io.BytesIO()
        Image.new("1", (6400, 6400)).save(out, "PNG")
        body = out.getvalue()
    assert len(body) < 100_000
    response = put_photo(client, token, uuid.uuid4(), body, f"image/{kind.lower()}")
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "image_too_large",
        "message": "The image has more than 40,000,000 pixels.",
    }
    assert photo_count() == 0


def test_photo_uploads_are_limited_per_user_per_minute(client, signed_in, make_user):
    _, token = signed_in()
    body = jpeg()
    for _ in range(30):
        assert put_photo(client, token, uuid.uuid4(), body).status_code == 201
    refused = put_photo(client, token, uuid.uuid4(), body)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert photo_count() == 30
    # Another coordinator's uploads are their own.
    other = sign_in(client, make_user().username)
    assert put_photo(client, other, uuid.uuid4(), body).status_code == 201


def test_photo_files_and_folders_are_private(client, signed_in, app):
    _, token = signed_in()
    photo_id = uuid.uuid4()
    assert put_photo(client, token, photo_id, jpeg()).status_code == 201
    photo_dir = Path(app.config["PHOTO_DIR"])
    for path in (photo_dir, *photo_dir.rglob("*")):
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path
