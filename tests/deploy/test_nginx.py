"""The deployment of docs/deployment.md, run for real: Debian's nginx with deploy/nginx's
configuration (TLS, HTTP/2, body limits, static files) in front of two `floorwalk serve`
processes sharing a fresh PostgreSQL database and Redis, `floorwalk worker` beside them
on the same database mailing through an SMTP server in the test process, and a phone's
session through it.

nginx runs as the current user on free high ports, from a temporary prefix; the
certificate is self-signed for 127.0.0.1 and localhost.
"""

import getpass
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image
from requests.adapters import HTTPAdapter

from tests.deploy.conftest import fresh_postgres_database, redis_url, require, seed_plant
from tests.factories import OBSERVED, action_record, counts, push_body, record, statuses
from tests.http.test_sync_server import FLOORWALK, floorwalk_env, free_port, kill, log_tail, serving
from tests.mailserver import mail_server
from tests.services.test_worker_processes import PATIENCE, wait_for
from tests.support import PASSWORD

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "nginx"
STATIC = ROOT / "floorwalk" / "static"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
YEAR = "public, max-age=31536000, immutable"
MAIL_FROM = "floorwalk@plant.example"
SUPERVISOR_MAIL = "supervisor@plant.example"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


def nginx_config(
    prefix: Path, https_port: int, upstream_ports: list[int], connections: int = 256
) -> Path:
    """deploy/nginx/floorwalk.conf with its @NAME@s filled in, inside a minimal main
    configuration that keeps every file nginx writes under ``prefix``."""
    certificate, key = self_signed_certificate(prefix)
    shutil.copy(DEPLOY / "floorwalk_proxy_params", prefix / "floorwalk_proxy_params")
    values = {
        "@SERVER_NAME@": "127.0.0.1 localhost",
        "@HTTPS_LISTEN@": f"127.0.0.1:{https_port}",
        "@HTTP_LISTEN@": f"127.0.0.1:{free_port()}",
        "@CERTIFICATE@": str(certificate),
        "@CERTIFICATE_KEY@": str(key),
        "@UPSTREAMS@": " ".join(f"server 127.0.0.1:{port};" for port in upstream_ports),
        "@STATIC@": str(STATIC),
        "@PROXY_PARAMS@": str(prefix / "floorwalk_proxy_params"),
    }
    site = (DEPLOY / "floorwalk.conf").read_text()
    for name, value in values.items():
        site = site.replace(name, value)
    unfilled = re.findall(r"^[^#]*(@[A-Z_]+@)", site, re.MULTILINE)
    assert not unfilled, f"placeholders left unfilled: {unfilled}"
    (prefix / "floorwalk.conf").write_text(site)
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    main = prefix / "nginx.conf"
    # As root, nginx would hand its workers to "nobody", who cannot read this prefix.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    main.write_text(f"""
{user}
worker_processes 1;
error_log {prefix}/error.log;
events {{ worker_connections {connections}; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format with_id '$request_id "$request" $status';
    access_log {prefix}/access.log with_id;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {prefix}/floorwalk.conf;
}}
""")
    return main


@contextmanager
def nginx(main: Path, port: int):
    prefix = main.parent
    command = [NGINX, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(main)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [*command, "-g", f"daemon off; pid {prefix}/nginx.pid;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until(lambda: listening(port), process, "nginx")
        yield
    finally:
        kill(process)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(ready, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        assert process.poll() is None, f"{what} stopped while starting"
        assert time.monotonic() < deadline, f"{what} did not start"
        time.sleep(0.1)


class FromAddress(HTTPAdapter):
    """Connects from a given loopback address: a phone of its own on the plant's Wi-Fi."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def phone_from(base: str, address: str, certificate: Path) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify; no proxies
    session.verify = str(certificate)
    # What a browser sends with the app's fetches (Referrer-Policy: same-origin); under
    # HTTPS the CSRF check compares it with the host the proxy passed on.
    session.headers["Referer"] = f"{base}/walk"
    session.mount("https://", FromAddress(address))
    return session


def loopback_address() -> str:
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


@contextmanager
def working(database_url: str, tmp_path: Path, log: Path, **settings: str):
    """`floorwalk worker --tick 1` as systemd runs it, writing to ``log``; on leaving,
    SIGTERM (what `systemctl stop` sends), after which it must exit 0."""
    env = floorwalk_env(database_url, tmp_path, INSTANCE_PATH=str(tmp_path / "worker"), **settings)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [FLOORWALK, "worker", "--tick", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        # Its first line is written once its signal handlers are set.
        wait_until(lambda: "floorwalk worker" in log.read_text(), process, "floorwalk worker")
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            kill(process)
            code = f"nothing in {PATIENCE} s"
    ends = log_tail(log)
    assert code == 0, f"floorwalk worker answered SIGTERM with {code}; its log ends:\n{ends}"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """nginx on a free port in front of two servers, and the worker, for the whole module;
    yields the base URL, the usernames, the coordinator's id, the certificate, the
    servers' log files and the mail server."""
    require(os.path.exists(NGINX), f"{NGINX} is not installed (apt-get install nginx)")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    tmp_path = tmp_path_factory.mktemp("deployment")
    with fresh_postgres_database() as postgres_url:
        yield from deploy(postgres_url, redis_url(), tmp_path)


def deploy(postgres_url: str, redis_url: str, tmp_path: Path):
    """Two servers as systemd runs them (`floorwalk serve`, the same secret key and the
    same photo folder), each writing its log to its own file, nginx in front, and
    `floorwalk worker` beside them; all with one installation's settings, mail through
    the test's SMTP server and nginx's address as the public URL."""
    username = f"walker{uuid.uuid4().hex[:8]}"  # sign-in limits in Redis outlive a run
    supervisor = f"super{uuid.uuid4().hex[:8]}"
    user_id = seed_plant(postgres_url, tmp_path, username, supervisor)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    logs = [tmp_path / f"server{n}.log" for n in range(2)]
    https_port = free_port()
    base = f"https://127.0.0.1:{https_port}"
    with ExitStack() as stack:
        mails = stack.enter_context(mail_server())
        settings = {"REDIS_URL": redis_url, "HTTPS": "1", "PROXY_HOPS": "1",
                    "SMTP_URL": mails.url, "MAIL_FROM": MAIL_FROM, "PUBLIC_URL": base}  # fmt: skip
        bases = [
            stack.enter_context(serving(postgres_url, tmp_path, 2, log, **settings))[0]
            for log in logs
        ]
        main = nginx_config(prefix, https_port, [int(b.rsplit(":", 1)[1]) for b in bases])
        stack.enter_context(nginx(main, https_port))
        stack.enter_context(working(postgres_url, tmp_path, tmp_path / "worker.log", **settings))
        yield {
            "base": base,
            "port": https_port,
            "username": username,
            "user_id": user_id,
            "supervisor": supervisor,
            "certificate": prefix / "cert.pem",
            "logs": logs,
            "mails": mails,
        }


def sign_in(session: requests.Session, base: str, username: str, password=PASSWORD):
    return session.post(
        f"{base}/api/v1/session", json={"username": username, "password": password}, timeout=30
    )


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


def choose_mail_for_observation_alerts(session: requests.Session, base: str) -> None:
    """What a supervisor does on the Account page: gives an address and leaves only
    observation alerts ticked under "By mail"."""
    page = session.get(f"{base}/account", timeout=30)
    assert page.status_code == 200, page.text
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    saved = session.post(
        f"{base}/account/notifications",
        data={"csrf_token": csrf_token, "email": SUPERVISOR_MAIL, "mail": ["observation_alert"]},
        timeout=30,
    )
    assert saved.status_code == 200 and "Notification settings saved." in saved.text, saved.text
    assert f'value="{SUPERVISOR_MAIL}"' in saved.text
    assert 'value="observation_alert" checked' in saved.text
    assert 'value="action_assigned" checked' not in saved.text


def observation(author: int, severity: str, text: str) -> dict:
    data = {"category": "safety", "severity": severity, "text": text, "photos": []}
    return record(author, "observation", data=data)


def mail_link(mail) -> str:
    return re.search(r"Open it: (\S+)", mail.get_body(("plain",)).get_content())[1]


def a_supervisor_is_alerted_once_and_given_an_action(deployment, phone, token, users) -> None:
    """The coordinator's critical observation reaches the Press supervisor in one mail
    from the worker, whose link opens it through nginx; the same push sent again mails
    nothing more. The action the coordinator gives them reaches their inbox, by mail not
    at all: they chose observation alerts alone."""
    base, user_id, mails = deployment["base"], deployment["user_id"], deployment["mails"]
    supervisor = phone_from(base, loopback_address(), deployment["certificate"])
    assert sign_in(supervisor, base, deployment["supervisor"]).status_code == 200
    choose_mail_for_observation_alerts(supervisor, base)

    push = f"{base}/api/v1/sync/push"
    critical = observation(user_id, "critical", "Guard missing on the transfer press")
    body = push_body(critical)
    assert statuses(phone.post(push, json=body, headers=token).json()) == ["created"]
    # The answer was lost on the way: the phone sends the same push again.
    assert statuses(phone.post(push, json=body, headers=token).json()) == ["duplicate"]
    owner = next(user["id"] for user in users if user["username"] == deployment["supervisor"])
    due = (datetime.now(UTC) + timedelta(days=30)).date()  # no reminder comes before it
    action = action_record(user_id, owner, due=due.isoformat())
    later = observation(user_id, "high", "Oil under the press")
    pushed = phone.post(push, json=push_body(action, later), headers=token)
    assert statuses(pushed.json()) == ["created", "created"], pushed.text

    # The worker sends mail in the order it was queued: once the later observation's is
    # here, a mail from the retried push or for the action would be here too.
    wait_for(
        lambda: any(mail_link(m).endswith(f"#o-{later['id']}") for m in mails.to(SUPERVISOR_MAIL)),
        "the worker to mail the later observation",
    )
    first, _later = mails.to(SUPERVISOR_MAIL)
    assert first["Subject"] == "Critical observation at PRS-04 Transfer press"
    link = mail_link(first)
    assert link.startswith(f"{base}/summary/observations?"), link
    assert link.endswith(f"#o-{critical['id']}"), link
    page = supervisor.get(link, timeout=30)
    assert page.status_code == 200, page.text
    assert f'id="o-{critical["id"]}"' in page.text
    assert "Guard missing on the transfer press" in page.text

    inbox = supervisor.get(f"{base}/api/v1/notifications", timeout=30)
    assert inbox.status_code == 200, inbox.text
    notifications = inbox.json()["notifications"]
    assert sorted(n["kind"] for n in notifications) == [
        "action_assigned", "observation_alert", "observation_alert"
    ]  # fmt: skip
    (assigned,) = [n for n in notifications if n["kind"] == "action_assigned"]
    assert assigned["link"] == f"/actions/{action['id']}"


def test_a_phone_walks_a_shift_through_nginx_and_two_servers(deployment):
    base, user_id = deployment["base"], deployment["user_id"]
    phone = phone_from(base, loopback_address(), deployment["certificate"])

    answer = sign_in(phone, base, deployment["username"])
    assert answer.status_code == 200, answer.text
    cookies = answer.raw.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} == {"__Host-floorwalk", "__Host-floorwalk_remember"}
    for cookie in cookies:
        attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path=/", "samesite=lax"} <= attributes, cookie
        assert not any(a.startswith("domain") for a in attributes), cookie
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    token = {"X-CSRFToken": answer.json()["csrf_token"]}

    pulled = phone.get(f"{base}/api/v1/sync/pull", timeout=30)
    assert pulled.status_code == 200, pulled.text
    assert [s["code"] for s in pulled.json()["stations"]] == ["PRS-04"]

    photo_id = str(uuid.uuid4())
    put = phone.put(
        f"{base}/api/v1/photos/{photo_id}", data=jpeg(), timeout=30,
        headers={**token, "Content-Type": "image/jpeg"},
    )  # fmt: skip
    assert put.status_code == 201, put.text

    records = counts(user_id, 50, start=OBSERVED)
    pushed = phone.post(f"{base}/api/v1/sync/push", json=push_body(*records), headers=token)
    assert pushed.status_code == 200, pushed.text
    assert {r["status"] for r in pushed.json()["results"]} == {"created"}
    again = phone.post(f"{base}/api/v1/sync/push", json=push_body(*records), headers=token)
    assert {r["status"] for r in again.json()["results"]} == {"duplicate"}

    photo = phone.get(f"{base}/photos/{photo_id}", timeout=30)
    assert photo.status_code == 200
    assert Image.open(io.BytesIO(photo.content)).size == (64, 48)

    summary = phone.get(f"{base}/api/v1/summary/{OBSERVED.date()}", timeout=30)
    assert summary.status_code == 200, summary.text
    (station,) = summary.json()["stations"]
    assert station["counts"]["units_completed"]["total"] == sum(range(50))

    a_supervisor_is_alerted_once_and_given_an_action(
        deployment, phone, token, pulled.json()["users"]
    )

    # Every request above went through nginx to both servers, round robin.
    for log in deployment["logs"]:
        assert "/api/v1/" in log.read_text(), f"{log.name} served nothing"


def test_nginx_serves_static_files_with_the_right_cache_and_speaks_http2(deployment):
    base = deployment["base"]
    client = phone_from(base, loopback_address(), deployment["certificate"])
    build = json.loads((STATIC / "dist" / "build.json").read_text())
    hashed = next(iter(build["assets"].values()))
    asset = client.get(f"{base}/static/{hashed}", timeout=30)
    assert asset.status_code == 200
    assert asset.headers["Cache-Control"] == YEAR
    assert asset.content == (STATIC / hashed).read_bytes()
    for log in deployment["logs"]:
        assert "/static/" not in log.read_text(), "a static file reached the app"
    bundle = client.get(f"{base}/static/{build['app']}", timeout=30)
    assert bundle.status_code == 200 and bundle.headers["Cache-Control"] == YEAR
    for never_cached in ("/sw.js", "/manifest.webmanifest"):
        answer = client.get(f"{base}{never_cached}", timeout=30)
        assert answer.status_code == 200, never_cached
        assert answer.headers["Cache-Control"] == "no-cache", never_cached

    context = ssl.create_default_context(cafile=str(deployment["certificate"]))
    context.set_alpn_protocols(["h2", "http/1.1"])
    raw = socket.create_connection(("127.0.0.1", deployment["port"]))
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        assert tls.selected_alpn_protocol() == "h2"


def test_a_push_over_5_mb_is_refused_by_nginx_with_a_json_413(deployment):
    base = deployment["base"]
    phone = phone_from(base, loopback_address(), deployment["certificate"])
    answer = sign_in(phone, base, deployment["username"])
    token = {"X-CSRFToken": answer.json()["csrf_token"], "Content-Type": "application/json"}
    too_big = b" " * (5 * 1024 * 1024 + 1)
    refused = phone.post(f"{base}/api/v1/sync/push", data=too_big, headers=token, timeout=60)
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "too_large"
    fits = json.dumps(push_body()).encode() + b" " * (4 * 1024 * 1024)
    accepted = phone.post(f"{base}/api/v1/sync/push", data=fits, headers=token, timeout=60)
    assert accepted.status_code == 200, accepted.text


def test_the_app_sees_each_phones_own_address_through_the_proxy(deployment):
    """Sign-in limits are kept per account and address (in Redis, shared by both
    servers): five failures from one phone block that phone, not a phone beside it, nor
    one that claims the blocked phone's address in its own X-Forwarded-For."""
    base, username, certificate = (deployment[k] for k in ("base", "username", "certificate"))
    blocked_address = loopback_address()
    blocked = phone_from(base, blocked_address, certificate)
    for _ in range(5):
        assert sign_in(blocked, base, username, "wrong password").status_code == 401
    assert sign_in(blocked, base, username).status_code == 429

    beside = phone_from(base, loopback_address(), certificate)
    assert sign_in(beside, base, username).status_code == 200
    spoofing = phone_from(base, loopback_address(), certificate)
    spoofing.headers["X-Forwarded-For"] = blocked_address
    assert sign_in(spoofing, base, username).status_code == 200


def test_each_server_behind_nginx_is_ready_with_redis_and_shared_photos(deployment):
    phone = phone_from(deployment["base"], loopback_address(), deployment["certificate"])
    for _ in deployment["logs"]:  # round robin: one answer from each server
        answer = phone.get(f"{deployment['base']}/readyz", timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["checks"] == {
            "database": "ok", "migrations": "ok", "redis": "ok", "photos": "ok"
        }  # fmt: skip


def test_nginx_gives_each_request_its_id_which_the_servers_log(deployment):
    """nginx's $request_id reaches the app (FLOORWALK_PROXY_HOPS=1 trusts it), comes back
    in X-Request-ID, and names the request's line in the server's log; an id the phone
    sends is replaced, so a phone cannot write into the log."""
    phone = phone_from(deployment["base"], loopback_address(), deployment["certificate"])
    answer = phone.get(
        f"{deployment['base']}/readyz", headers={"X-Request-ID": "chosen-by-a-phone"}, timeout=30
    )
    request_id = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), request_id
    logged = [
        line
        for log in deployment["logs"]
        for line in log.read_text().splitlines()
        if request_id in line
    ]
    assert len(logged) == 1 and "GET /readyz 200" in logged[0]
    # nginx's own id: its access line is written once the answer has gone out, a moment
    # after the phone may have read it.
    access_log = deployment["certificate"].parent / "access.log"
    line = f'{request_id} "GET /readyz HTTP/1.1" 200'
    deadline = time.monotonic() + 30
    while line not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line in access_log.read_text()
    assert not any("chosen-by-a-phone" in log.read_text() for log in deployment["logs"])
