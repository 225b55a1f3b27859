"""Security headers on every response, the error shapes, and role-gated pages."""

import re
import uuid

import pytest
from flask import url_for

from floorwalk.models import ROLES
from floorwalk.security import CONTENT_SECURITY_POLICY
from tests.support import sign_in

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def test_the_csp_is_exactly_the_designed_one():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/",
        "/healthz",
        "/static/css/app.css",
        "/no-such-page",
        "/api/v1/session",
        "/api/v1/nothing-here",
    ],
)
def test_every_response_carries_the_security_headers(client, path):
    with client.get(path) as response:
        headers = response.headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert headers["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=()"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_and_api_answers_are_not_stored_but_static_files_may_be(client, make_user):
    make_user("maria")
    sign_in(client, "maria")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/session").headers["Cache-Control"] == "no-store"
    with client.get("/static/css/app.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")
    # An error page under /static/ is a page (it shows the signed-in user's navigation).
    missing = client.get("/static/css/no-such-file.css")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_or_styles(client, signed_in):
    signed_in("admin")
    pages = ["/", "/admin/", "/no-such-page"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert "<style" not in html, path
        assert not re.search(r"\sstyle\s*=", html), path
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script, (path, script)
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no onclick= handlers


def test_every_page_carries_the_csrf_token_meta_tag(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_unknown_api_urls_answer_401_before_sign_in_and_404_after(client, signed_in):
    anonymous = client.get("/api/v1/nothing-here")
    assert anonymous.status_code == 401
    assert anonymous.get_json() == {
        "error": {"code": "unauthorized", "message": "Your session has ended; sign in again."}
    }
    signed_in("coordinator")
    found = client.get("/api/v1/nothing-here")
    assert found.status_code == 404
    assert found.get_json()["error"]["code"] == "not_found"


def test_an_api_request_never_redirects_to_an_html_page(client):
    response = client.post("/api/v1/anything", json={})
    assert response.status_code == 401
    assert response.is_json


def test_a_malformed_json_body_answers_a_json_400(client, make_user):
    make_user("maria")
    response = client.post("/api/v1/session", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in {"bad_request", "invalid"}


def test_a_404_page_is_html_for_people(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def admin_urls(app) -> list[str]:
    """Every admin URL the app has, with sample values for its arguments."""
    samples = {
        "code": "PRS-04",
        "id": "1",
        "key": "units_completed",
        "badge": "E1001",
        "name": "x",
        "unknown": "no/such/page",
        "day": "2026-11-24",
        "uuid": str(uuid.uuid4()),
        "kind": "stations",
        "direction": "up",
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin."):
                values = {arg: samples.get(arg, "1") for arg in rule.arguments}
                urls.append((url_for(rule.endpoint, **values), sorted(rule.methods)))
    return urls


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_every_role_but_admin_gets_403_on_every_admin_url(app, client, signed_in, role):
    _, token = signed_in(role)
    urls = admin_urls(app)
    assert urls
    for url, methods in urls:
        for method in {"GET", "POST"} & set(methods):
            response = client.open(
                url, method=method, headers={"X-CSRFToken": token}, data={"csrf_token": token}
            )
            assert response.status_code == 403, (method, url)


def test_admins_open_the_admin_page(client, signed_in):
    signed_in("admin")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Active stations" in response.get_data(as_text=True)


def test_the_navigation_offers_admin_only_to_admins(client, signed_in):
    signed_in("coordinator")
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
    client.delete("/api/v1/session")


def test_navigation_for_an_admin_links_the_admin_pages(client, signed_in):
    signed_in("admin")
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


def test_an_unexpected_error_shows_a_500_page_or_json_and_logs_it(app, caplog, capsys):
    """The page and the API's body show the request's id; the JSON log line with the
    traceback carries the same id (FLOORWALK_LOG_JSON=1)."""
    import json

    from floorwalk.requestlog import configure_logging

    def boom():
        raise RuntimeError("kaboom")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1-test/boom", "api_boom", boom)
    client = app.test_client()
    configure_logging(json_lines=True)
    try:
        page = client.get("/boom")
        api = client.get("/api/v1-test/boom")
    finally:
        configure_logging(json_lines=False)
    assert page.status_code == 500
    assert "Something went wrong" in page.get_data(as_text=True)
    assert "kaboom" not in page.get_data(as_text=True)
    page_id = page.headers["X-Request-ID"]
    assert page_id in page.get_data(as_text=True)
    assert api.status_code == 500
    error = api.get_json()["error"]
    assert error["code"] == "server_error"
    assert error["request_id"] == api.headers["X-Request-ID"]
    assert "kaboom" in caplog.text
    logged = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    errors = [x for x in logged if x["level"] == "ERROR"]
    assert [x["request_id"] for x in errors] == [page_id, error["request_id"]]
    assert [x["path"] for x in errors] == ["/boom", "/api/v1-test/boom"]
    assert all("kaboom" in x["error"] and x["status"] == 500 for x in errors)


def test_the_generated_secret_key_is_kept_in_the_instance_folder_readable_only_by_its_owner(
    tmp_path, monkeypatch
):
    from floorwalk import create_app

    monkeypatch.delenv("FLOORWALK_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    first = create_app({"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path / "inst"))
    second = create_app({"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path / "inst"))
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 32
