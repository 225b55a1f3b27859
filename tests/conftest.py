"""Fixtures: a fresh app and database per test, on SQLite or on PostgreSQL.

Set FLOORWALK_TEST_DATABASE_URL to a PostgreSQL database to run every test on it;
otherwise each test gets its own SQLite file. Both are built by the real migrations.
"""

import os
import shutil
import uuid

import pytest
from flask.testing import FlaskCliRunner, FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, insert, select, text

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db
from floorwalk.models import Area, Station

TEST_DATABASE_URL = os.environ.get("FLOORWALK_TEST_DATABASE_URL")
TEST_ITERATIONS = 1_000  # tests hash many passwords; production keeps 600,000


def app_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_ITERATIONS": TEST_ITERATIONS,
        "PHOTO_DIR": str(tmp_path / "photos"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def migrate_database(database_url: str, tmp_path) -> None:
    app = create_app(app_config(database_url, tmp_path), instance_path=str(tmp_path / "i"))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()


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


@pytest.fixture
def database_url(database_template, tmp_path) -> str:
    if "url" in database_template:
        return database_template["url"]
    path = tmp_path / "floorwalk.sqlite"
    shutil.copy(database_template["path"], path)
    return f"sqlite:///{path}"


class IsolatedClient(FlaskClient):
    """Runs each request in an app context of its own, as a server does.

    The test itself holds an app context for calling services directly; without this,
    requests would share it, and with it ``g`` (the cached user, the CSRF token) and
    the database session, which hides bugs.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction on both sides of the request, so that the
        # request sees what the test stored and the test then sees what it changed.
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.commit()
        return response


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

    def make(name="other"):
        other = create_app(app_config(database_url, tmp_path), instance_path=str(tmp_path / name))
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


class CommittingRunner(FlaskCliRunner):
    """Ends the test's transaction around each command, as separate processes would."""

    def invoke(self, *args, **kwargs):
        db.session.commit()
        result = super().invoke(*args, **kwargs)
        db.session.commit()
        return result


@pytest.fixture
def runner(app):
    app.test_cli_runner_class = CommittingRunner
    return app.test_cli_runner()


# Factories ----------------------------------------------------------------------------


@pytest.fixture
def make_user(app):
    def make(username=None, role="coordinator", password="correct horse battery", areas=()):
        user = create_user(
            db.session,
            username or f"{role}-{uuid.uuid4().hex[:6]}",
            role,
            password,
            areas,
            TEST_ITERATIONS,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_station(app):
    def make(code="PRS-04", name="Transfer press", area="Press Shop", active=True):
        area_row = db.session.execute(select(Area).where(Area.name == area)).scalar_one_or_none()
        station = Station(code=code, name=name, area=area_row or Area(name=area), active=active)
        db.session.add(station)
        db.session.commit()
        return station

    return make


def sign_in(client, username, password="correct horse battery"):
    """Sign in through the API, as the phone does; returns the CSRF token."""
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["csrf_token"]


@pytest.fixture
def signed_in(client, make_user):
    """A client signed in as a new user of ``role``; returns (user, csrf_token)."""

    def sign(role="coordinator", areas=()):
        user = make_user(role=role, areas=areas)
        return user, sign_in(client, user.username)

    return sign


# Summaries: records built the way the server stores them ------------------------------


@pytest.fixture
def make_metric(app):
    from floorwalk.models import Metric

    def make(key="units_completed", kind="tally", label=None, unit="pcs"):
        metric = db.session.execute(select(Metric).where(Metric.key == key)).scalar_one_or_none()
        if metric is None:
            metric = Metric(key=key, label=label or key.replace("_", " ").capitalize(),
                            unit=unit, kind=kind)
            db.session.add(metric)
            db.session.commit()
        return metric

    return make


@pytest.fixture
def make_record(app):
    """A record as a push would store it: production day and shift from the plant clock.

    ``station`` is a Station (or None); ``data`` as DESIGN §3 gives it per type.
    """
    from floorwalk.models import Category, Employee, Metric
    from floorwalk.records import build_record, record_body
    from floorwalk.settings import plant_clock

    def make(author, type_, station, observed_at, data=None, received_at=None, deleted=False):
        data = dict(data or {})
        lookups = {}
        if type_ == "count":
            lookups["metric"] = db.session.execute(
                select(Metric).where(Metric.key == data["metric"])
            ).scalar_one()
        elif type_ == "observation":
            data.setdefault("photos", [])
            lookups["category"] = db.session.execute(
                select(Category).where(Category.key == data["category"])
            ).scalar_one()
        elif type_ == "employee_note":
            lookups["employee"] = db.session.execute(
                select(Employee).where(Employee.badge == data["employee"])
            ).scalar_one()
        body = record_body(uuid.uuid4(), type_, author, observed_at, data,
                           station.code if station else None)
        if deleted:
            body["deleted"] = True
        record, version = build_record(
            body, author, station.id if station else None, observed_at,
            plant_clock(db.session), lookups, received_at=received_at,
        )
        db.session.add_all((record, version))
        db.session.commit()
        return record

    return make


@pytest.fixture
def plant(make_user, make_station, make_metric, make_record):
    """The summary scenario of tests/summary_plant.py, whose figures are known by hand."""
    from tests.summary_plant import build_plant

    return build_plant(make_user, make_station, make_metric, make_record)
