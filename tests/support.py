"""What tests import by name: the test database, the app's test settings, signing in.

Fixtures live in conftest.py (the app and its database) and factories.py (rows and
records); the browser's in browser/conftest.py.
"""

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from floorwalk import create_app
from floorwalk.database import begin_writing
from floorwalk.extensions import db

TEST_DATABASE_URL = os.environ.get("FLOORWALK_TEST_DATABASE_URL")
TEST_ITERATIONS = 1_000  # tests hash many passwords; production keeps 600,000
PASSWORD = "correct horse battery"
# A label printed under another host name still opens in place (DESIGN §4).
LABEL_PUBLIC_URL = "https://old-plant-name.example"
LABEL_CODE = "QR-07"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


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


@contextmanager
def beside_the_server():
    """A change the test makes while a live server runs, in a writing transaction of its
    own, as another process would make it.

    On SQLite a transaction that began reading before the server's last write can never
    write (its snapshot is stale: "database is locked" at once), so the test's read ends
    first and the write lock is taken before anything is read.
    """
    db.session.commit()
    begin_writing(db.session)
    try:
        yield db.session
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


class CommittingRunner(FlaskCliRunner):
    """Ends the test's transaction around each command, as separate processes would."""

    def invoke(self, *args, **kwargs):
        db.session.commit()
        result = super().invoke(*args, **kwargs)
        db.session.commit()
        return result


def sign_in(client, username, password=PASSWORD):
    """Sign in through the API, as the phone does; returns the CSRF token."""
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["csrf_token"]


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


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def print_pdf(page, name: str, paper: str) -> tuple[int, str]:
    """Print ``page`` to ``test-artifacts/<name>-<paper>.pdf`` as Chromium does; returns
    the number of pages and the text on them."""
    import pypdfium2

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{paper}.pdf"
    page.pdf(path=str(path), format=paper)
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pages = len(pdf)
        return pages, "".join(pdf[n].get_textpage().get_text_range() for n in range(pages))
    finally:
        pdf.close()


def axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) -> list[str]:
    """axe-core's violations of these ``impacts`` on what ``page`` shows now, one line each
    (rule and elements). The page's context needs AXE as an init script: a <script> tag
    would be refused by the page's CSP."""
    return page.evaluate(
        """async (impacts) => {
          const result = await axe.run(document, { resultTypes: ["violations"] });
          return result.violations
            .filter((v) => impacts.includes(v.impact))
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }""",
        list(impacts),
    )


LAPTOP = {"width": 1280, "height": 800}


def signed_in_page(browser, live_server, username, path, viewport=LAPTOP, password=PASSWORD):
    """A new browser context at ``viewport`` signed in as ``username`` through the sign-in
    page, on ``path``: (context, page)."""
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/login?next={quote(path)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{path}")
    return context, page
