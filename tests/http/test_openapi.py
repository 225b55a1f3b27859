"""The OpenAPI document, and a schemathesis run against it, in-process: no server error,
and every answer conforms to the document (status, media type, body)."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import sign_in

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_the_document_describes_the_sync_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/photos/{photo_id}",
            "/api/v1/session"} <= set(document["paths"])  # fmt: skip
    record = document["components"]["schemas"]["Record"]
    assert {"id", "type", "author", "version", "observed_at", "data"} <= set(record["required"])
    assert "CountData" in document["components"]["schemas"]


def test_the_api_keeps_to_its_document(make_app, make_user, plant):
    # A second app, so that each call runs in its own context as on a server.
    other = make_app("schemathesis")
    user = make_user()
    browser = other.test_client()
    token = sign_in(browser, user.username)
    cookie = browser.get_cookie("floorwalk")
    auth = {"headers": {"X-CSRFToken": token}, "cookies": {"floorwalk": cookie.value}}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", other)
    tested, statuses = [], set()
    for result in schema.get_all_operations():
        operation = result.ok()
        tested.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def keeps_to_document(case):
            response = case.call_and_validate(**auth, checks=CHECKS)
            statuses.add((case.operation.label, response.status_code))

        keeps_to_document()
    assert "POST /api/v1/sync/push" in tested and "PUT /api/v1/photos/{photo_id}" in tested
    # Signed in: the calls reached the views rather than stopping at the session check.
    assert ("GET /api/v1/sync/pull", 200) in statuses
