"""Fixtures: a fresh app and database per test, on SQLite or on PostgreSQL.

Set FLOORWALK_TEST_DATABASE_URL to a PostgreSQL database to run every test on it;
otherwise each test gets its own SQLite file. Both are built by the real migrations.
"""

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, delete, insert, select, text
from werkzeug.serving import make_server

from floorwalk import create_app
from floorwalk.accounts import areas_by_name, create_user
from floorwalk.extensions import db
from floorwalk.models import Station

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
        (area_row,) = areas_by_name(db.session, [area])
        station = Station(code=code, name=name, area=area_row, active=active)
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


# PWA: the phone app in Debian's Chromium ---------------------------------------------
# One browser for the whole session (a fake camera showing a floorwalk station label);
# each test gets a live server on a free port and a phone-sized browser context.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
PHONE = {"width": 390, "height": 844}
# A label printed under another host name still opens in place (DESIGN §4).
LABEL_PUBLIC_URL = "https://old-plant-name.example"
LABEL_CODE = "QR-07"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def label_y4m(path: Path, label, size: tuple[int, int] = (640, 480)) -> Path:
    """A Y4M video of floorwalk's own PNG label, for Chromium's fake camera (grey only)."""
    import io

    from floorwalk.labels import label_png

    image = Image.open(io.BytesIO(label_png(label, module_px=5))).convert("L")
    width, height = size
    frame = Image.new("L", size, 255)
    frame.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma)
    return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    from floorwalk.labels import Label, station_url

    label = Label(LABEL_CODE, "Leak test", "Assembly", station_url(LABEL_PUBLIC_URL, LABEL_CODE))
    video = label_y4m(tmp_path_factory.mktemp("camera") / "label.y4m", label)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={video}"],
        )
        yield browser
        browser.close()


class LiveServer:
    """The app served on 127.0.0.1 from a thread; ``stop`` really takes it off the network
    (what the service worker fetches fails too), ``start`` brings it back on the same port."""

    def __init__(self, app):
        self.app = app
        self.port = 0
        self.server = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.server = None


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized browser context on the live server; returns its first page."""
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, permissions=["camera"], has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))  # an uncaught one fails the test
    yield page
    context.close()
    assert errors == []


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# Admin pages, CSV import and labels (issue 3) ------------------------------------------


class AdminBrowser:
    """A client signed in as an admin that posts forms with their CSRF token."""

    def __init__(self, client, user, token):
        self.client, self.user, self.token = client, user, token

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, **kwargs):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token}, **kwargs)

    def upload(self, url, content: bytes, filename="file.csv"):
        import io

        data = {"file": (io.BytesIO(content), filename), "csrf_token": self.token}
        return self.client.post(url, data=data, content_type="multipart/form-data")


@pytest.fixture
def admin(client, signed_in):
    user, token = signed_in("admin")
    return AdminBrowser(client, user, token)


# Sync: push, pull, photos -------------------------------------------------------------


@pytest.fixture
def make_metric(app):
    from floorwalk.models import Metric

    def make(key="units_completed", kind="tally", label=None, unit="pcs"):
        metric = db.session.execute(select(Metric).where(Metric.key == key)).scalar_one_or_none()
        if metric is None:
            metric = Metric(
                key=key, label=label or key.replace("_", " ").capitalize(), unit=unit, kind=kind
            )
            db.session.add(metric)
            db.session.commit()
        return metric

    return make


@pytest.fixture
def make_employee(app):
    def make(badge="E1001", name="Maria Gonzalez", area="Press Shop", active=True):
        from floorwalk.models import Employee

        (area_row,) = areas_by_name(db.session, [area])
        employee = Employee(badge=badge, name=name, area=area_row, active=active)
        db.session.add(employee)
        db.session.commit()
        return employee

    return make


# Summaries: records built the way the server stores them ------------------------------


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
        body = record_body(
            uuid.uuid4(), type_, author, observed_at, data, station.code if station else None
        )
        if deleted:
            body["deleted"] = True
        record, version = build_record(
            body,
            author,
            station.id if station else None,
            observed_at,
            plant_clock(db.session),
            lookups,
            received_at=received_at,
        )
        db.session.add_all((record, version))
        db.session.commit()
        return record

    return make


@pytest.fixture
def plant(make_station, make_metric, make_employee):
    """A station PRS-04 (Press Shop), the metric units_completed, the employee E1001."""
    return {
        "station": make_station(),
        "metric": make_metric(),
        "employee": make_employee(),
    }


@pytest.fixture
def summary_plant(make_user, make_station, make_metric, make_record):
    """The summary scenario of tests/summary_plant.py, whose figures are known by hand."""
    from tests.summary_plant import build_plant

    return build_plant(make_user, make_station, make_metric, make_record)
