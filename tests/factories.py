"""Factories: rows, users and records made the way the app makes them, and push bodies
as a phone sends them. Registered as fixtures by conftest.py (``make_user(...)``)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from floorwalk import catalog
from floorwalk.accounts import create_user
from floorwalk.catalog import ensure_area
from floorwalk.extensions import db
from floorwalk.models import Station
from tests.support import TEST_ITERATIONS, AdminBrowser, sign_in

# Factories ----------------------------------------------------------------------------


@pytest.fixture
def make_user(app):
    def make(username=None, role="coordinator", password="correct horse battery", areas=()):
        user = create_user(
            db.session,
            username or f"{role}-{uuid.uuid4().hex[:6]}",
            role,
            password,
            areas,
            TEST_ITERATIONS,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_station(app):
    def make(code="PRS-04", name="Transfer press", area="Press Shop", active=True):
        area_row = ensure_area(db.session, area)
        station = Station(code=code, name=name, area=area_row, active=active)
        db.session.add(station)
        db.session.commit()
        return station

    return make


@pytest.fixture
def make_route(app):
    def make(name="Press walk", codes=(), area=None):
        stations = [
            db.session.execute(select(Station).where(Station.code == code)).scalar_one()
            for code in codes
        ]
        route = catalog.save_route(db.session, None, None, {"name": name, "area": area}, stations)
        db.session.commit()
        return route

    return make


@pytest.fixture
def signed_in(client, make_user):
    """A client signed in as a new user of ``role``; returns (user, csrf_token)."""

    def sign(role="coordinator", areas=()):
        user = make_user(role=role, areas=areas)
        return user, sign_in(client, user.username)

    return sign


# Admin pages, CSV import and labels (issue 3) ------------------------------------------


@pytest.fixture
def admin(client, signed_in):
    user, token = signed_in("admin")
    return AdminBrowser(client, user, token)


# Sync: push, pull, photos -------------------------------------------------------------


@pytest.fixture
def make_metric(app):
    from floorwalk.models import Metric

    def make(key="units_completed", kind="tally", label=None, unit="pcs"):
        metric = db.session.execute(select(Metric).where(Metric.key == key)).scalar_one_or_none()
        if metric is None:
            metric = Metric(
                key=key, label=label or key.replace("_", " ").capitalize(), unit=unit, kind=kind
            )
            db.session.add(metric)
            db.session.commit()
        return metric

    return make


@pytest.fixture
def make_employee(app):
    def make(badge="E1001", name="Maria Gonzalez", area="Press Shop", active=True):
        from floorwalk.models import Employee

        area_row = ensure_area(db.session, area)
        employee = Employee(badge=badge, name=name, area=area_row, active=active)
        db.session.add(employee)
        db.session.commit()
        return employee

    return make


# Summaries: records stored the way a push stores them ---------------------------------


@pytest.fixture
def make_record(app):
    """A record stored through the push a phone reaches (``apply_push``), so tests read
    rows as a push stores them; returns the stored Record.

    ``station`` is a Station (or None); ``data`` as DESIGN §3 gives it per type. The push
    is received at ``received_at`` (default now) and sent then too: no clock correction,
    so the record is observed at ``observed_at`` as given.
    """
    from floorwalk.models import Record, utcnow
    from floorwalk.sync.push import apply_push

    def make(author, type_, station, observed_at, data=None, received_at=None, deleted=False):
        data = dict(data or {})
        if type_ == "observation":
            data.setdefault("photos", [])
        body = record(author, type_, station=station.code if station else None, data=data,
                      observed_at=observed_at)  # fmt: skip
        if deleted:
            body["deleted"] = True
        now = received_at or utcnow()
        (result,) = apply_push(db.session, author, {"sent_at": now, "records": [body]}, now)
        assert result["status"] == "created", result
        db.session.commit()
        return db.session.get(Record, uuid.UUID(body["id"]))

    return make


@pytest.fixture
def plant(make_station, make_metric, make_employee):
    """A station PRS-04 (Press Shop), the metric units_completed, the employee E1001."""
    return {
        "station": make_station(),
        "metric": make_metric(),
        "employee": make_employee(),
    }


@pytest.fixture
def summary_plant(make_user, make_station, make_metric, make_record):
    """The summary scenario of tests/summary_plant.py, whose figures are known by hand."""
    from tests.summary_plant import build_plant

    return build_plant(make_user, make_station, make_metric, make_record)


# Push bodies ----------------------------------------------------------------------


OBSERVED = datetime(2026, 11, 24, 14, 3, 12, 345000, tzinfo=UTC)


def stamp(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds")


def record(
    author,
    type_="count",
    version=1,
    record_id=None,
    station="PRS-04",
    data=None,
    observed_at=OBSERVED,
    **fields,
) -> dict:
    """One record of a push; a count of 40 units at PRS-04 unless told otherwise."""
    if data is None:
        data = {
            "visit": {},
            "count": {"metric": "units_completed", "value": 40},
            "observation": {
                "category": "safety",
                "severity": "high",
                "text": "Oil on floor",
                "photos": [],
            },
            "employee_note": {"employee": "E1001", "kind": "recognition", "text": "Good catch"},
            "walk": {"started_at": stamp(observed_at)},
        }[type_]
    body = {
        "id": str(record_id or uuid.uuid4()),
        "type": type_,
        "station": None if type_ == "walk" else station,
        "author": getattr(author, "id", author),
        "version": version,
        "observed_at": stamp(observed_at),
        "walk": None,
        "data": data,
    }
    body.update(fields)
    return body


def push_body(*records, sent_at=None, **envelope) -> dict:
    body = {"device": str(uuid.uuid4()), "app": "1.0.0", "schema": 1, "records": list(records)}
    if sent_at is not None:
        body["sent_at"] = stamp(sent_at)
    body.update(envelope)
    return body


def counts(author, n, start=OBSERVED) -> list[dict]:
    return [
        record(
            author,
            data={"metric": "units_completed", "value": i},
            observed_at=start + timedelta(seconds=i),
        )
        for i in range(n)
    ]


def statuses(answer) -> list[str]:
    return [result["status"] for result in answer["results"]]


# A station's ordered metrics -------------------------------------------------------

LISTED = ("units_completed", "scrap", "material_on_hand")


@pytest.fixture
def listed(make_station, make_metric):
    """PRS-04 listing units_completed, scrap, material_on_hand in that order (LISTED)."""
    station = make_station()
    for key in LISTED:
        metric = make_metric(key, kind="gauge" if key == "material_on_hand" else "tally")
        catalog.set_station_metric(db.session, None, station, metric, 10.0, None)
    db.session.commit()
    return station


# Actions (DESIGN §9) ----------------------------------------------------------------


@pytest.fixture
def action_people(make_user, plant, make_station):
    """Who works on actions: a coordinator walking Press Shop (PRS-04), the owner she
    gives actions to, Press Shop's supervisor, Welding's (WLD-01), a manager and another
    coordinator."""
    make_station("WLD-01", "Welder", "Welding")
    return {
        "walker": make_user("walker"),
        "owner": make_user("owner"),
        "supervisor": make_user("press-lead", "supervisor", areas=["Press Shop"]),
        "elsewhere": make_user("weld-lead", "supervisor", areas=["Welding"]),
        "manager": make_user("manager", "manager"),
        "other": make_user("other"),
    }


def action_record(
    author, owner, due="2026-11-27", station="PRS-04", observed_at=OBSERVED, **data
) -> dict:
    """A new action as a phone sends it: high priority, due on the 27th, at PRS-04."""
    body = {"title": "Clean the oil under the press", "owner": getattr(owner, "id", owner),
            "due": due, "priority": "high", **data}  # fmt: skip
    return record(author, "action", station=station, data=body, observed_at=observed_at)


def action_update(author, action, observed_at=OBSERVED, **data) -> dict:
    """An update of ``action`` (a record body or its id) as a phone sends it."""
    action_id = action["id"] if isinstance(action, dict) else str(action)
    return record(author, "action_update", station=None, observed_at=observed_at,
                  data={"action": action_id, **data})  # fmt: skip
