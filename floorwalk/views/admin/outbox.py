"""The outbox (DESIGN §9): mails waiting, failed with their last error, and sent in
the last 7 days; "Retry now" makes a failed mail due at once."""

from flask import flash, redirect, render_template, url_for

from ...extensions import db
from ...models import utcnow
from ...notifications.mail import mail_enabled
from ...notifications.outbox import outbox_view, retry_now
from ...settings import plant_clock
from . import bp


@bp.get("/outbox")
def outbox():
    return render_template(
        "admin/outbox.html",
        view=outbox_view(db.session, utcnow()),
        zone=plant_clock(db.session).zone,
        mail_configured=mail_enabled(),
    )


@bp.post("/outbox/<int:outbox_id>/retry")
def retry_mail(outbox_id: int):
    if retry_now(db.session, outbox_id, utcnow()):
        db.session.commit()
        flash("The mail is due again: the worker sends it on its next tick.", "success")
    else:
        flash("No unsent mail has that number (it may have been sent meanwhile).", "error")
    return redirect(url_for(".outbox"))
