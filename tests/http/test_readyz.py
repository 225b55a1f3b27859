"""/readyz: ready only when the database, Redis (when configured), the photo folder and
the migrations are; otherwise 503 with the reason of each failed check."""

import pytest
from sqlalchemy import text

from floorwalk.extensions import db
from tests.deploy.conftest import redis_url


def ready(client) -> tuple[int, dict]:
    answer = client.get("/readyz")
    return answer.status_code, answer.get_json()


def test_a_migrated_server_with_a_writable_photo_folder_is_ready(client, app, tmp_path):
    status, body = ready(client)
    assert (status, body["status"]) == (200, "ready")
    assert body["checks"] == {"database": "ok", "migrations": "ok", "photos": "ok"}
    assert list((tmp_path / "photos").iterdir()) == []  # its probe file is gone


def test_a_photo_folder_that_cannot_take_a_file_is_not_ready(app, make_app, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the photo folder should be")
    status, body = ready(make_app(PHOTO_DIR=str(blocked)).test_client())
    assert (status, body["status"]) == (503, "not ready")
    assert body["checks"]["photos"].startswith(f"the photo folder {blocked} cannot take a file")
    assert body["checks"]["database"] == "ok"


def test_a_database_behind_this_codes_migrations_is_not_ready(client, app):
    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        status, body = ready(client)
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()
    assert status == 503
    assert body["checks"]["migrations"].startswith(f"the database is at 0001, this code at {head}")
    assert body["checks"]["migrations"].endswith("run db upgrade")


def test_an_unreachable_database_is_not_ready(app, make_app, tmp_path):
    nowhere = f"sqlite:///{tmp_path / 'no-such-folder' / 'floorwalk.sqlite'}"
    status, body = ready(make_app(SQLALCHEMY_DATABASE_URI=nowhere).test_client())
    assert status == 503
    assert body["checks"]["database"].startswith("the database does not answer")
    assert body["checks"]["migrations"] == "not checked: the database does not answer"


@pytest.mark.parametrize("reachable", [True, False])
def test_redis_is_checked_when_configured(app, make_app, reachable):
    url = redis_url() if reachable else "redis://127.0.0.1:1/0"
    other = make_app(REDIS_URL=url, RATELIMIT_STORAGE_URI=url)
    status, body = ready(other.test_client())
    if reachable:
        assert (status, body["checks"]["redis"]) == (200, "ok")
    else:
        assert (status, body["checks"]["redis"]) == (503, "Redis does not answer a PING")
