"""Whole request bodies that are not what the API takes (DESIGN §3): each answers the
error shape and stores nothing."""

import pytest
from sqlalchemy import func, select

from floorwalk.extensions import db
from floorwalk.models import Record


@pytest.mark.parametrize("depth", [5_000, 100_000])
@pytest.mark.parametrize("nested", ["[", '{"a":'])
def test_json_nested_past_a_sane_depth_is_a_bad_request(client, signed_in, depth, nested):
    _, token = signed_in()
    closing = "]" if nested == "[" else "}"
    body = '{"records": ' + nested * depth + "1" + closing * depth + "}"
    for path in ("/api/v1/sync/push", "/api/v1/session"):
        response = client.post(
            path, data=body, content_type="application/json", headers={"X-CSRFToken": token}
        )
        assert response.status_code == 400, path
        assert response.get_json()["error"] == {
            "code": "bad_request",
            "message": "The body must be a JSON object.",
        }
    assert db.session.execute(select(func.count()).select_from(Record)).scalar_one() == 0
