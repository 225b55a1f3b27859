"""The operations pages: the phones that sync (DESIGN §11, Devices), flagged when their
unsent records are more than a day old, and the mail outbox (DESIGN §9): waiting, failed
with the last error, sent in the last 7 days; "Retry now" makes a failed mail due at once.
Both show their times in plant time."""

from flask import flash, redirect, render_template, url_for

from ...extensions import db
from ...models import utcnow
from ...notifications.mail import mail_enabled
from ...notifications.outbox import outbox_view, retry_now
from ...settings import plant_clock
from ...sync.devices import list_devices
from . import bp


def in_plant_time(template: str, **context) -> str:
    """The page, given the plant's time zone (``zone``) its times are shown in."""
    return render_template(template, zone=plant_clock(db.session).zone, **context)


@bp.get("/devices")
def devices():
    return in_plant_time("admin/devices.html", devices=list_devices(db.session, utcnow()))


@bp.get("/outbox")
def outbox():
    view = outbox_view(db.session, utcnow())
    return in_plant_time("admin/outbox.html", view=view, mail_configured=mail_enabled())


@bp.post("/outbox/<int:outbox_id>/retry")
def retry_mail(outbox_id: int):
    if retry_now(db.session, outbox_id, utcnow()):
        db.session.commit()
        flash("The mail is due again: the worker sends it on its next tick.", "success")
    else:
        flash("No unsent mail has that number (it may have been sent meanwhile).", "error")
    return redirect(url_for(".outbox"))
