"""The inbox over HTTP (DESIGN §9): the API and pull, the page and the header's bell, the
account page's preferences and the admin's outbox page. Nobody reads another's inbox."""

from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import AuditEvent, NotificationPreference, OutboxMail
from floorwalk.notifications.inbox import notify
from floorwalk.notifications.worker import Worker
from tests.support import AdminBrowser, sign_in


def fill(user, count, kind="observation_alert"):
    ids = [
        notify(
            db.session,
            user,
            kind,
            f"Alert {n}",
            f"Body {n}",
            f"/summary/observations#o{n}",
            f"k{n}",
        )  # fmt: skip
        for n in range(count)
    ]
    db.session.commit()
    return ids


def test_the_api_lists_ones_own_newest_first_with_the_unread_count(client, make_user):
    mine, theirs = make_user("mine", "supervisor"), make_user("theirs", "supervisor")
    fill(mine, 3)
    (their_id,) = fill(theirs, 1)
    token = sign_in(client, "mine")
    answer = client.get("/api/v1/notifications").get_json()
    assert answer["unread"] == 3
    assert [n["subject"] for n in answer["notifications"]] == ["Alert 2", "Alert 1", "Alert 0"]
    first = answer["notifications"][0]
    assert set(first) == {"id", "kind", "subject", "body", "link", "created_at", "read"}
    assert first["read"] is False and first["link"] == "/summary/observations#o2"

    page = client.get(f"/api/v1/notifications?limit=2&before={first['id']}").get_json()
    assert [n["subject"] for n in page["notifications"]] == ["Alert 1", "Alert 0"]

    # Another user's id is never marked, nor shown.
    headers = {"X-CSRFToken": token}
    marked = client.post("/api/v1/notifications/read", json={"ids": [their_id]}, headers=headers)
    assert marked.get_json() == {"marked": 0, "unread": 3}
    one = client.post("/api/v1/notifications/read", json={"ids": [first["id"]]}, headers=headers)
    assert one.get_json() == {"marked": 1, "unread": 2}
    every = client.post("/api/v1/notifications/read", json={"all": True}, headers=headers)
    assert every.get_json() == {"marked": 2, "unread": 0}
    sign_in(client, "theirs")
    assert client.get("/api/v1/notifications").get_json()["unread"] == 1


def test_marking_read_needs_the_csrf_token_and_a_clear_body(client, make_user):
    make_user("mine", "supervisor")
    token = sign_in(client, "mine")
    refused = client.post("/api/v1/notifications/read", json={"all": True})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf"
    headers = {"X-CSRFToken": token}
    neither = client.post("/api/v1/notifications/read", json={}, headers=headers)
    assert neither.status_code == 400
    assert 'Give "ids"' in neither.get_json()["error"]["message"]
    client.delete("/api/v1/session", headers=headers)
    assert client.get("/api/v1/notifications").status_code == 401


def test_pull_carries_the_unread_count_and_the_latest(client, make_user):
    user = make_user("mine", "supervisor")
    fill(user, 12)
    sign_in(client, "mine")
    pulled = client.get("/api/v1/sync/pull").get_json()["notifications"]
    assert pulled["unread"] == 12 and len(pulled["notifications"]) == 10
    assert pulled["notifications"][0]["subject"] == "Alert 11"


def test_the_bell_counts_unread_and_the_page_marks_them_read(client, make_user):
    user = make_user("mine", "supervisor")
    ids = fill(user, 2)
    token = sign_in(client, "mine")
    home = client.get("/summary").get_data(as_text=True)
    assert 'aria-label="Notifications, 2 unread"' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "Alert 1" in page and "Mark all read" in page
    client.post("/notifications/read", data={"id": ids[0], "csrf_token": token})
    assert 'aria-label="Notifications, 1 unread"' in client.get("/notifications").get_data(
        as_text=True
    )
    client.post("/notifications/read", data={"csrf_token": token})
    page = client.get("/notifications").get_data(as_text=True)
    assert 'aria-label="Notifications, 0 unread"' in page and "Mark all read" not in page


def test_preferences_on_the_account_page_are_saved_audited_and_checked(client, make_user):
    user = make_user("boss", "manager")
    token = sign_in(client, "boss")
    page = client.get("/account").get_data(as_text=True)
    assert "The digest of each production day" in page
    assert "critical or high observation is made in an area I supervise" not in page  # no areas

    bad = client.post("/account/notifications", data={"email": "not an address",
                                                     "csrf_token": token})  # fmt: skip
    assert bad.status_code == 400
    assert "is not an email address" in bad.get_data(as_text=True)
    assert db.session.get(type(user), user.id).email is None

    saved = client.post(
        "/account/notifications",
        data={"email": "boss@plant.example", "mail": ["escalation_observation"],
              "csrf_token": token},
    )  # fmt: skip
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(user), user.id).email == "boss@plant.example"
    choices = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    assert choices == {
        "action_assigned": False, "action_due": False, "escalation_observation": True,
        "escalation_action": False, "daily_digest": False,
    }  # fmt: skip
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.entity == "notification_preferences")
    ).scalar_one()
    assert event.after["daily_digest"] == "inbox" and event.before["daily_digest"] == "email"


def test_the_outbox_page_shows_failed_mail_with_its_error_and_retries_it(
    app, client, make_user, smtp_server
):
    walker = make_user("walker")
    walker.email = "walker@plant.example"
    fill(walker, 2, kind="action_assigned")
    smtp_server.refuse = 1
    Worker(app).send_due()
    admin_user = make_user("root", "admin")
    admin = AdminBrowser(client, admin_user, sign_in(client, "root"))
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "451 Try again later" in page and "Retry now" in page
    failed = db.session.execute(select(OutboxMail).where(OutboxMail.sent_at.is_(None))).scalar_one()
    assert admin.post(f"/admin/outbox/{failed.id}/retry").status_code == 302
    assert Worker(app).send_due() == 1
    assert len(smtp_server.mails) == 2
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "No failed mail." in page and "Alert 0" in page and "Alert 1" in page


def test_the_outbox_page_is_for_admins_alone(client, signed_in):
    signed_in("manager")
    assert client.get("/admin/outbox").status_code == 403


def test_the_inbox_and_outbox_forms_need_the_csrf_token_and_touch_only_what_is_theirs(
    client, make_user, smtp_server
):
    """ "Mark read" without the form's token changes nothing; with it, another user's
    notification stays unread; "Retry now" is for admins alone, token or not."""
    mine, theirs = make_user("mine", "supervisor"), make_user("theirs", "supervisor")
    theirs.email = "theirs@plant.example"
    (mine_id,), (theirs_id,) = fill(mine, 1), fill(theirs, 1)
    token = sign_in(client, "mine")
    assert client.post("/notifications/read", data={"id": mine_id}).status_code == 400
    assert client.post("/notifications/read", data={}).status_code == 400
    form = {"id": theirs_id, "csrf_token": token}
    assert client.post("/notifications/read", data=form).status_code == 302
    assert client.get("/api/v1/notifications").get_json()["unread"] == 1
    sign_in(client, "theirs")
    assert client.get("/api/v1/notifications").get_json()["unread"] == 1
    row = db.session.execute(select(OutboxMail)).scalar_one()
    token = sign_in(client, "theirs")
    retry = client.post(f"/admin/outbox/{row.id}/retry", data={"csrf_token": token})
    assert retry.status_code == 403
    admin = make_user("root", "admin")
    admin_token = sign_in(client, "root")
    assert client.post(f"/admin/outbox/{row.id}/retry").status_code == 400
    assert (
        AdminBrowser(client, admin, admin_token).post(f"/admin/outbox/{row.id}/retry").status_code
        == 302
    )
