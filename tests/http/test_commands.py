"""`floorwalk demo` and `floorwalk serve`."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import func, select

from floorwalk import create_app
from floorwalk.extensions import db
from floorwalk.models import Area, Employee, Metric, Record, Route, Station, User
from tests.support import IsolatedClient


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_app(instance_path):
    app = create_app(
        {
            "SECRET_KEY": "demo-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'demo.sqlite'}",
        },
        instance_path=str(instance_path),
    )
    app.test_client_class = IsolatedClient
    return app


def test_demo_loads_a_plant_whose_users_can_each_sign_in(app, runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    credentials = re.findall(r"^(\w+)\s+(\S+)\s+\((\w+)\)$", result.output, re.MULTILINE)
    assert sorted(role for _, _, role in credentials) == sorted(
        ["coordinator", "supervisor", "manager", "admin"]
    )
    from pathlib import Path

    demo = demo_app(Path(app.instance_path))
    with demo.app_context():
        count = lambda model: db.session.execute(select(func.count(model.id))).scalar_one()  # noqa: E731
        assert count(Area) == 3
        assert 18 <= count(Station) <= 22
        assert count(Employee) == 15
        assert count(Route) == 3
        assert {m.key: m.kind for m in db.session.execute(select(Metric)).scalars()} == {
            "units_completed": "tally",
            "scrap": "tally",
            "material_on_hand": "gauge",
            "headcount": "gauge",
        }
        days = db.session.execute(select(func.count(func.distinct(Record.production_day))))
        assert days.scalar_one() >= 7
        shifts = db.session.execute(select(func.distinct(Record.shift))).scalars().all()
        assert set(shifts) >= {"A", "B", "C"}
        types = set(db.session.execute(select(func.distinct(Record.type))).scalars())
        assert types == {
            "visit",
            "count",
            "observation",
            "employee_note",
            "walk",
            "action",
            "action_update",
        }
        client = demo.test_client()
        for username, password, role in credentials:
            response = client.post(
                "/api/v1/session", json={"username": username, "password": password}
            )
            assert response.status_code == 200, username
            assert response.get_json()["user"]["role"] == role
            client.delete(
                "/api/v1/session", headers={"X-CSRFToken": response.get_json()["csrf_token"]}
            )
        db.session.remove()
        db.engine.dispose()


def test_demo_a_second_time_keeps_the_plant_and_prints_the_same_users(app, runner):
    first = runner.invoke(args=["demo", "--no-serve"])
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    users = lambda out: re.findall(r"^\w+\s+\S+\s+\(\w+\)$", out, re.MULTILINE)  # noqa: E731
    assert users(first.output) == users(second.output)
    from pathlib import Path

    demo = demo_app(Path(app.instance_path))
    with demo.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 4
        db.session.remove()
        db.engine.dispose()
    credentials_file = Path(app.instance_path) / "demo-users.txt"
    assert credentials_file.stat().st_mode & 0o777 == 0o600


def wait_for(url: str, seconds: float = 30) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_runs_gunicorn_workers_on_the_configured_database(app, database_url, tmp_path):
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "FLOORWALK_DATABASE_URL": database_url,
        "FLOORWALK_SECRET_KEY": "serve-test",
        "HOME": str(home),
    }
    env.pop("FLOORWALK_REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "floorwalk.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = wait_for(f"http://127.0.0.1:{port}/healthz")
        assert b'"database":"ok"' in body.replace(b" ", b"")
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "Booting worker" in output
    # No control socket (gunicorn's ~/.gunicorn/gunicorn.ctl) left for others to reach.
    assert list(home.iterdir()) == []


def test_serve_refuses_to_start_with_redis_but_no_secret_key(tmp_path):
    env = {**os.environ, "FLOORWALK_REDIS_URL": "redis://127.0.0.1:6379/0"}
    env.pop("FLOORWALK_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "floorwalk.cli", "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "set FLOORWALK_SECRET_KEY too" in result.stderr
