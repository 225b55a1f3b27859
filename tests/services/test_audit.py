"""Audit inside the verbs: every change to users, settings and the catalog leaves an
event, whoever makes it — an admin page, a CSV import or the command line."""

from sqlalchemy import select

from floorwalk.catalog.csv_io import import_csv
from floorwalk.extensions import db
from floorwalk.models import AuditEvent


def events() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
    return [(e.actor_id, e.action, e.entity, e.entity_key) for e in rows]


def test_users_created_on_the_command_line_are_audited_as_the_command_line(runner):
    result = runner.invoke(
        args=["users", "create", "maria", "--role", "supervisor", "--area", "Paint"],
        input="a good long password\n" * 2,
    )
    assert result.exit_code == 0, result.output
    assert events() == [
        (None, "create", "area", events()[0][3]),
        (None, "create", "user", "maria"),
    ]


def test_settings_set_on_the_command_line_are_audited_with_what_they_moved(runner):
    result = runner.invoke(args=["settings", "set", "shifts", "A=07:00,B=15:00"])
    assert result.exit_code == 0, result.output
    shifts, day_start = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
    assert (shifts.actor_id, shifts.entity_key, shifts.after) == (
        None,
        "shifts",
        {"shifts": "A=07:00,B=15:00"},
    )
    assert (day_start.before, day_start.after) == ({"day_start": "06:00"}, {"day_start": "07:00"})


def test_a_setting_set_to_what_it_is_leaves_no_event(runner):
    runner.invoke(args=["settings", "set", "timezone", "UTC"])
    assert events() == []


def test_an_area_a_station_import_names_is_made_once_and_audited(make_user):
    admin = make_user(role="admin")
    before = len(events())
    rows = "code,name,area,active\nPNT-01,Booth,Paint,yes\nPNT-02,Oven,Paint,yes\n"
    report = import_csv(db.session, "stations", rows.encode(), admin)
    db.session.commit()
    assert not report.errors
    made = [(action, entity) for actor, action, entity, _ in events()[before:] if actor == admin.id]
    assert made == [("create", "area"), ("import", "station"), ("import", "station")]


def test_a_refused_user_names_the_field_it_belongs_to(app):
    from floorwalk.accounts import AccountError, create_user

    for username, password, field in (("bad name", "long enough pw", "username"),
                                      ("fine", "short", "password")):  # fmt: skip
        try:
            create_user(db.session, username, "coordinator", password)
        except AccountError as error:
            assert error.field == field
        else:
            raise AssertionError(f"{username!r}/{password!r} was accepted")
    assert events() == []
