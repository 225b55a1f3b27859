"""Body limits against a real `floorwalk serve` (DESIGN §3, §7): a push over 5 MB and a
photo over 10 MB answer 413 with the JSON error shape, with or without a Content-Length
(chunked bodies are counted as they arrive), and nothing of them is stored."""

import http.client
import json
import uuid
from urllib.parse import urlsplit

import pytest

from tests.factories import counts, push_body
from tests.http import test_sync_server
from tests.http.test_sync_server import phone, serving, stored

MB = 1024 * 1024
server_database = test_sync_server.server_database  # the same server set-up, as a fixture


def send(base: str, session, token: str, method: str, path: str, body: bytes, chunked: bool):
    """``body`` sent with http.client, in 64 KiB chunks or with a Content-Length; the
    answer's status and JSON. The server may stop reading once the limit is passed."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    content_type = "application/json" if path.endswith("push") else "image/jpeg"
    headers = {"Cookie": cookies, "X-CSRFToken": token, "Content-Type": content_type}
    try:
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        if chunked:
            connection.putheader("Transfer-Encoding", "chunked")
        else:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        try:
            for start in range(0, len(body), 64 * 1024):
                piece = body[start : start + 64 * 1024]
                connection.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if chunked:
                connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading everything, as it should
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def padded_push(user_id: int, size: int) -> bytes:
    """A valid push of ten counts, padded with JSON whitespace to ``size`` bytes."""
    body = json.dumps(push_body(*counts(user_id, 10))).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_push_over_5_mb_is_refused_whatever_its_framing(server_database, tmp_path, chunked):
    url, user_id = server_database
    with serving(url, tmp_path) as (base, _):
        session, token = phone(base, "walker")
        for size_mb in (6, 9, 11):
            body = padded_push(user_id, size_mb * MB)
            status, answer = send(base, session, token, "POST", "/api/v1/sync/push", body, chunked)
            assert status == 413, (size_mb, answer)
            assert answer["error"]["code"] == "too_large"
            assert "larger than 5 MB" in answer["error"]["message"]
        assert stored(url)[0] == {}
        # Under the limit, the same framing is stored.
        status, answer = send(
            base, session, token, "POST", "/api/v1/sync/push", padded_push(user_id, 4 * MB), chunked
        )
        assert status == 200 and [r["status"] for r in answer["results"]] == ["created"] * 10


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_photo_over_10_mb_is_refused_whatever_its_framing(server_database, tmp_path, chunked):
    url, _ = server_database
    with serving(url, tmp_path) as (base, _):
        session, token = phone(base, "walker")
        path = f"/api/v1/photos/{uuid.uuid4()}"
        status, answer = send(base, session, token, "PUT", path, b"\xff" * (11 * MB), chunked)
        assert status == 413, answer
        assert answer["error"] == {
            "code": "too_large",
            "message": "The photo is larger than 10 MB.",
        }
        assert not any((tmp_path / "photos").rglob("*.jpg"))
