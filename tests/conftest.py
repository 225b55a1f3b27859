"""Fixtures: a fresh app and database per test, on SQLite or on PostgreSQL.

Set FLOORWALK_TEST_DATABASE_URL to a PostgreSQL database to run every test on it;
otherwise each test gets its own SQLite file. Both are built by the real migrations.
Factories of rows and records are in factories.py; the browser's fixtures in
browser/conftest.py.
"""

import shutil

import pytest
from sqlalchemy import create_engine, delete, insert, select, text

from floorwalk import create_app
from floorwalk.extensions import db
from tests.support import (
    TEST_DATABASE_URL,
    CommittingRunner,
    IsolatedClient,
    app_config,
    migrate_database,
)

pytest_plugins = ["tests.factories", "tests.mailserver"]


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database to start each test from.

    SQLite: a file each test copies. PostgreSQL: the test database itself, migrated once,
    plus the rows the migrations seeded, which each test's clean-up puts back.
    """
    tmp = tmp_path_factory.mktemp("template")
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrate_database(TEST_DATABASE_URL, tmp)
        with engine.connect() as conn:
            seeded = {
                table: [dict(row._mapping) for row in conn.execute(select(table))]
                for table in db.metadata.sorted_tables
            }
        engine.dispose()
        return {"url": TEST_DATABASE_URL, "seeded": seeded}
    path = tmp / "template.sqlite"
    migrate_database(f"sqlite:///{path}", tmp)
    return {"path": path}


def reset_postgres(seeded: dict) -> None:
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for table, rows in seeded.items():
            if rows:
                conn.execute(delete(table))
                conn.execute(insert(table), rows)
                # RESTART IDENTITY set the sequence back to 1: move it past the seeded ids.
                if "id" in table.c and table.c.id.autoincrement is not False:
                    name = table.name  # from the models' metadata, not from input
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                            f'(SELECT MAX(id) FROM "{name}"))'
                        )
                    )


@pytest.fixture
def database_url(database_template, tmp_path) -> str:
    if "url" in database_template:
        return database_template["url"]
    path = tmp_path / "floorwalk.sqlite"
    shutil.copy(database_template["path"], path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, database_template, tmp_path):
    app = create_app(app_config(database_url, tmp_path), instance_path=str(tmp_path / "instance"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        if "seeded" in database_template:
            reset_postgres(database_template["seeded"])
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Another app on the test database, built from the environment as it is now."""
    made = []

    def make(name="other", **config):
        settings = {**app_config(database_url, tmp_path), **config}
        other = create_app(settings, instance_path=str(tmp_path / name))
        other.test_client_class = IsolatedClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    app.test_cli_runner_class = CommittingRunner
    return app.test_cli_runner()
