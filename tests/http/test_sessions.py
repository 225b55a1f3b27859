"""A server-side session per sign-in, the account page, CSRF tokens renewed at sign-in and
sign-out, and `next=` that cannot break a redirect (DESIGN §3, §7)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from floorwalk.accounts import reset_password, set_user_active
from floorwalk.extensions import db
from floorwalk.models import UserSession
from tests.support import PASSWORD, TEST_ITERATIONS, sign_in


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html)[1]


def page_token(client, url="/") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def page_sign_in(client, username, password=PASSWORD, token=None):
    token = token or page_token(client, "/login")
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data)


def signed_in(client) -> bool:
    return client.get("/api/v1/session").status_code == 200


def sessions_of(user) -> list[UserSession]:
    return list(
        db.session.execute(select(UserSession).where(UserSession.user_id == user.id)).scalars()
    )


# CSRF ----------------------------------------------------------------------------------


def test_a_token_read_before_signing_in_on_the_page_is_refused_afterwards(client, make_user):
    make_user("maria")
    before = page_token(client, "/login")
    assert page_sign_in(client, "maria", token=before).status_code == 302
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert signed_in(client)
    after = page_token(client)
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
    assert not signed_in(client)


def test_a_token_read_before_signing_in_through_the_api_is_refused_afterwards(client, make_user):
    make_user("maria")
    before = page_token(client, "/login")
    token = sign_in(client, "maria")
    assert token != before
    refused = client.delete("/api/v1/session", headers={"X-CSRFToken": before})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf"
    assert client.delete("/api/v1/session", headers={"X-CSRFToken": token}).status_code == 200


def test_signing_out_hands_out_a_new_token_and_refuses_the_old_one(client, make_user):
    make_user("maria")
    token = sign_in(client, "maria")
    answer = client.delete("/api/v1/session", headers={"X-CSRFToken": token})
    assert answer.get_json()["csrf_token"] not in (None, token)
    # The signed-out page's form refuses the signed-in token.
    data = {"username": "maria", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 400
    assert page_sign_in(client, "maria").status_code == 302


# One session per sign-in ----------------------------------------------------------------


def test_api_sign_out_ends_this_session_only(app, make_user):
    make_user("maria")
    shared, personal = app.test_client(), app.test_client()
    token = sign_in(shared, "maria")
    sign_in(personal, "maria")
    remember = shared.get_cookie("floorwalk_remember").value
    assert shared.delete("/api/v1/session", headers={"X-CSRFToken": token}).status_code == 200
    assert not signed_in(shared)
    assert signed_in(personal)
    # The shared phone's remember cookie ended with its session.
    replayed = app.test_client()
    replayed.set_cookie("floorwalk_remember", remember)
    assert not signed_in(replayed)


@pytest.mark.parametrize("how", ["api", "page"])
def test_sign_out_of_all_devices_ends_every_session_and_remember_cookie(app, make_user, how):
    maria = make_user("maria")
    make_user("other")
    phone, tablet, colleague = app.test_client(), app.test_client(), app.test_client()
    token = sign_in(phone, "maria")
    sign_in(tablet, "maria")
    sign_in(colleague, "other")
    remember = tablet.get_cookie("floorwalk_remember").value
    if how == "api":
        answer = phone.delete("/api/v1/session?all=1", headers={"X-CSRFToken": token})
    else:
        page = phone.get("/account").get_data(as_text=True)
        assert "Sign out of all devices" in page
        answer = phone.post("/logout/all", data={"csrf_token": csrf_from(page)})
        assert answer.headers["Location"] == "/login"
    assert answer.status_code in (200, 302)
    assert not signed_in(phone) and not signed_in(tablet)
    replayed = app.test_client()
    replayed.set_cookie("floorwalk_remember", remember)
    assert not signed_in(replayed)
    assert signed_in(colleague)
    assert sessions_of(maria) == []


def test_the_account_page_lists_the_users_sessions_by_device_and_app(client, app, make_user):
    make_user("maria")
    make_user("other")
    phone = app.test_client()
    answer = phone.post(
        "/api/v1/session",
        json={"username": "maria", "password": PASSWORD, "device": "0f1e2d3c-aaaa", "app": "1.4.2"},
        headers={"User-Agent": "Shared phone browser"},
    )
    assert answer.status_code == 200
    sign_in(app.test_client(), "other")
    page_sign_in(client, "maria")
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account"' in page  # in the header
    assert "Shared phone browser" in page and "1.4.2" in page and "0f1e2d3c" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 2  # maria's two sessions, not the other user's
    assert "this device" in page


def test_an_unknown_field_or_an_overlong_device_is_refused_at_sign_in(client, make_user):
    make_user("maria")
    body = {"username": "maria", "password": PASSWORD, "device": "x" * 65}
    answer = client.post("/api/v1/session", json=body)
    assert answer.status_code == 400 and "device" in answer.get_json()["error"]["message"]
    assert not signed_in(client)


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, make_user):
    maria = make_user("maria")
    here, elsewhere = app.test_client(), app.test_client()
    page_sign_in(here, "maria")
    sign_in(elsewhere, "maria")
    token = page_token(here, "/account")
    form = {
        "csrf_token": token,
        "current_password": PASSWORD,
        "new_password": "a brand new password",
        "repeat_password": "a brand new password",
    }
    answer = here.post("/account/password", data=form)
    assert answer.status_code == 302
    assert signed_in(here) and not signed_in(elsewhere)
    assert len(sessions_of(maria)) == 1
    assert page_sign_in(app.test_client(), "maria", "a brand new password").status_code == 302


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("current_password", {"current_password": "not my password"}, "not your current password"),
        ("repeat_password", {"repeat_password": "something else entirely"}, "differ"),
        ("new_password", {"new_password": "short", "repeat_password": "short"}, "at least 10"),
    ],
)
def test_a_bad_password_change_says_why_and_changes_nothing(
    app, make_user, field, changes, message
):
    maria = make_user("maria")
    here, elsewhere = app.test_client(), app.test_client()
    page_sign_in(here, "maria")
    sign_in(elsewhere, "maria")
    form = {
        "csrf_token": page_token(here, "/account"),
        "current_password": PASSWORD,
        "new_password": "a brand new password",
        "repeat_password": "a brand new password",
        **changes,
    }
    answer = here.post("/account/password", data=form)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert f'id="{field}-error"' in answer.get_data(as_text=True)
    assert signed_in(here) and signed_in(elsewhere) and len(sessions_of(maria)) == 2
    assert page_sign_in(app.test_client(), "maria").status_code == 302


@pytest.mark.parametrize("change", ["reset", "deactivate"])
def test_an_admin_reset_or_deactivation_ends_every_session(app, make_user, change):
    admin = make_user("boss", role="admin")
    maria = make_user("maria")
    phone, tablet = app.test_client(), app.test_client()
    sign_in(phone, "maria")
    sign_in(tablet, "maria")
    if change == "reset":
        reset_password(db.session, admin, maria, "a brand new password", TEST_ITERATIONS)
    else:
        set_user_active(db.session, admin, maria, False)
    db.session.commit()
    assert not signed_in(phone) and not signed_in(tablet)
    assert sessions_of(maria) == []


def test_last_seen_is_written_at_most_once_a_minute(client, make_user):
    maria = make_user("maria")
    sign_in(client, "maria")
    (row,) = sessions_of(maria)
    first_seen = row.last_seen_at
    for _ in range(3):
        assert signed_in(client)
    db.session.refresh(row)
    assert row.last_seen_at == first_seen  # reads within the minute wrote nothing
    long_ago = first_seen - timedelta(minutes=5)
    db.session.execute(update(UserSession).values(last_seen_at=long_ago, created_at=long_ago))
    db.session.commit()
    assert signed_in(client)
    db.session.refresh(row)
    assert row.last_seen_at > first_seen


# next= ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/summary%0d%0aSet-Cookie:%20x=1", "/%0aadmin", "/a%09b", "/x%7f"]
)
def test_next_with_control_characters_falls_back_to_the_home_page(client, make_user, target):
    make_user("maria")
    page = client.get(f"/login?next={target}")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    data = {"username": "maria", "password": PASSWORD, "csrf_token": token}
    answer = client.post(f"/login?next={target}", data=data)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert client.get(f"/login?next={target}").headers["Location"] == "/"


def test_signing_in_again_on_a_device_replaces_the_session_it_had(client, make_user):
    maria = make_user("maria")
    make_user("other")
    sign_in(client, "maria")
    sign_in(client, "maria")
    assert len(sessions_of(maria)) == 1
    sign_in(client, "other")  # the next person on a shared phone
    assert sessions_of(maria) == []
