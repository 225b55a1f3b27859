"""Phone app figures (issue 5), each against a bare lower bound measured in the same run.

1. First load of /walk: bytes a phone transfers, gzip-compressed as a compressing proxy
   would send them, without the decoder's .wasm (precached, loaded when the camera opens).
   Bound: the shell document alone.
2. Saving a record offline: median over 50 saves from "Save" to the status showing it
   pending. Bound: one bare IndexedDB put of the same record in the same page.
3. Scan to station: from "Scan station" to the station view, with Chromium's fake camera
   showing a label. Bound: opening the same station by typing its code.
4. Under Chromium's CPU throttling x4 (CDP ``Emulation.setCPUThrottlingRate``, a
   mid-range phone, issue 16): label to station view (bound: the typed code, throttled
   too) and saving the count sheet of four metrics ("Save counts" to the status showing
   them pending; bound: a bare IndexedDB put, throttled too).
5. First load of /walk on a slow network (CDP ``Network.emulateNetworkConditions``:
   1.6 Mbit/s down, 750 kbit/s up, 150 ms latency; a fresh phone, nothing cached): from
   navigating to /walk (signed in) to the first sync's end. Bound: fetching the shell
   document alone over the same network.

Run: ``make bench`` or ``.venv/bin/python benchmarks/app_load.py``.
"""

import gzip
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import qrcode
from flask_migrate import upgrade
from PIL import Image
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from floorwalk import create_app
from floorwalk.accounts import create_user
from floorwalk.extensions import db
from floorwalk.models import Area, Metric, Station, StationMetric

CHROMIUM = "/usr/bin/chromium"
SAVES = 50
SCANS = 5
THROTTLE = 4
SHEET_SAVES = 20
PASSWORD = "bench password 1"  # noqa: S105  (a throwaway user in a temp database)


def y4m(path: Path, text: str, size: int = 480) -> Path:
    image = qrcode.make(text, border=4).get_image().convert("L").resize((360, 360), Image.NEAREST)
    frame = Image.new("L", (size, size), 255)
    frame.paste(image, ((size - 360) // 2, (size - 360) // 2))
    chroma = bytes([128]) * ((size // 2) ** 2 * 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size} H{size} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma)
    return path


class Transferred:
    """WSGI middleware: the gzip size of every answer, the service worker's fetches too."""

    def __init__(self, app):
        self.app = app
        self.sizes: dict[str, list[int]] = {}
        self.counting = False

    def __call__(self, environ, start_response):
        body = b"".join(self.app(environ, start_response))
        path = environ.get("PATH_INFO", "")
        if self.counting and not path.endswith(".wasm"):
            key = f"{environ['REQUEST_METHOD']} {path}"
            self.sizes.setdefault(key, []).append(len(gzip.compress(body, 6)))
        return [body]


def make_plant(tmp: Path):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}",
            "PASSWORD_ITERATIONS": 1_000,
            "PHOTO_DIR": str(tmp / "photos"),
            "RATELIMIT_STORAGE_URI": "memory://",
        },
        instance_path=str(tmp / "instance"),
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        # A station's usual four metrics (issue 16): the count sheet has four fields.
        metrics = [
            Metric(key="units_completed", label="Units completed", unit="pcs", kind="tally"),
            Metric(key="scrap", label="Scrap", unit="pcs", kind="tally"),
            Metric(key="press_counter", label="Press counter", unit="strokes", kind="counter"),
            Metric(key="bins_full", label="Full bins", unit="bins", kind="gauge"),
        ]
        area = Area(name="Press Shop")
        for code in ("PRS-04", "QR-07"):
            station = Station(code=code, name="Transfer press", area=area, active=True)
            station.metrics = [
                StationMetric(
                    metric=metric, position=position, target=250.0 if not position else None
                )
                for position, metric in enumerate(metrics)
            ]
            db.session.add(station)
        create_user(db.session, "bench", "coordinator", PASSWORD, (), 1_000)
        db.session.commit()
    return app


SAVE_ONCE = """async (value) => {
  const status = document.getElementById("sync-status");
  const before = status.textContent;
  document.querySelector('input[name="value"]').value = String(value);
  const changed = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (status.textContent !== before) { observer.disconnect(); resolve(); }
    });
    observer.observe(status, { childList: true, characterData: true, subtree: true });
  });
  const start = performance.now();
  document.querySelector("form.capture").requestSubmit();
  await changed;
  return performance.now() - start;
}"""

BARE_PUT = """async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("bare", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("r", { keyPath: "id" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const times = [];
  for (let i = 0; i < 50; i++) {
    const start = performance.now();
    await new Promise((resolve, reject) => {
      const tx = db.transaction("r", "readwrite");
      tx.objectStore("r").put({ id: crypto.randomUUID(), type: "count", data: { value: i } });
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    times.push(performance.now() - start);
  }
  db.close();
  times.sort((a, b) => a - b);
  return times[25];
}"""

SAVE_SHEET = """async (value) => {
  const status = document.getElementById("sync-status");
  const before = status.textContent;
  for (const input of document.querySelectorAll(".count-sheet input")) input.value = String(value);
  const changed = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (status.textContent !== before) { observer.disconnect(); resolve(); }
    });
    observer.observe(status, { childList: true, characterData: true, subtree: true });
  });
  const start = performance.now();
  document.querySelector("form.count-sheet").requestSubmit();
  await changed;
  return performance.now() - start;
}"""

TIMED_OPEN = """async ([how, code]) => {
  const start = performance.now();
  if (how === "scan") {
    [...document.querySelectorAll("button")].find((b) => b.textContent === "Scan station").click();
  } else {
    document.querySelector('input[name="code"]').value = code;
    document.querySelector("form.open-form").requestSubmit();
  }
  await new Promise((resolve) => {
    const check = () => {
      const h = document.getElementById("station-heading");
      if (h && h.textContent.includes(code)) resolve(); else requestAnimationFrame(check);
    };
    check();
  });
  return performance.now() - start;
}"""


SLOW_NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
SLOW_LOADS = 3
SHELL_FETCH = """async () => {
  const start = performance.now();
  await (await fetch("/walk", { cache: "no-store" })).text();
  return performance.now() - start;
}"""


def slow_first_loads(browser, base: str) -> tuple[list[float], list[float]]:
    """First loads of /walk by a fresh phone on SLOW_NETWORK, and the shell alone."""
    loads, shells = [], []
    for _ in range(SLOW_LOADS):
        context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Username").fill("bench")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        context.new_cdp_session(page).send("Network.emulateNetworkConditions", SLOW_NETWORK)
        start = time.perf_counter()
        page.goto("/walk")
        page.get_by_text("Last sync").wait_for()
        loads.append((time.perf_counter() - start) * 1000)
        shells.append(page.evaluate(SHELL_FETCH))
        context.close()
    return loads, shells


def main() -> int:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        app = make_plant(tmp)
        counter = Transferred(app.wsgi_app)
        app.wsgi_app = counter
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://localhost:{server.server_port}"
        camera = y4m(tmp / "label.y4m", "https://plant.example/s/QR-07")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[
                        "--no-sandbox", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                        f"--use-file-for-fake-video-capture={camera}",
                    ],
                )  # fmt: skip
                context = browser.new_context(
                    viewport={"width": 390, "height": 844}, base_url=base, permissions=["camera"]
                )
                page = context.new_page()
                page.goto("/login?next=/walk")
                page.get_by_label("Username").fill("bench")
                page.get_by_label("Password").fill(PASSWORD)

                counter.counting = True
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/walk")
                page.wait_for_function("() => navigator.serviceWorker.controller !== null")
                page.get_by_text("Last sync").wait_for()
                page.wait_for_function(
                    "async () => (await caches.keys()).some((k) => k.includes('precache'))"
                )
                page.evaluate("async () => { await navigator.serviceWorker.ready; }")
                counter.counting = False
                transferred = counter.sizes
                shell = transferred["GET /walk"][0]
                first_load = sum(map(sum, transferred.values()))
                responses = sum(map(len, transferred.values()))

                slow_loads, slow_shells = slow_first_loads(browser, base)
                bare_put = page.evaluate(BARE_PUT)
                open_typed = [page.evaluate(TIMED_OPEN, ["type", "PRS-04"])]
                server.shutdown()  # offline from here: saves and scans need no server
                server.server_close()
                page.get_by_role("button", name="Add count").click()
                saves = []
                for value in range(SAVES):
                    saves.append(page.evaluate(SAVE_ONCE, value + 1))
                    page.get_by_role("button", name="Add count").click()
                page.get_by_role("button", name="Cancel").click()
                scans = []
                home = page.get_by_label("Station code")
                for _ in range(SCANS):
                    page.get_by_role("button", name="Done").click()
                    home.wait_for()
                    scans.append(page.evaluate(TIMED_OPEN, ["scan", "QR-07"]))
                    page.get_by_role("button", name="Done").click()
                    home.wait_for()
                    open_typed.append(page.evaluate(TIMED_OPEN, ["type", "PRS-04"]))

                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                slow_put = page.evaluate(BARE_PUT)
                slow_saves = []
                for value in range(SHEET_SAVES):
                    slow_saves.append(page.evaluate(SAVE_SHEET, value + 1))
                    # A person types the next values meanwhile: the redraw of this save
                    # is not counted in the next one.
                    page.locator(".count-sheet input").first.wait_for()
                    page.wait_for_timeout(500)
                slow_scans, slow_typed = [], []
                for _ in range(SCANS):
                    page.get_by_role("button", name="Done").click()
                    home.wait_for()
                    slow_scans.append(page.evaluate(TIMED_OPEN, ["scan", "QR-07"]))
                    page.get_by_role("button", name="Done").click()
                    home.wait_for()
                    slow_typed.append(page.evaluate(TIMED_OPEN, ["type", "PRS-04"]))
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                browser.close()
        finally:
            with app.app_context():
                db.engine.dispose()

    save = statistics.median(saves)
    scan = statistics.median(scans)
    typed = statistics.median(open_typed)
    print(
        f"first load of /walk without .wasm: {first_load / 1024:.1f} KiB gzip "
        f"({responses} responses; goal <= 100 KB) "
        f"= {first_load / shell:.1f} x the shell document alone ({shell / 1024:.1f} KiB)"
    )
    twice = sorted(key for key, sizes in transferred.items() if len(sizes) > 1)
    print(f"  fetched more than once: {', '.join(twice) or 'nothing'}")
    print(
        f"offline save, median of {SAVES}: {save:.1f} ms (goal <= 50 ms) "
        f"= {save / bare_put:.1f} x a bare IndexedDB put ({bare_put:.2f} ms)"
    )
    print(
        f"scan to station, median of {SCANS}: {scan:.0f} ms (first {scans[0]:.0f} ms; "
        f"goal < 1000 ms) = {scan / typed:.1f} x opening by typed code ({typed:.0f} ms)"
    )
    sheet, put4 = statistics.median(slow_saves), slow_put
    scan4, typed4 = statistics.median(slow_scans), statistics.median(slow_typed)
    print(
        f"CPU x{THROTTLE}: saving the count sheet, median of {SHEET_SAVES}: {sheet:.1f} ms "
        f"(goal <= 50 ms) = {sheet / put4:.1f} x a bare IndexedDB put ({put4:.2f} ms)"
    )
    print(
        f"CPU x{THROTTLE}: label to station, median of {SCANS}: {scan4:.0f} ms (goal <= 500 ms) "
        f"= {scan4 / typed4:.1f} x opening by typed code ({typed4:.0f} ms)"
    )
    slow, shell_slow = statistics.median(slow_loads), statistics.median(slow_shells)
    print(
        f"slow network (1.6 Mbit/s, 150 ms): first load of /walk to the first sync's end, "
        f"median of {SLOW_LOADS}: {slow:.0f} ms (goal <= 3000 ms) "
        f"= {slow / shell_slow:.1f} x fetching the shell alone ({shell_slow:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
