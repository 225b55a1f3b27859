"""Devices (DESIGN §11): each push and pull records the phone's install id, last user,
app version, last contact and pending count; bad values are ignored, never refused;
/admin/devices lists them and flags a phone whose unsent records are a day old."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from floorwalk.extensions import db
from floorwalk.models import Device, utcnow
from tests.factories import push_body, record
from tests.support import sign_in


def post_push(client, token, body):
    return client.post("/api/v1/sync/push", json=body, headers={"X-CSRFToken": token})


def pull(client, **query):
    return client.get("/api/v1/sync/pull", query_string=query)


def devices() -> list[Device]:
    db.session.expire_all()
    return list(db.session.scalars(select(Device)))


def age(device_id: str, hours: float) -> None:
    """Make a device's last contact and pending report ``hours`` old."""
    then = utcnow() - timedelta(hours=hours)
    db.session.execute(
        update(Device)
        .where(Device.id == uuid.UUID(device_id))
        .values(last_contact_at=then, pending_at=then)
    )
    db.session.commit()


def rows(html: str) -> list[str]:
    """The text of each row of the devices table, tags dropped."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = [row for row in body.split("</tr>") if "<td" in row]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in cells]


def test_a_push_records_its_device_user_app_and_pending(client, signed_in, plant):
    user, token = signed_in()
    device = str(uuid.uuid4())
    body = push_body(record(user), device=device, app="1.4.2", pending=7)
    assert post_push(client, token, body).status_code == 200
    [stored] = devices()
    assert str(stored.id) == device and stored.user_id == user.id and stored.app == "1.4.2"
    assert stored.pending == 7 and stored.pending_at == stored.last_contact_at
    assert utcnow() - stored.last_contact_at < timedelta(minutes=1)


def test_a_pull_records_its_device_and_a_second_contact_updates_the_same_row(
    client, signed_in, plant, make_user
):
    first, _ = signed_in()
    device = str(uuid.uuid4())
    assert pull(client, device=device, app="1.0.0", pending="3").status_code == 200
    age(device, 2)
    second = make_user()
    sign_in(client, second.username)
    assert pull(client, device=device, app="1.1.0").status_code == 200
    [stored] = devices()
    assert stored.user_id == second.id and stored.app == "1.1.0"
    assert utcnow() - stored.last_contact_at < timedelta(minutes=1)
    # No pending in the second report: the count stays the one reported, with its time.
    assert stored.pending == 3 and utcnow() - stored.pending_at > timedelta(hours=1)


def test_a_push_with_nothing_to_store_leaves_the_report_to_the_pull(client, signed_in, plant):
    # It takes no write lock (test_sync_push.py); the pull that follows it reports.
    user, token = signed_in()
    device = str(uuid.uuid4())
    body = push_body(record(user, station="NOPE-1"), device=device, pending=1)
    assert post_push(client, token, body).status_code == 200
    assert devices() == []
    assert pull(client, device=device, pending="1").status_code == 200
    assert [(str(d.id), d.pending) for d in devices()] == [(device, 1)]


@pytest.mark.parametrize(
    "bad",
    [
        {"device": "not-a-uuid", "pending": 4},
        {"device": 12, "pending": 4},
        {"pending": -1},
        {"pending": 1_000_001},
        {"pending": "4"},
        {"pending": 2.5},
        {"pending": True},
        {"app": "x" * 33},
        {"app": "1.0\x00"},
        {"app": 7},
    ],
)
def test_a_push_with_a_bad_report_is_stored_and_the_bad_value_ignored(
    client, signed_in, plant, bad
):
    user, token = signed_in()
    body = push_body(record(user), device=str(uuid.uuid4()), app="1.0.0")
    body.update(bad)
    response = post_push(client, token, body)
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["created"]
    stored = devices()
    if "device" in bad:
        assert stored == []
    else:
        [device] = stored
        assert device.pending is None
        assert device.app == (None if "app" in bad else "1.0.0")


@pytest.mark.parametrize(
    "query",
    [
        {"device": "zzz", "pending": "4"},
        {"pending": "-1"},
        {"pending": "1000001"},
        {"pending": "four"},
        {"pending": "٣"},
        {"app": "y" * 33},
    ],
)
def test_a_pull_with_a_bad_report_is_answered_and_the_bad_value_ignored(
    client, signed_in, plant, query
):
    signed_in()
    device = str(uuid.uuid4())
    response = pull(client, **{"device": device, "app": "2.0.0", **query})
    assert response.status_code == 200 and "cursor" in response.get_json()
    stored = devices()
    if query.get("device") == "zzz":
        assert stored == []
    else:
        [one] = stored
        assert one.pending is None
        assert one.app == (None if "app" in query else "2.0.0")


def test_the_page_lists_devices_newest_contact_first_and_flags_day_old_unsent_data(
    client, make_user, plant
):
    coordinator = make_user(username="maria")
    sign_in(client, coordinator.username)
    old, recent, clean = (str(uuid.uuid4()) for _ in range(3))
    pull(client, device=old, app="1.0.0", pending="12")
    pull(client, device=recent, app="1.2.0", pending="5")
    pull(client, device=clean, app="1.1.0", pending="0")
    age(old, 30)
    age(clean, 48)
    age(recent, 23)
    admin = make_user(role="admin")
    sign_in(client, admin.username)
    response = client.get("/admin/devices")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    listed = rows(html)
    assert [next(d for d in (old, recent, clean) if d in row) for row in listed] == [
        recent,
        old,
        clean,
    ]
    assert all("maria" in row for row in listed)
    assert "1.2.0" in listed[0] and "5" in listed[0]
    assert "Unsent data for more than a day" in listed[1] and "12" in listed[1]
    assert "Unsent data for more than a day" not in listed[0] + listed[2]
    assert 'href="/admin/devices"' in html  # a tab of the admin navigation


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "manager"])
def test_everyone_but_admins_gets_403_on_the_devices_page(client, signed_in, role):
    signed_in(role)
    assert client.get("/admin/devices").status_code == 403


def test_the_day_summary_counts_phones_holding_day_old_unsent_data(client, make_user, plant):
    coordinator = make_user()
    sign_in(client, coordinator.username)
    for hours in (30, 50, 2):
        device = str(uuid.uuid4())
        pull(client, device=device, pending="4")
        age(device, hours)
    manager, admin = make_user(role="manager"), make_user(role="admin")
    sign_in(client, manager.username)
    page = client.get("/summary").get_data(as_text=True)
    assert "2 phones hold unsent data" in page and 'href="/admin/devices"' not in page
    sign_in(client, admin.username)
    page = client.get("/summary").get_data(as_text=True)
    assert re.search(r'<a href="/admin/devices">2 phones hold unsent data</a>', page)
    sign_in(client, coordinator.username)
    assert "hold unsent data" not in client.get("/summary").get_data(as_text=True)
