"""The phone app: its shell at /walk and /s/<code>, its manifest and its service worker.

The shell is the same page for every user and every station (the app reads the path and
draws the rest from IndexedDB), so the service worker can keep one copy for offline use.
"""

import json
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for

from ..accounts import role_required
from ..models import CODE_PATTERN

bp = Blueprint("app", __name__)

APP_NAME = "floorwalk"
THEME_COLOR = "#0b3d91"
BACKGROUND_COLOR = "#0d1117"
# Built files named after a hash of their content: the bundle, its chunks, and the copies
# of the CSS and icons in dist/assets/. Never stale.
HASHED_ASSET = re.compile(r"^/static/dist/(chunks/|assets/)?[\w.-]+-[A-Z0-9]{8}\.(js|css|png|svg)$")


def dist_path(name: str) -> Path:
    return Path(current_app.static_folder) / "dist" / name


@cache
def build_info(static_folder: str) -> dict:
    """What ``npm run build`` wrote next to the bundle: the app version, the bundle's name,
    and the hashed copies of static files (``assets``)."""
    path = Path(static_folder) / "dist" / "build.json"
    if not path.exists():
        return {"version": "unbuilt", "app": "dist/app.js", "assets": {}}
    return json.loads(path.read_text())


@bp.app_template_global()
def asset_url(filename: str) -> str:
    """The URL of a static file: its hashed copy from the build when there is one (cached
    for a year, and reused by the worker's precache), else the file itself."""
    copies = build_info(current_app.static_folder).get("assets", {})
    return url_for("static", filename=copies.get(filename, filename))


def render_shell(code: str = ""):
    info = build_info(current_app.static_folder)
    return render_template(
        "app/walk.html", station_code=code, app_version=info["version"], app_script=info["app"]
    )


@bp.after_app_request
def cache_hashed_assets(response):
    """A hashed file may be kept a year: the service worker's precache then takes it from
    the HTTP cache the page filled a moment before, instead of downloading it twice."""
    if response.status_code == 200 and HASHED_ASSET.match(request.path):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/walk")
@role_required()
def walk():
    return render_shell()


@bp.get("/s/<code>")
@role_required()
def station(code: str):
    """A station's label URL: the app opens that station (offline too, via the worker)."""
    if not re.match(CODE_PATTERN, code):
        abort(404)
    return render_shell(code)


@bp.get("/manifest.webmanifest")
def manifest():
    def icon(name, size, purpose="any"):
        return {
            "src": asset_url(f"icons/{name}"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }

    body = {
        "name": "floorwalk",
        "short_name": APP_NAME,
        "description": "Walk the plant floor: scan stations, log counts, observations, notes.",
        "id": "/walk",
        "start_url": "/walk",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            icon("icon-192.png", 192),
            icon("icon-512.png", 512),
            icon("icon-maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [
            {
                "name": "Scan station",
                "short_name": "Scan",
                "url": "/walk?scan=1",
                "icons": [icon("icon-192.png", 192)],
            }
        ],
    }
    response = current_app.response_class(
        json.dumps(body, indent=1), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The worker from the build; revalidated on every load so that updates show up."""
    path = Path(current_app.config.get("SERVICE_WORKER_FILE") or dist_path("sw.js"))
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
