"""The phones that sync (DESIGN §11, Devices): each with its last user, app version,
last contact and pending count, flagged when its unsent records are more than a day old."""

from flask import render_template

from ...extensions import db
from ...models import utcnow
from ...settings import plant_clock
from ...sync.devices import list_devices
from . import bp


@bp.get("/devices")
def devices():
    return render_template(
        "admin/devices.html",
        devices=list_devices(db.session, utcnow()),
        zone=plant_clock(db.session).zone,
    )
