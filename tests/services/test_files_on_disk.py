"""Files on disk (issue 11, item 13): the instance folder, the SQLite database and its
WAL files and the secret key are the server user's alone. Photos: tests/http/test_photos.py."""

import os

from flask_migrate import upgrade
from sqlalchemy import text

from floorwalk import create_app
from floorwalk.extensions import db
from tests.support import TEST_ITERATIONS


def test_the_instance_folder_database_and_secret_key_are_private(tmp_path):
    old = os.umask(0o022)  # what a default login shell gives
    instance = tmp_path / "instance"
    database = instance / "floorwalk.sqlite"
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "PASSWORD_ITERATIONS": TEST_ITERATIONS,
    }
    try:
        app = create_app(config, instance_path=str(instance))
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            db.session.execute(text("SELECT 1"))
            modes = {p.name: p.stat().st_mode & 0o777 for p in (instance, *instance.iterdir())}
            db.engine.dispose()
    finally:
        os.umask(old)
    assert modes["instance"] == 0o700
    assert {"floorwalk.sqlite", "secret_key"} <= set(modes)
    assert {name: mode for name, mode in modes.items() if name != "instance"} == {
        name: 0o600 for name in modes if name != "instance"
    }
