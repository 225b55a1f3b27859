"""Faults a plant meets, against a real `floorwalk serve`: the database connection of a
push killed mid-transaction, PostgreSQL restarted, the photo folder read-only or full,
Redis down. Each checks what the phone sees (a clear error it retries), that the retry
works, and that nothing is lost or doubled.

PostgreSQL faults run on a fresh database of their own (the restart on a throwaway
cluster of this test's, never the shared server); the photo and Redis faults on SQLite,
or on a fresh PostgreSQL database when FLOORWALK_TEST_DATABASE_URL is set.
"""

import glob
import io
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.deploy.conftest import fresh_postgres_database, require, seed_plant
from tests.factories import OBSERVED, counts, push_body
from tests.http.test_sync_server import free_port, kill, phone, serving, stored
from tests.support import TEST_DATABASE_URL

pytestmark = pytest.mark.deploy

REDIS_SERVER = shutil.which("redis-server")


def batch(user_id: int, n: int, size: int = 40) -> dict:
    return push_body(*counts(user_id, size, start=OBSERVED + timedelta(hours=n)))


def post_push(session: requests.Session, token: str, base: str, body: dict):
    return session.post(
        f"{base}/api/v1/sync/push", json=body, headers={"X-CSRFToken": token}, timeout=60
    )


def assert_retryable(answer: requests.Response, status: int, code: str) -> dict:
    """An error the phone shows and retries: the status, the API's JSON shape, and a
    sentence that says what happened."""
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"].endswith(".")
    assert int(answer.headers["Retry-After"]) > 0
    return error


def assert_each_stored_once(url: str, bodies: list[dict]) -> None:
    ids, _ = stored(url)
    sent = {uuid.UUID(record["id"]) for body in bodies for record in body["records"]}
    assert set(ids) == sent, "records lost"
    assert set(ids.values()) == {1}, "records doubled"


def jpeg(color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


def put_photo(session, token, base, photo_id, content):
    return session.put(
        f"{base}/api/v1/photos/{photo_id}", data=content, timeout=60,
        headers={"X-CSRFToken": token, "Content-Type": "image/jpeg"},
    )  # fmt: skip


# PostgreSQL: a push's backend terminated mid-transaction ---------------------------------


def test_a_push_whose_database_connection_is_killed_gets_503_and_its_retry_stores_it_once(
    postgres_url, tmp_path
):
    user_id = seed_plant(postgres_url, tmp_path)
    database = make_url(postgres_url).database
    admin = create_engine(postgres_url, poolclass=NullPool)  # never a pooled one to kill
    bodies = [batch(user_id, n) for n in range(3)]
    try:
        with serving(postgres_url, tmp_path, workers=2) as (base, _):
            walker, token = phone(base, "walker")
            assert post_push(walker, token, base, bodies[0]).status_code == 200

            # Hold the change counter's row so that the next push waits inside its
            # transaction, then end its backend as an admin or a failover would.
            with admin.connect() as holder, holder.begin():
                holder.execute(text("SELECT * FROM sync_state FOR UPDATE"))
                answers = []
                pushing = threading.Thread(
                    target=lambda: answers.append(post_push(walker, token, base, bodies[1]))
                )
                pushing.start()
                killed = terminate_when_waiting(admin, database)
                pushing.join(60)
            assert killed == 1
            assert_retryable(answers[0], 503, "database_unavailable")

            # Every pooled connection of both workers dropped too: the next requests
            # still answer (pool_pre_ping), and the retried push stores its records.
            terminate_all(admin, database)
            assert walker.get(f"{base}/api/v1/sync/pull", timeout=60).status_code == 200
            retried = post_push(walker, token, base, bodies[1])
            assert retried.status_code == 200, retried.text
            assert {r["status"] for r in retried.json()["results"]} == {"created"}
            terminate_all(admin, database)
            assert post_push(walker, token, base, bodies[2]).status_code == 200
    finally:
        admin.dispose()
    assert_each_stored_once(postgres_url, bodies)


def terminate_when_waiting(admin, database: str) -> int:
    """Terminate the backend of ``database`` that waits for a lock; how many were."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with admin.begin() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND wait_event_type = 'Lock'"
                ),
                {"name": database},
            ).all()
        if ended:
            return len(ended)
        time.sleep(0.05)
    raise AssertionError("no push waited for the change counter")


def terminate_all(admin, database: str) -> None:
    with admin.begin() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": database},
        )


# PostgreSQL restarted -------------------------------------------------------------------


class OwnCluster:
    """A throwaway PostgreSQL cluster in a temporary folder on a free port, run by the
    ``postgres`` system user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=major_version)
        require(bool(versions), "no PostgreSQL server programs in /usr/lib/postgresql")
        self.bin = Path(versions[-1]).parent
        self.runner: list[str] = []
        if os.geteuid() == 0:
            require(has_user("postgres"), "running as root without a postgres user to run as")
            require(shutil.which("runuser") is not None, "runuser is not installed")
            self.runner = ["runuser", "-u", "postgres", "--"]
        self.folder = Path(tempfile.mkdtemp(prefix="floorwalk-pg-"))
        if self.runner:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command: str) -> None:
        subprocess.run([*self.runner, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                 "--auth=trust", "--no-sync", "-E", "UTF8")  # fmt: skip

    def pg_ctl(self, *action: str) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off")  # fmt: skip
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                 "-o", options, "-w", "-t", "60", *action)  # fmt: skip

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self.runner, str(self.bin / "pg_ctl"), "-D", str(self.data),
                            "-m", "immediate", "-w", "stop"], capture_output=True)  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def major_version(path: str) -> int:
    return int(Path(path).parts[-3])


def has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def own_cluster():
    cluster = OwnCluster()
    try:
        cluster.init()
        cluster.pg_ctl("start")
        yield cluster
    finally:
        cluster.remove()


def test_the_server_survives_a_postgresql_restart_and_the_phone_s_retry_stores_once(
    own_cluster, tmp_path
):
    url = own_cluster.url
    user_id = seed_plant(url, tmp_path)
    bodies = [batch(user_id, n) for n in range(3)]
    log = tmp_path / "server.log"
    with serving(url, tmp_path, workers=2, log=log) as (base, _):
        walker, token = phone(base, "walker")
        assert post_push(walker, token, base, bodies[0]).status_code == 200

        own_cluster.pg_ctl("-m", "fast", "stop")
        down = post_push(walker, token, base, bodies[1])
        assert_retryable(down, 503, "database_unavailable")
        ready = requests.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("the database does not answer")
        # The driver's words, which the answer leaves out, are in the server's log.
        assert "the database does not answer: connection failed" in log.read_text()

        own_cluster.pg_ctl("start")
        retried = post_push(walker, token, base, bodies[1])  # the phone's retry
        assert retried.status_code == 200, retried.text
        assert {r["status"] for r in retried.json()["results"]} == {"created"}
        own_cluster.pg_ctl("-m", "fast", "restart")  # while idle: no error at all
        assert post_push(walker, token, base, bodies[2]).status_code == 200
        assert walker.get(f"{base}/api/v1/sync/pull", timeout=60).status_code == 200
        assert requests.get(f"{base}/readyz", timeout=30).status_code == 200
    assert_each_stored_once(url, bodies)


# The photo folder read-only or full ------------------------------------------------------


@pytest.fixture
def plant_url(tmp_path):
    """A migrated database with the user walker: SQLite, or a fresh PostgreSQL database
    when the suite runs on PostgreSQL."""
    if TEST_DATABASE_URL:
        with fresh_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'plant.sqlite'}"


@contextmanager
def small_filesystem(path: Path, options: str):
    """A tmpfs mounted at ``path`` (root only: a real full or read-only disk)."""
    path.mkdir()
    require(os.geteuid() == 0, "mounting a small filesystem needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    require(mounted.returncode == 0, f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(folder: Path) -> Path:
    """Write a file until the filesystem is full; the file. Unbuffered, so that closing
    it has nothing left to write (a buffered close hit ENOSPC itself now and then)."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (65536, 4096, 512, 1):  # big blocks, then fill the last bytes
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError:
                pass
    return filler


def test_a_full_photo_folder_refuses_photos_with_507_and_keeps_storing_records(plant_url, tmp_path):
    user_id = seed_plant(plant_url, tmp_path)
    photos = tmp_path / "photos"
    bodies = [batch(user_id, n) for n in range(2)]
    photo_id = uuid.uuid4()
    with (
        small_filesystem(photos, "size=1m,mode=0700"),
        serving(plant_url, tmp_path, workers=2) as (base, _),
    ):
        walker, token = phone(base, "walker")
        filler = fill(photos)
        refused = put_photo(walker, token, base, photo_id, jpeg())
        error = assert_retryable(refused, 507, "insufficient_storage")
        assert "full" in error["message"] and "No space left" in error["message"]
        ready = requests.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503
        assert "No space left on device" in ready.json()["checks"]["photos"]
        assert ready.json()["checks"]["database"] == "ok"
        # Records without photos still store, and pull still answers.
        assert post_push(walker, token, base, bodies[0]).status_code == 200
        assert walker.get(f"{base}/api/v1/sync/pull", timeout=60).status_code == 200
        assert not list(photos.glob("*/*")), "a partial photo file was left behind"

        filler.unlink()  # an admin makes room; the phone sends the photo again
        stored_now = put_photo(walker, token, base, photo_id, jpeg())
        assert stored_now.status_code == 201, stored_now.text
        shown = walker.get(f"{base}/photos/{photo_id}", timeout=60)
        assert Image.open(io.BytesIO(shown.content)).size == (64, 48)
        assert post_push(walker, token, base, bodies[1]).status_code == 200
        assert requests.get(f"{base}/readyz", timeout=30).status_code == 200
    assert_each_stored_once(plant_url, bodies)


def test_a_read_only_photo_folder_refuses_photos_with_503_and_keeps_storing_records(
    plant_url, tmp_path
):
    user_id = seed_plant(plant_url, tmp_path)
    photos = tmp_path / "photos"
    body = batch(user_id, 0)
    with (
        small_filesystem(photos, "size=1m,mode=0700,ro"),
        serving(plant_url, tmp_path, workers=2) as (base, _),
    ):
        walker, token = phone(base, "walker")
        refused = put_photo(walker, token, base, uuid.uuid4(), jpeg())
        error = assert_retryable(refused, 503, "photo_storage_unavailable")
        assert "Read-only file system" in error["message"]
        ready = requests.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503
        assert "Read-only file system" in ready.json()["checks"]["photos"]
        assert post_push(walker, token, base, body).status_code == 200
    assert_each_stored_once(plant_url, [body])


# Redis down -----------------------------------------------------------------------------


@contextmanager
def own_redis():
    """A Redis server of this test's own on a free port (the shared one stays up)."""
    require(REDIS_SERVER is not None, "redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["redis-cli", "-p", str(port), "ping"],
                             capture_output=True).stdout.strip() != b"PONG":  # fmt: skip
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        kill(process)


def test_with_redis_down_sign_in_limits_count_in_the_database_and_nothing_else_breaks(
    plant_url, tmp_path
):
    """docs/security.md ("Redis down"): sign-in keeps working and its limits keep holding,
    counted in the database every server shares; photos and pushes go on."""
    user_id = seed_plant(plant_url, tmp_path)
    body = batch(user_id, 0)
    with (
        own_redis() as (redis_url, redis_process),
        serving(plant_url, tmp_path, workers=2, REDIS_URL=redis_url) as (base, _),
    ):
        walker, token = phone(base, "walker")
        kill(redis_process)  # Redis goes down with the servers running

        ready = requests.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"] == "Redis does not answer a PING"
        again, _ = phone(base, "walker")  # a phone signing in meanwhile
        guesser = requests.Session()
        tries = [
                guesser.post(f"{base}/api/v1/session", timeout=60,
                             json={"username": "walker", "password": "wrong password"})
                for _ in range(6)
            ]  # fmt: skip
        assert [t.status_code for t in tries] == [401] * 5 + [429]
        assert int(tries[-1].headers["Retry-After"]) > 0

        assert post_push(walker, token, base, body).status_code == 200
        photo = put_photo(walker, token, base, uuid.uuid4(), jpeg())
        assert photo.status_code == 201, photo.text
        assert again.get(f"{base}/api/v1/sync/pull", timeout=60).status_code == 200
    assert_each_stored_once(plant_url, [body])
