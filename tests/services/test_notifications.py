"""Notifications (DESIGN §9): who gets what, one mail per event with a plain-text and an
HTML part and the link to the thing itself, retries, and the timed jobs on a clock the
test controls."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from floorwalk.extensions import db
from floorwalk.models import JobRun, Notification, OutboxMail, Record
from floorwalk.notifications import jobs
from floorwalk.notifications.events import ActionDue, notify_action_assigned
from floorwalk.notifications.inbox import inbox, mark_read, notify
from floorwalk.notifications.outbox import MAX_ATTEMPTS
from floorwalk.notifications.preferences import save_preferences
from floorwalk.notifications.worker import Worker
from floorwalk.settings import set_setting
from floorwalk.summaries.followup import follow_up

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def observe(make_record, author, station, severity="critical", at=NOW, text="Guard missing"):
    data = {"category": "safety", "severity": severity, "text": text}
    return make_record(author, "observation", station, at - timedelta(minutes=1), data, at)


def people(make_user, email=True):
    """A supervisor of the Press Shop, one of Welding, two managers, a coordinator."""
    made = {
        "press": make_user("sup-press", "supervisor", areas=["Press Shop"]),
        "weld": make_user("sup-weld", "supervisor", areas=["Welding"]),
        "boss": make_user("boss", "manager"),
        "boss2": make_user("boss2", "manager"),
        "walker": make_user("walker", "coordinator", areas=["Press Shop"]),
    }
    if email:
        for name, user in made.items():
            user.email = f"{name}@plant.example"
        db.session.commit()
    return made


def kinds_of(user, but=("daily_digest",)) -> list[str]:
    """The kinds of the user's notifications (the daily digest aside, unless asked)."""
    query = select(Notification.kind).where(Notification.user_id == user.id)
    return sorted(kind for kind in db.session.execute(query).scalars() if kind not in but)


def send(app, clock=lambda: NOW + timedelta(minutes=5)):
    worker = Worker(app, clock=clock)
    return worker.send_due()


def test_a_critical_observation_alerts_its_areas_supervisors_with_one_mail_each(
    app, make_user, make_station, make_record, smtp_server
):
    who = people(make_user)
    set_setting(db.session, "public_url", "https://floor.plant.example")
    db.session.commit()
    station = make_station()
    record = observe(make_record, who["walker"], station)
    assert kinds_of(who["press"]) == ["observation_alert"]
    assert kinds_of(who["weld"]) == kinds_of(who["walker"]) == kinds_of(who["boss"]) == []

    assert send(app) == 1
    assert send(app) == 0  # sent once
    (mail,) = smtp_server.mails
    assert mail["To"] == "press@plant.example"
    assert mail["Subject"] == "Critical observation at PRS-04 Transfer press"
    assert mail["Message-ID"].startswith("<floorwalk-outbox-")
    link = (
        f"https://floor.plant.example/summary/observations?day=2026-11-24&status=all#o-{record.id}"
    )
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Guard missing" in plain and link in plain
    assert f'href="{link.replace("&", "&amp;")}"' in html
    row = db.session.execute(select(OutboxMail)).scalar_one()
    assert row.sent_at is not None and row.attempts == 0 and row.claimed_by is None


def test_the_author_and_high_or_lower_severities_are_told_apart(
    app, make_user, make_station, make_record
):
    who = people(make_user, email=False)
    station = make_station()
    observe(make_record, who["press"], station)  # the supervisor's own: no alert to self
    observe(make_record, who["walker"], station, severity="medium")
    assert kinds_of(who["press"]) == []
    observe(make_record, who["walker"], station, severity="high")
    assert kinds_of(who["press"]) == ["observation_alert"]


def test_inbox_only_sends_no_mail_and_without_an_address_neither(
    app, make_user, make_station, make_record, smtp_server
):
    who = people(make_user)
    save_preferences(db.session, who["press"], "press@plant.example", set())
    db.session.commit()
    observe(make_record, who["walker"], make_station())
    assert kinds_of(who["press"]) == ["observation_alert"]
    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 0
    assert send(app) == 0 and smtp_server.mails == []


def test_a_refusing_mail_server_is_retried_with_backoff_then_the_mail_is_delivered(
    app, make_user, make_station, make_record, smtp_server
):
    who = people(make_user)
    smtp_server.refuse = 2
    observe(make_record, who["walker"], make_station())
    send(app, clock=lambda: NOW)
    row = db.session.execute(select(OutboxMail)).scalar_one()
    assert (row.attempts, row.sent_at) == (1, None)
    assert "451" in row.last_error
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert send(app, clock=lambda: NOW + timedelta(seconds=30)) == 0  # not due yet
    send(app, clock=lambda: NOW + timedelta(minutes=1))
    db.session.refresh(row)
    assert row.attempts == 2 and row.next_attempt_at == NOW + timedelta(minutes=3)
    assert send(app, clock=lambda: NOW + timedelta(minutes=3)) == 1
    db.session.refresh(row)
    assert row.sent_at is not None and row.last_error is None
    assert len(smtp_server.mails) == 1


def test_a_mail_server_that_refuses_for_good_is_given_up_and_kept_with_its_error(
    app, make_user, make_station, make_record, smtp_server
):
    who = people(make_user)
    smtp_server.refuse = MAX_ATTEMPTS + 5
    observe(make_record, who["walker"], make_station())
    clock = NOW
    for _ in range(MAX_ATTEMPTS + 2):
        send(app, clock=lambda at=clock: at)
        clock += timedelta(hours=7)
    row = db.session.execute(select(OutboxMail)).scalar_one()
    assert row.attempts == MAX_ATTEMPTS and row.next_attempt_at is None
    assert row.sent_at is None and "451" in row.last_error


def test_a_hanging_mail_server_never_touches_the_push(app, client, make_user, make_station):
    """Sending happens only in the worker: with a mail server that accepts connections and
    never answers, a push stores and queues, and no request ever connects to it."""
    import socket

    from tests.factories import push_body, record
    from tests.support import sign_in

    who = people(make_user)
    make_station()
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(8)
        hanging.setblocking(False)
        port = hanging.getsockname()[1]
        app.config.update(SMTP_URL=f"smtp://127.0.0.1:{port}", MAIL_FROM="fw@plant.example")
        token = sign_in(client, "walker")
        data = {"category": "safety", "severity": "critical", "text": "Fire", "photos": []}
        body = push_body(record(who["walker"], "observation", data=data))
        response = client.post("/api/v1/sync/push", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 200
        assert client.get("/account").status_code == 200
        try:
            hanging.accept()
            connected = True
        except BlockingIOError:
            connected = False
    assert not connected
    assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 1


# Escalation on a controlled clock -----------------------------------------------------


def test_an_unacknowledged_critical_observation_reaches_the_managers_once(
    app, make_user, make_station, make_record, smtp_server
):
    who = people(make_user)
    set_setting(db.session, "escalate_after", "30")
    db.session.commit()
    observe(make_record, who["walker"], make_station(), at=NOW)

    def run(minutes):
        jobs.run_jobs(db.session, NOW + timedelta(minutes=minutes))
        return kinds_of(who["boss"]), kinds_of(who["boss2"])

    assert run(29) == ([], [])
    assert run(30) == (["escalation_observation"], ["escalation_observation"])
    assert run(31) == (["escalation_observation"], ["escalation_observation"])
    send(app, clock=lambda: NOW + timedelta(minutes=32))
    escalations = [m for m in smtp_server.mails if "Not acknowledged" in m["Subject"]]
    assert sorted(m["To"] for m in escalations) == ["boss2@plant.example", "boss@plant.example"]


def test_an_observation_acknowledged_in_time_is_not_escalated(
    app, make_user, make_station, make_record
):
    who = people(make_user, email=False)
    set_setting(db.session, "escalate_after", "15")
    db.session.commit()
    record = observe(make_record, who["walker"], make_station(), at=NOW)
    follow_up(db.session, record, who["press"], "acknowledge", "On it", NOW + timedelta(minutes=10))
    db.session.commit()
    jobs.run_jobs(db.session, NOW + timedelta(minutes=45))
    assert kinds_of(who["boss"]) == []
    assert db.session.get(Record, record.id).status == "acknowledged"


def test_escalate_after_is_a_setting_with_a_clear_refusal(app):
    import pytest

    with pytest.raises(ValueError, match="whole number of minutes from 1 to 1440"):
        set_setting(db.session, "escalate_after", "0")
    with pytest.raises(ValueError, match="whole number"):
        set_setting(db.session, "escalate_after", "ten")


# The daily digest ---------------------------------------------------------------------


def test_each_manager_gets_the_days_digest_once(app, make_user, make_station, make_record):
    who = people(make_user, email=False)
    observe(make_record, who["walker"], make_station(), at=NOW)
    jobs.run_jobs(db.session, NOW)  # the 24th is not over
    assert kinds_of(who["boss"], but=()) == ["daily_digest"]  # the 23rd's
    after = datetime(2026, 11, 25, 6, 1, tzinfo=UTC)  # day_start 06:00 UTC
    jobs.run_jobs(db.session, after)
    jobs.run_jobs(db.session, after + timedelta(hours=3))
    for manager in (who["boss"], who["boss2"]):
        (digest,) = db.session.execute(
            select(Notification).where(
                Notification.user_id == manager.id,
                Notification.kind == "daily_digest",
                Notification.key == "2026-11-24",
            )
        ).scalars()
        assert digest.subject == "Day summary 2026-11-24"
        assert digest.link == "/summary/2026-11-24"
        assert "Observations: 1, 1 still open." in digest.body
    assert kinds_of(who["press"]) == ["observation_alert"]
    runs = db.session.execute(select(JobRun.key).where(JobRun.job == "daily_digest")).scalars()
    assert sorted(runs) == ["2026-11-23", "2026-11-24"]


# Actions: the functions the actions package calls -----------------------------------


def test_action_events_plug_in_with_one_call_each(app, make_user):
    who = people(make_user, email=False)
    walker, press, boss = who["walker"], who["press"], who["boss"]
    assert notify_action_assigned(
        db.session, "a1", "Fix guard", walker, press, date(2026, 11, 25), NOW
    )
    assert (
        notify_action_assigned(
            db.session, "a1", "Fix guard", walker, press, date(2026, 11, 25), NOW
        )
        is None
    )
    assert (
        notify_action_assigned(db.session, "a2", "Mine", press, press, date(2026, 11, 25), NOW)
        is None
    )
    due = ActionDue(
        "a1", "Fix guard", walker, date(2026, 11, 21), tuple(a.id for a in walker.areas)
    )

    def source(session, today):
        return [due]

    db.session.commit()
    made = jobs.action_reminders(db.session, NOW, source)  # the 24th: 3 days late
    assert made == 1 + 1 + 2  # the owner; the Press Shop's supervisor; two managers
    assert kinds_of(walker) == ["action_assigned", "action_due"]
    assert kinds_of(press) == ["escalation_action"]
    assert kinds_of(boss) == ["escalation_action"]
    assert jobs.action_reminders(db.session, NOW + timedelta(minutes=5), source) == 0


# The inbox ----------------------------------------------------------------------------


def test_the_inbox_is_newest_first_and_marking_read_touches_only_ones_own(app, make_user):
    who = people(make_user, email=False)
    for n in range(3):
        notify(db.session, who["press"], "observation_alert", f"S{n}", "b", "/", f"k{n}", NOW)
    notify(db.session, who["weld"], "observation_alert", "Other", "b", "/", "k0", NOW)
    db.session.commit()
    mine = inbox(db.session, who["press"])
    assert mine["unread"] == 3
    assert [n["subject"] for n in mine["notifications"]] == ["S2", "S1", "S0"]
    others = [n["id"] for n in inbox(db.session, who["weld"])["notifications"]]
    assert mark_read(db.session, who["press"], others) == 0
    assert mark_read(db.session, who["press"], [mine["notifications"][0]["id"]]) == 1
    assert inbox(db.session, who["press"])["unread"] == 2
    assert mark_read(db.session, who["press"], None) == 2
    assert inbox(db.session, who["weld"])["unread"] == 1


def test_one_mail_per_event_each_with_both_parts_and_its_link(
    app, make_user, make_station, make_record, smtp_server
):
    """The digest (one per manager) and an assigned action (one to the owner) each
    become one mail with a plain-text and an HTML part that link to the thing itself."""
    who = people(make_user)
    set_setting(db.session, "public_url", "https://floor.plant.example")
    db.session.commit()
    observe(make_record, who["walker"], make_station(), at=NOW, severity="medium")
    notify_action_assigned(db.session, "a9", "Sweep", who["walker"], who["press"],
                           date(2026, 11, 26), NOW)  # fmt: skip
    db.session.commit()
    after = datetime(2026, 11, 25, 6, 1, tzinfo=UTC)
    jobs.run_jobs(db.session, after)
    jobs.run_jobs(db.session, after + timedelta(minutes=1))
    send(app, clock=lambda: after + timedelta(minutes=2))
    send(app, clock=lambda: after + timedelta(minutes=3))
    subjects = sorted((m["To"], m["Subject"]) for m in smtp_server.mails)
    assert subjects == [
        ("boss2@plant.example", "Day summary 2026-11-24"),
        ("boss@plant.example", "Day summary 2026-11-24"),
        ("walker@plant.example", "Action for you: Sweep"),
    ]
    links = {
        "Day summary 2026-11-24": "https://floor.plant.example/summary/2026-11-24",
        "Action for you: Sweep": "https://floor.plant.example/actions/a9",
    }
    for mail in smtp_server.mails:
        link = links[mail["Subject"]]
        assert link in mail.get_body(("plain",)).get_content()
        assert f'href="{link}"' in mail.get_body(("html",)).get_content()
    assert len({m["Message-ID"] for m in smtp_server.mails}) == 3


def test_an_observation_at_no_station_alerts_nobody_but_still_escalates(
    app, make_user, make_record
):
    who = people(make_user, email=False)
    data = {"category": "safety", "severity": "high", "text": "Smoke in the yard"}
    make_record(who["walker"], "observation", None, NOW - timedelta(minutes=1), data, NOW)
    assert kinds_of(who["press"]) == kinds_of(who["weld"]) == []
    jobs.run_jobs(db.session, NOW + timedelta(minutes=30))
    assert kinds_of(who["boss"]) == ["escalation_observation"]
    (note,) = db.session.execute(
        select(Notification).where(Notification.kind == "escalation_observation").limit(1)
    ).scalars()
    assert "no station" in note.subject and "Smoke in the yard" in note.body


# Hostile text and addresses in the worker -------------------------------------------


def test_a_title_with_line_breaks_and_markup_makes_one_safe_mail(app, make_user, smtp_server):
    """An action's title is the phone's text: a line break in it never becomes a header
    of the mail (no Bcc to a stranger), and its markup is text in the HTML part."""
    who = people(make_user)
    title = "Sweep\r\nBcc: thief@evil.example\n<b>now</b>"
    notify_action_assigned(db.session, "a1", title, who["walker"], who["press"],
                           date(2026, 11, 26), NOW)  # fmt: skip
    db.session.commit()
    assert send(app) == 1
    (mail,) = smtp_server.mails
    assert mail["Subject"] == "Action for you: Sweep Bcc: thief@evil.example <b>now</b>"
    assert mail["Bcc"] is None and mail["To"] == "walker@plant.example"
    html = mail.get_body(("html",)).get_content()
    assert "<b>now</b>" not in html and "&lt;b&gt;now&lt;/b&gt;" in html
    (line,) = inbox(db.session, who["walker"])["notifications"]
    assert line["subject"] == "Action for you: Sweep Bcc: thief@evil.example <b>now</b>"


def test_a_mail_that_cannot_be_made_is_given_up_and_the_others_still_go(
    app, make_user, smtp_server
):
    """An address stored before addresses were checked (a line break in it): that mail
    is kept with the reason and given up; everyone else's mail of the tick goes out."""
    who = people(make_user)
    notify(db.session, who["press"], "observation_alert", "First", "b", "/", "k1", NOW)
    notify(db.session, who["weld"], "observation_alert", "Second", "b", "/", "k2", NOW)
    db.session.commit()
    db.session.execute(
        OutboxMail.__table__.update()
        .where(OutboxMail.to_address == "press@plant.example")
        .values(to_address="press@plant.example\r\nBcc: thief@evil.example")
    )
    db.session.commit()
    assert send(app) == 1
    assert [m["To"] for m in smtp_server.mails] == ["weld@plant.example"]
    bad = db.session.execute(
        select(OutboxMail).where(OutboxMail.to_address.like("press%"))
    ).scalar_one()
    assert bad.sent_at is None and bad.next_attempt_at is None and bad.attempts == 1
    assert "the address cannot go in a mail header" in bad.last_error
    assert send(app, clock=lambda: NOW + timedelta(hours=1)) == 0


def test_a_deactivated_user_is_neither_notified_nor_mailed(app, make_user, smtp_server):
    """Only active users are notified: no reminder for a deactivated owner's action, and
    a mail queued before the user was deactivated is not sent."""
    from floorwalk.accounts import set_user_active

    who = people(make_user)
    walker, press, boss = who["walker"], who["press"], who["boss"]
    notify(db.session, press, "observation_alert", "Queued", "b", "/", "k1", NOW)
    set_user_active(db.session, boss, press, False)
    set_user_active(db.session, boss, walker, False)
    db.session.commit()
    due = ActionDue("a1", "Fix guard", walker, date(2026, 11, 25), ())
    jobs.action_reminders(db.session, NOW, lambda session, today: [due])
    assert kinds_of(walker) == []
    assert send(app) == 0
    assert smtp_server.mails == []
    row = db.session.execute(select(OutboxMail)).scalar_one()
    assert row.sent_at is None and row.next_attempt_at is None
    assert "deactivated" in row.last_error
