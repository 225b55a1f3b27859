"""The phone app's pages: shell, station URL, manifest, service worker (DESIGN §4, §7)."""

import json
import re

import pytest

from floorwalk.security import CONTENT_SECURITY_POLICY
from floorwalk.views.app import build_info

IMMUTABLE = "public, max-age=31536000, immutable"
HASHED_COPY = re.compile(r"/static/dist/assets/[\w.-]+-[A-Z0-9]{8}\.(css|png|svg)")


def test_walk_asks_a_signed_out_visitor_to_sign_in_first(client):
    response = client.get("/walk")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/walk")


def test_a_station_label_url_keeps_its_station_through_sign_in(client):
    response = client.get("/s/PRS-04")
    assert response.status_code == 302
    assert "next=/s/PRS-04" in response.headers["Location"]


def test_the_shell_links_its_manifest_script_and_sync_controls(client, signed_in):
    signed_in()
    html = client.get("/walk").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'name="csrf-token"' in html
    assert re.search(r'src="/static/dist/app-[A-Z0-9]{8}\.js"', html) and 'type="module"' in html
    assert 'role="status"' in html
    assert '<span class="sync-now-words">Sync now</span></button>' in html
    assert "<style" not in html and "style=" not in html and "<script>" not in html


def test_the_shell_is_the_same_page_for_every_station(client, signed_in):
    signed_in()
    assert client.get("/s/PRS-04").status_code == 200
    assert client.get("/s/not%20a%20code").status_code == 404


def test_the_navigation_offers_the_walk(client, signed_in):
    signed_in()
    assert 'href="/walk"' in client.get("/").get_data(as_text=True)


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["start_url"] == "/walk" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.mimetype == "image/png"
        image.close()
    assert manifest["shortcuts"][0]["name"] == "Scan station"


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest", "/walk"])
def test_every_app_answer_sends_the_content_security_policy(client, signed_in, path):
    signed_in()
    response = client.get(path)
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_service_worker_is_revalidated_and_precaches_the_decoder(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    response.close()
    assert "/static/dist/zxing_reader.wasm" in body
    assert re.search(r"/static/dist/app-[A-Z0-9]{8}\.js", body)
    assert "__WB_MANIFEST" not in body


def test_the_service_worker_precaches_the_hashed_css_and_icons_as_they_are(client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    response.close()
    # No revision: Workbox adds no cache-busting query and takes the page's copy.
    precached = re.findall(r'\{"revision":null,"url":"(/static/dist/assets/[^"]+)"\}', body)
    assert {re.sub(r"-[A-Z0-9]{8}\.", ".", url.rsplit("/", 1)[1]) for url in precached} == {
        "app.css",
        "walk.css",
        "icon-192.png",
        "icon-512.png",
        "icon-maskable-512.png",
        "apple-touch-icon.png",
    }
    assert "/static/css/" not in body and "/static/icons/" not in body


def static_links(html: str) -> list[str]:
    return [url for url in re.findall(r'href="(/static/[^"]+)"', html) if not url.endswith(".js")]


def test_the_shell_and_the_manifest_link_hashed_copies_kept_a_year(client, signed_in):
    signed_in()
    shell = static_links(client.get("/walk").get_data(as_text=True))
    assert len(shell) == 4  # icon, apple-touch-icon, app.css, walk.css
    manifest = client.get("/manifest.webmanifest").get_json()
    icons = [icon["src"] for icon in manifest["icons"] + manifest["shortcuts"][0]["icons"]]
    for url in shell + icons:
        assert HASHED_COPY.fullmatch(url), url
        response = client.get(url)
        response.close()
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_other_pages_link_the_hashed_stylesheet_and_favicon(client):
    links = static_links(client.get("/login").get_data(as_text=True))
    assert [HASHED_COPY.fullmatch(url).group(1) for url in links] == ["svg", "css", "png"]


def test_without_a_build_the_pages_link_the_files_themselves(app, client, tmp_path):
    app.static_folder = str(tmp_path)  # a checkout where npm run build never ran
    links = static_links(client.get("/login").get_data(as_text=True))
    assert links == [
        "/static/icons/favicon.svg",
        "/static/css/app.css",
        "/static/icons/apple-touch-icon.png",  # the sign-in page's home-screen icon
    ]


@pytest.mark.parametrize("filename", ["css/app.css", "css/walk.css", "icons/icon-192.png"])
def test_a_hashed_copy_is_kept_a_year_and_the_original_is_revalidated(app, client, filename):
    with client.get("/static/" + build_info(app.static_folder)["assets"][filename]) as copy:
        copied_bytes = copy.get_data()
    with client.get(f"/static/{filename}") as original:
        assert original.get_data() == copied_bytes
    assert copy.headers["Cache-Control"] == IMMUTABLE
    assert original.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/static/dist/zxing_reader.wasm", "/static/dist/build.json"])
def test_built_files_without_a_hash_are_revalidated(client, path):
    response = client.get(path)
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


def test_static_files_neither_set_nor_vary_on_the_session_cookie(app, client, signed_in):
    """A re-signed cookie and ``Vary: Cookie`` would make the browser fetch a file again."""
    signed_in()
    copy = "/static/" + build_info(app.static_folder)["assets"]["css/app.css"]
    for path in (copy, "/static/css/app.css"):
        response = client.get(path)
        response.close()
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    page = client.get("/walk")  # still signed in; pages refresh the cookies as before
    assert page.status_code == 200 and "Set-Cookie" in page.headers


def test_the_sign_in_page_links_the_manifest_so_a_first_visit_can_install(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert client.get("/manifest.webmanifest").status_code == 200
