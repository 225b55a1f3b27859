"""Signing in and out, on the /login page and through the session API (DESIGN §3, §6, §7)."""

import re

import pytest
from flask_login import current_user

from floorwalk.accounts import deactivate_user, hash_password, set_password
from floorwalk.extensions import db
from floorwalk.signin import BAD_CREDENTIALS
from tests.support import TEST_ITERATIONS, sign_in

PASSWORD = "correct horse battery"


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html)[1]


def post_login(client, username, password, next_url=None):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def test_login_page_has_the_named_fields_and_button(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="username">Username</label>' in html
    assert '<label for="password">Password</label>' in html
    assert ">Sign in</button>" in html
    assert 'name="csrf_token"' in html


def test_a_user_signs_in_and_lands_on_the_home_page(client, make_user):
    make_user("maria", "supervisor", areas=["Press Shop"])
    response = post_login(client, "maria", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Hello, maria" in home
    assert "supervisor" in home and "Press Shop" in home


def test_usernames_are_matched_without_regard_to_case(client, make_user):
    make_user("Maria")
    assert post_login(client, "mARIA", PASSWORD).status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user):
    make_user("maria")
    unknown = post_login(client, "nobody", PASSWORD)
    wrong = post_login(client, "maria", "wrong password!")
    assert unknown.status_code == wrong.status_code == 401
    assert BAD_CREDENTIALS in unknown.get_data(as_text=True)
    assert BAD_CREDENTIALS in wrong.get_data(as_text=True)
    api_unknown = client.post("/api/v1/session", json={"username": "nobody", "password": "x"})
    api_wrong = client.post("/api/v1/session", json={"username": "maria", "password": "x"})
    assert api_unknown.get_json() == api_wrong.get_json()
    assert api_unknown.status_code == api_wrong.status_code == 401


def test_a_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user("gone")
    deactivate_user(user)
    db.session.commit()
    response = post_login(client, "gone", PASSWORD)
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.get_data(as_text=True)


def test_a_login_form_without_its_csrf_token_is_refused(client, make_user):
    make_user("maria")
    response = client.post("/login", data={"username": "maria", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still signed out


def test_empty_fields_are_named_beside_the_field(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="password-error"' in html and "Missing data for required field." in html


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/admin/", "/admin/"),
        ("/summary?area=2", "/summary?area=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_to_this_site(client, make_user, next_url, location):
    make_user("maria")
    from urllib.parse import quote

    response = post_login(client, "maria", PASSWORD, quote(next_url, safe=""))
    assert response.headers["Location"] == location


def test_pages_send_a_signed_out_visitor_to_login_with_next(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/"


def test_signing_out_on_one_device_leaves_the_users_other_devices_signed_in(app, make_user):
    make_user("maria")
    phone, tablet = app.test_client(), app.test_client()
    post_login(phone, "maria", PASSWORD)
    post_login(tablet, "maria", PASSWORD)
    token = csrf_from(phone.get("/").get_data(as_text=True))
    assert phone.post("/logout", data={"csrf_token": token}).status_code == 302
    assert phone.get("/").status_code == 302
    assert tablet.get("/api/v1/session").status_code == 200


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_a_password_change_or_deactivation_ends_sessions_and_remember_cookies(
    app, make_user, change
):
    user = make_user("maria")
    phone = app.test_client()
    sign_in(phone, "maria")
    remember = phone.get_cookie("floorwalk_remember")
    assert remember is not None
    if change == "password":
        set_password(user, "a brand new password", TEST_ITERATIONS)
    else:
        deactivate_user(user)
    db.session.commit()
    assert phone.get("/api/v1/session").status_code == 401
    # A phone that lost its session cookie but kept the remember cookie is out too.
    fresh = app.test_client()
    fresh.set_cookie("floorwalk_remember", remember.value)
    assert fresh.get("/api/v1/session").status_code == 401


def test_the_remember_cookie_brings_back_a_session_for_30_days(app, make_user):
    make_user("maria")
    phone = app.test_client()
    sign_in(phone, "maria")
    remember = phone.get_cookie("floorwalk_remember")
    assert remember.max_age is None or remember.max_age > 0
    assert 29 * 86400 < (remember.expires.timestamp() - __import__("time").time()) <= 30 * 86400
    browser_restarted = app.test_client()
    browser_restarted.set_cookie("floorwalk_remember", remember.value)
    assert browser_restarted.get("/api/v1/session").get_json()["user"]["username"] == "maria"


def test_plain_http_cookies_are_named_floorwalk_and_not_secure(client, make_user):
    make_user("maria")
    response = client.post("/api/v1/session", json={"username": "maria", "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("floorwalk="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie
    assert any(c.startswith("floorwalk_remember=") for c in cookies)
    assert "Strict-Transport-Security" not in response.headers


def test_under_https_cookies_get_host_prefixed_secure_names_and_hsts(
    make_app, monkeypatch, make_user
):
    make_user("maria")
    monkeypatch.setenv("FLOORWALK_HTTPS", "1")
    client = make_app().test_client()
    response = client.post(
        "/api/v1/session",
        json={"username": "maria", "password": PASSWORD},
        base_url="https://floor.example.com",
    )
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("__Host-floorwalk=", "__Host-floorwalk_remember="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_proxy_hops_make_the_clients_address_and_scheme_count(make_app, monkeypatch, make_user):
    monkeypatch.setenv("FLOORWALK_PROXY_HOPS", "1")
    monkeypatch.setenv("FLOORWALK_HTTPS", "1")
    client = make_app().test_client()
    headers = {
        "X-Forwarded-For": "10.1.2.3",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "floor.example.com",
    }
    # The proxy said https, so the session cookie may carry the __Host- name.
    make_user("maria")
    signed_in = client.post(
        "/api/v1/session", json={"username": "maria", "password": PASSWORD}, headers=headers
    )
    assert any(c.startswith("__Host-floorwalk=") for c in signed_in.headers.getlist("Set-Cookie"))
    # Failed sign-ins are counted per client address: the proxy's own address is not used.
    for _ in range(5):
        client.post(
            "/api/v1/session", json={"username": "maria", "password": "bad"}, headers=headers
        )
    other_client = {**headers, "X-Forwarded-For": "10.9.9.9"}
    blocked = client.post(
        "/api/v1/session", json={"username": "maria", "password": PASSWORD}, headers=headers
    )
    allowed = client.post(
        "/api/v1/session", json={"username": "maria", "password": PASSWORD}, headers=other_client
    )
    assert blocked.status_code == 429
    assert allowed.status_code == 200


def test_five_failed_sign_ins_a_minute_lock_the_account_from_that_address(client, make_user):
    make_user("maria")
    for _ in range(5):
        assert post_login(client, "maria", "wrong password!").status_code == 401
    response = post_login(client, "maria", PASSWORD)  # even the right password waits
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 61
    api = client.post("/api/v1/session", json={"username": "maria", "password": PASSWORD})
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in api.headers


def test_successful_sign_ins_never_count_against_the_limits(client, make_user):
    make_user("maria")
    for _ in range(12):
        assert (
            client.post(
                "/api/v1/session", json={"username": "maria", "password": PASSWORD}
            ).status_code
            == 200
        )


def test_twenty_failures_an_hour_lock_the_account_from_any_address(app, make_user):
    make_user("maria")
    client = app.test_client()
    for attempt in range(20):
        address = f"10.0.0.{attempt // 4}"  # at most 4 a minute from each address
        client.post(
            "/api/v1/session",
            json={"username": "maria", "password": "bad"},
            environ_base={"REMOTE_ADDR": address},
        )
    response = client.post(
        "/api/v1/session",
        json={"username": "maria", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 60


def test_fifty_failures_a_minute_from_one_address_block_that_address(app, make_user):
    make_user("maria")
    client = app.test_client()
    for attempt in range(50):
        client.post("/api/v1/session", json={"username": f"user{attempt}", "password": "bad"})
    response = client.post("/api/v1/session", json={"username": "maria", "password": PASSWORD})
    assert response.status_code == 429


def test_passwords_are_hashed_with_pbkdf2_sha256_and_600000_iterations(app):
    from floorwalk.config import load_config

    assert load_config(app.instance_path)["PASSWORD_ITERATIONS"] >= 600_000
    assert hash_password("a long password").startswith("pbkdf2:sha256:600000$")


def test_session_api_answers_the_user_and_a_csrf_token(client, make_user):
    user = make_user("maria", "supervisor", areas=["Welding", "Assembly"])
    assert client.get("/api/v1/session").status_code == 401
    response = client.post("/api/v1/session", json={"username": "maria", "password": PASSWORD})
    body = response.get_json()
    assert body["user"] == {
        "id": user.id,
        "username": "maria",
        "role": "supervisor",
        "areas": ["Assembly", "Welding"],
    }
    assert body["csrf_token"]
    again = client.get("/api/v1/session").get_json()
    assert again["user"] == body["user"] and again["csrf_token"]


def test_session_api_sign_out_needs_the_csrf_token_and_ends_the_session(client, make_user):
    make_user("maria")
    token = sign_in(client, "maria")
    refused = client.delete("/api/v1/session")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf"
    assert client.delete("/api/v1/session", headers={"X-CSRFToken": token}).status_code == 200
    assert client.get("/api/v1/session").status_code == 401


def test_session_api_takes_only_json(client, make_user):
    make_user("maria")
    response = client.post("/api/v1/session", data={"username": "maria", "password": PASSWORD})
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_an_expired_session_is_told_before_the_csrf_token_is_checked(client):
    response = client.delete("/api/v1/session")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_csrf_tokens_do_not_expire_with_time(client, make_user, monkeypatch):
    import time

    make_user("maria")
    token = sign_in(client, "maria")
    later = time.time() + 3 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.delete("/api/v1/session", headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_users_create_reads_the_password_from_stdin(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "lena",
            "--role",
            "supervisor",
            "--area",
            "Welding",
            "--area",
            "Assembly",
            "--password-stdin",
        ],
        input="a good long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created supervisor lena for Assembly, Welding." in result.output
    body = client.post(
        "/api/v1/session", json={"username": "lena", "password": "a good long password"}
    ).get_json()
    assert body["user"]["areas"] == ["Assembly", "Welding"]


def test_users_create_prompts_twice_when_stdin_is_not_chosen(runner):
    result = runner.invoke(
        args=["users", "create", "lena", "--role", "manager"],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a good long password" not in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["users", "create", "maria", "--role", "coordinator", "--password-stdin"],
            "another password\n",
            "is taken",
        ),
        (
            ["users", "create", "new", "--role", "coordinator", "--password-stdin"],
            "short\n",
            "at least 10 characters",
        ),
        (
            ["users", "create", "has space", "--role", "coordinator", "--password-stdin"],
            "long enough password\n",
            "no spaces",
        ),
        (
            ["users", "create", "new", "--role", "boss", "--password-stdin"],
            "long enough password\n",
            "'boss' is not one of",
        ),
    ],
)
def test_users_create_refuses_bad_input_and_stores_nothing(runner, make_user, args, stdin, message):
    make_user("maria")
    from sqlalchemy import func, select

    from floorwalk.models import User

    before = db.session.execute(select(func.count(User.id))).scalar_one()
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.execute(select(func.count(User.id))).scalar_one() == before


def test_users_create_has_no_password_option():
    from floorwalk.cli.people import create_user_command

    assert not any(
        "password" in p.name and p.name != "password_stdin" for p in create_user_command.params
    )


def test_a_user_without_a_session_has_no_id_to_sign_in_with(app, make_user):
    user = make_user("maria")
    with app.test_request_context():
        assert not current_user.is_authenticated
    assert user.get_id() is None


def test_with_redis_configured_failed_sign_ins_count_across_servers(
    make_app, monkeypatch, make_user, tmp_path
):
    """Two servers of one plant share the limits through Redis (the local server)."""
    import uuid

    from floorwalk.config import load_config

    redis_url = "redis://127.0.0.1:6379/15"
    monkeypatch.setenv("FLOORWALK_REDIS_URL", redis_url)
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == redis_url
    server_a = make_app("a", RATELIMIT_STORAGE_URI=redis_url)
    server_b = make_app("b", RATELIMIT_STORAGE_URI=redis_url)
    username = f"walker-{uuid.uuid4().hex[:8]}"  # keys of earlier runs expire on their own
    make_user(username)
    for server in (server_a, server_b, server_a, server_b, server_a):
        response = server.test_client().post(
            "/api/v1/session", json={"username": username, "password": "wrong"}
        )
        assert response.status_code == 401
    blocked = server_b.test_client().post(
        "/api/v1/session", json={"username": username, "password": PASSWORD}
    )
    assert blocked.status_code == 429
