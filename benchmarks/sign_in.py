"""Sign-in cost: one ``POST /api/v1/session`` against the bare PBKDF2 hash it must do.

A whole shift signs in at once, so sign-in should cost little beyond the 600,000
PBKDF2-SHA256 iterations that DESIGN §7 asks for. Run: ``make bench`` or
``.venv/bin/python benchmarks/sign_in.py``.
"""

import hashlib
import os
import statistics
import tempfile
import time

from flask_migrate import upgrade

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db

ROUNDS = 15
PASSWORD = "a long enough password"


def median_seconds(action, rounds=ROUNDS) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"},
            instance_path=folder,
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            create_user(db.session, "walker", "coordinator", PASSWORD)
            db.session.commit()
            iterations = app.config["PASSWORD_ITERATIONS"]
            db.session.remove()
        client = app.test_client()

        def sign_in():
            response = client.post(
                "/api/v1/session", json={"username": "walker", "password": PASSWORD}
            )
            assert response.status_code == 200, response.get_data(as_text=True)

        salt = os.urandom(16)
        bare = median_seconds(
            lambda: hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, iterations)
        )
        endpoint = median_seconds(sign_in)
        with app.app_context():
            db.engine.dispose()
    print(f"sign-in through POST /api/v1/session: {endpoint * 1000:.1f} ms (median of {ROUNDS})")
    print(f"bare PBKDF2-SHA256, {iterations:,} iterations: {bare * 1000:.1f} ms")
    print(f"ratio: {endpoint / bare:.2f}x")


if __name__ == "__main__":
    main()
