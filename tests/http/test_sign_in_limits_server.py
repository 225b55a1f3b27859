"""Sign-in limits against a real `floorwalk serve --workers 4` without Redis: failures are
counted across every worker, for known and unknown usernames alike (DESIGN §7)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

# The server and its database fixture are the sync tests' (a fixture is used by name).
from tests.http.test_sync_server import PASSWORD, server_database, serving  # noqa: F401


def attempts(base: str, username: str, how: str, count: int, parallel: int) -> list[int]:
    """The status of ``count`` failed sign-ins sent ``parallel`` at a time."""

    def attempt(_):
        with requests.Session() as client:
            if how == "api":
                body = {"username": username, "password": "wrong password!"}
                return client.post(f"{base}/api/v1/session", json=body, timeout=60).status_code
            page = client.get(f"{base}/login", timeout=60).text
            token = page.split('name="csrf-token" content="')[1].split('"')[0]
            form = {"username": username, "password": "wrong password!", "csrf_token": token}
            return client.post(f"{base}/login", data=form, timeout=60).status_code

    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(attempt, range(count)))


@pytest.mark.parametrize(
    ("username", "how", "parallel"),
    [
        ("walker", "api", 1),  # one after another, each to whichever worker takes it
        ("  WALKER ", "page", 1),  # the account as typed, normalised
        ("nobody-here", "api", 1),  # no such user: the same answers
        ("walker", "api", 8),  # racing on every worker at once
    ],
)
def test_at_most_five_failed_sign_ins_a_minute_reach_the_password_check_on_any_worker(
    server_database,  # noqa: F811
    tmp_path,
    username,
    how,
    parallel,
):
    url, _ = server_database
    with serving(url, tmp_path) as (base, _):
        statuses = attempts(base, username, how, 26, parallel)
        assert sorted(set(statuses)) == [401, 429], statuses
        assert statuses.count(401) == 5, statuses
        if parallel == 1:
            assert statuses[:5] == [401] * 5
        # Even the right password waits now, from page and API alike.
        right = requests.post(
            f"{base}/api/v1/session",
            json={"username": username.strip(), "password": PASSWORD},
            timeout=60,
        )
        assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
