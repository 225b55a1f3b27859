"""The migrations build an empty database, and agree with the models."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from floorwalk import create_app
from floorwalk.extensions import db
from floorwalk.models import Category, SyncState
from tests.support import TEST_DATABASE_URL, app_config


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it, of the kind the suite runs on."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"floorwalk_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_app(empty_database_url, tmp_path):
    app = create_app(app_config(empty_database_url, tmp_path), instance_path=str(tmp_path / "m"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_upgrade_builds_every_table_of_the_models_on_an_empty_database(empty_app):
    upgrade(directory=empty_app.extensions["migrate"].directory)
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_the_models_and_the_migrations_agree(empty_app):
    upgrade(directory=empty_app.extensions["migrate"].directory)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_a_new_database_has_its_change_counter_epoch_and_default_categories(empty_app):
    upgrade(directory=empty_app.extensions["migrate"].directory)
    state = db.session.execute(select(SyncState)).scalar_one()
    assert state.change_seq == 0 and isinstance(state.epoch, uuid.UUID)
    categories = db.session.execute(
        select(Category.key, Category.downtime).order_by(Category.position)
    ).all()
    assert [tuple(row) for row in categories] == [
        ("safety", False),
        ("quality", False),
        ("material", False),
        ("machine", True),
        ("housekeeping", False),
        ("schedule", False),
        ("other", False),
    ]


def test_downgrade_removes_everything_and_upgrade_runs_again(empty_app):
    directory = empty_app.extensions["migrate"].directory
    upgrade(directory=directory)
    downgrade(directory=directory, revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=directory)
    assert "records" in inspect(db.engine).get_table_names()


def test_flask_db_upgrade_runs_from_the_command_line(empty_database_url, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "FLOORWALK_DATABASE_URL": empty_database_url, "FLOORWALK_SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "floorwalk", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(empty_database_url)
    try:
        assert "records" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
