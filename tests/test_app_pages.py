"""The phone app's pages: shell, station URL, manifest, service worker (DESIGN §4, §7)."""

import json
import re

import pytest

from floorwalk.security import CONTENT_SECURITY_POLICY


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
    assert 'role="status"' in html and ">Sync now</button>" in html
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
    assert re.search(r"/static/dist/app-[A-Z0-9]{8}\.js", body) and "/static/css/walk.css" in body
    assert "__WB_MANIFEST" not in body
