"""``floorwalk worker`` as real processes (DESIGN §9): each mail delivered once when two
workers run at once, or when one is killed mid-send with SIGKILL and another takes over;
SIGTERM finishes and exits 0. On SQLite and, with FLOORWALK_TEST_DATABASE_URL, PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import OutboxMail
from floorwalk.notifications.inbox import notify

FLOORWALK = str(Path(sys.executable).parent / "floorwalk")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
PATIENCE = 120  # seconds: how long to wait for the workers before giving up (not a timing)


def queue_mails(make_user, count: int) -> None:
    users = [make_user(f"walker{n}") for n in range(count)]
    for n, user in enumerate(users):
        user.email = f"walker{n}@plant.example"
        notify(db.session, user, "action_assigned", f"Action {n}", "Fix it", "/actions", f"a{n}")
    db.session.commit()


def start_worker(database_url, smtp_server, tmp_path, name, lease=60):
    env = {
        **os.environ,
        "FLOORWALK_DATABASE_URL": database_url,
        "FLOORWALK_SMTP_URL": smtp_server.url,
        "FLOORWALK_MAIL_FROM": "floorwalk@plant.example",
        "FLOORWALK_SMTP_TIMEOUT": "30",
        "FLOORWALK_INSTANCE_PATH": str(tmp_path / name),
        "FLOORWALK_SECRET_KEY": "test-secret-key",
    }
    command = [FLOORWALK, "worker", "--tick", "0.2", "--lease", str(lease)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"waited {PATIENCE} s for {what}"
        time.sleep(0.1)


def unsent() -> int:
    db.session.commit()
    rows = db.session.execute(select(OutboxMail.id).where(OutboxMail.sent_at.is_(None)))
    return len(rows.all())


def stop(worker) -> str:
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=PATIENCE)
    assert worker.returncode == 0, output.decode()
    return output.decode()


def test_two_workers_at_once_deliver_each_mail_once(
    app, database_url, make_user, smtp_server, tmp_path
):
    import threading

    queue_mails(make_user, 12)
    # The server holds each send until both workers are sending at once: one worker
    # sends one mail after another, so two held at once are the two racing.
    smtp_server.hold_rcpt = threading.Event()
    workers = [start_worker(database_url, smtp_server, tmp_path, f"w{n}") for n in range(2)]
    try:
        wait_for(lambda: smtp_server.waiting == 2, "both workers to be sending at once")
        smtp_server.hold_rcpt.set()
        wait_for(lambda: unsent() == 0, "every mail to be sent")
    finally:
        outputs = [stop(worker) for worker in workers]
    ids = Counter(mail["Message-ID"] for mail in smtp_server.mails)
    assert len(ids) == 12 and set(ids.values()) == {1}, outputs
    assert sorted(mail["To"] for mail in smtp_server.mails) == sorted(
        f"walker{n}@plant.example" for n in range(12)
    )


def test_a_worker_killed_mid_send_loses_nothing_and_the_next_sends_it_once(
    app, database_url, make_user, smtp_server, tmp_path
):
    import threading

    queue_mails(make_user, 1)
    smtp_server.hold_rcpt = threading.Event()  # the server holds the first send
    first = start_worker(database_url, smtp_server, tmp_path, "first", lease=2)
    try:
        wait_for(smtp_server.rcpt_seen.is_set, "the first worker to start sending")
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    smtp_server.hold_rcpt.set()
    assert unsent() == 1  # the killed send is not lost
    second = start_worker(database_url, smtp_server, tmp_path, "second", lease=2)
    try:
        wait_for(lambda: unsent() == 0, "the second worker to send it")
    finally:
        stop(second)
    (mail,) = smtp_server.mails
    assert mail["To"] == "walker0@plant.example"
    row = db.session.execute(select(OutboxMail)).scalar_one()
    assert row.sent_at is not None and row.claimed_by is None and row.attempts == 0


def test_sigterm_stops_an_idle_worker_with_exit_code_0(app, database_url, smtp_server, tmp_path):
    worker = start_worker(database_url, smtp_server, tmp_path, "idle")
    first_line = worker.stdout.readline().decode()  # it has started: its signals are set
    assert first_line.startswith("floorwalk worker") and "mail through" in first_line
    stop(worker)


def test_sigterm_mid_send_finishes_that_mail_then_exits_0(
    app, database_url, make_user, smtp_server, tmp_path
):
    import threading

    queue_mails(make_user, 2)
    smtp_server.hold_rcpt = threading.Event()
    worker = start_worker(database_url, smtp_server, tmp_path, "busy")
    wait_for(smtp_server.rcpt_seen.is_set, "the worker to start sending")
    worker.send_signal(signal.SIGTERM)
    smtp_server.hold_rcpt.set()
    worker.communicate(timeout=PATIENCE)
    assert worker.returncode == 0
    assert len(smtp_server.mails) == 1  # the one being sent went out; the next waits
    assert unsent() == 1


def test_a_mistyped_mail_server_stops_the_worker_with_a_sentence(app, database_url, tmp_path):
    env = {**os.environ, "FLOORWALK_DATABASE_URL": database_url,
           "FLOORWALK_SMTP_URL": "mail.plant.example:25", "FLOORWALK_MAIL_FROM": "fw@plant.example",
           "FLOORWALK_INSTANCE_PATH": str(tmp_path / "typo")}  # fmt: skip
    done = subprocess.run([FLOORWALK, "worker", "--once"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "FLOORWALK_SMTP_URL must be smtp://host:port" in done.stderr
    assert "Traceback" not in done.stderr
