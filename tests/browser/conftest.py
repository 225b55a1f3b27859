"""The phone app in Debian's Chromium through Playwright.

One browser for the whole session (a fake camera showing a floorwalk station label);
each test gets a live server on a free port and a phone-sized browser context.
"""

import os
import threading
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from tests.support import LABEL_CODE, LABEL_PUBLIC_URL

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
PHONE = {"width": 390, "height": 844}
# A label printed under another host name still opens in place (DESIGN §4).


def label_y4m(path: Path, label, size: tuple[int, int] = (640, 480)) -> Path:
    """A Y4M video of floorwalk's own PNG label, for Chromium's fake camera (grey only)."""
    import io

    from floorwalk.labels import label_png

    image = Image.open(io.BytesIO(label_png(label, module_px=5))).convert("L")
    width, height = size
    frame = Image.new("L", size, 255)
    frame.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma)
    return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    from floorwalk.labels import Label, station_url

    label = Label(LABEL_CODE, "Leak test", "Assembly", station_url(LABEL_PUBLIC_URL, LABEL_CODE))
    video = label_y4m(tmp_path_factory.mktemp("camera") / "label.y4m", label)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={video}"],
        )
        yield browser
        browser.close()


class LiveServer:
    """The app served on 127.0.0.1 from a thread; ``stop`` really takes it off the network
    (what the service worker fetches fails too), ``start`` brings it back on the same port."""

    def __init__(self, app):
        self.app = app
        self.port = 0
        self.server = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.server = None


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized browser context on the live server; returns its first page."""
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, permissions=["camera"], has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))  # an uncaught one fails the test
    yield page
    context.close()
    assert errors == []
