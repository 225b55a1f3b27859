"""Request ids and the log a server writes (floorwalk/requestlog.py), read from a real
`floorwalk serve` with FLOORWALK_LOG_JSON=1 behind a (pretend) proxy, on SQLite and on
the PostgreSQL test database when FLOORWALK_TEST_DATABASE_URL is set. A server error's
id, shown to the user and written in the log, is in test_pages_and_headers.py."""

import json
import re

import requests

from tests.http.test_sync_server import PASSWORD, serving
from tests.http.test_sync_server import server_database as server_database  # noqa: F401

MADE_ID = re.compile(r"[0-9a-f]{32}\Z")


def json_lines(log) -> list[dict]:
    """Every line the server wrote, each parsed as JSON (a line that is not fails)."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_each_request_gets_an_id_and_one_json_log_line_with_its_user_status_and_time(
    server_database, tmp_path
):
    url, user_id = server_database
    log = tmp_path / "server.log"
    with serving(url, tmp_path, workers=2, log=log, LOG_JSON="1", PROXY_HOPS="1") as (base, _):
        phone = requests.Session()
        signed_in = phone.post(
            f"{base}/api/v1/session", json={"username": "walker", "password": PASSWORD},
            headers={"X-Request-ID": "from-the-proxy-0001"},
        )  # fmt: skip
        assert signed_in.status_code == 200
        assert signed_in.headers["X-Request-ID"] == "from-the-proxy-0001"
        pulled = phone.get(f"{base}/api/v1/sync/pull")
        assert pulled.status_code == 200
        made = pulled.headers["X-Request-ID"]
        assert MADE_ID.match(made)
        # A value no proxy makes (too long to be an id) is replaced, not logged.
        odd = phone.get(f"{base}/healthz", headers={"X-Request-ID": "x" * 200})
        assert MADE_ID.match(odd.headers["X-Request-ID"])
        missing = phone.get(f"{base}/api/v1/no-such-thing")
        assert missing.status_code == 404

    lines = json_lines(log)
    requests_logged = {line["request_id"]: line for line in lines if "request_id" in line}
    sign_in = requests_logged["from-the-proxy-0001"]
    assert sign_in["method"] == "POST" and sign_in["path"] == "/api/v1/session"
    assert sign_in["status"] == 200 and sign_in["user_id"] == user_id
    pull = requests_logged[made]
    assert (pull["method"], pull["path"], pull["status"]) == ("GET", "/api/v1/sync/pull", 200)
    assert pull["user_id"] == user_id and pull["duration_ms"] >= 0
    assert requests_logged[odd.headers["X-Request-ID"]]["user_id"] is None
    assert requests_logged[missing.headers["X-Request-ID"]]["status"] == 404
    assert "x" * 200 not in log.read_text()
    # One line per request: three besides the health checks (the start's polls among them).
    assert len([x for x in requests_logged.values() if x["path"] != "/healthz"]) == 3
    # gunicorn's own lines are JSON as well.
    assert any(line["logger"].startswith("gunicorn") for line in lines)


def test_without_a_proxy_a_request_id_from_the_phone_is_not_trusted(server_database, tmp_path):
    url, _ = server_database
    log = tmp_path / "server.log"
    with serving(url, tmp_path, workers=1, log=log, LOG_JSON="1") as (base, _):
        answer = requests.get(
            f"{base}/healthz", headers={"X-Request-ID": "chosen-by-a-phone"}, timeout=30
        )
    assert MADE_ID.match(answer.headers["X-Request-ID"])
    assert "chosen-by-a-phone" not in log.read_text()


def test_plain_text_log_lines_carry_the_same_fields(server_database, tmp_path):
    url, _ = server_database
    log = tmp_path / "server.log"
    with serving(url, tmp_path, workers=1, log=log) as (base, _):
        answer = requests.get(f"{base}/api/v1/sync/pull", timeout=30)
        # A path with an encoded newline stays on its request's line.
        forging = requests.get(f"{base}/x%0AFORGED%20INFO%20line", timeout=30)
    assert answer.status_code == 401 and forging.status_code == 404
    (line,) = [x for x in log.read_text().splitlines() if answer.headers["X-Request-ID"] in x]
    assert "GET /api/v1/sync/pull 401" in line and "user None" in line
    assert not any(x.startswith("FORGED") for x in log.read_text().splitlines())
    assert "GET /x\\nFORGED INFO line 404" in log.read_text()


def test_a_refused_request_has_an_id_and_no_error_body_shows_one(client):
    answer = client.get("/api/v1/sync/pull")
    assert answer.status_code == 401
    assert MADE_ID.match(answer.headers["X-Request-ID"])
    assert "request_id" not in answer.get_json()["error"]
