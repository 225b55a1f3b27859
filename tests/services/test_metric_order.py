"""A station's metrics in the order an admin sets (up/down one place, like route stops):
the order the phone's station view, the daily summary and the station history show."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from floorwalk import catalog
from floorwalk.catalog import CatalogError
from floorwalk.catalog.csv_io import import_csv
from floorwalk.extensions import db
from floorwalk.models import AuditEvent, Metric, Route, RouteStop, Station, StationMetric
from floorwalk.summaries.day import daily_summary
from floorwalk.summaries.trend import station_history
from floorwalk.sync.pull import pull
from tests.factories import LISTED
from tests.support import sign_in

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
KEYS = LISTED


def metric(key: str) -> Metric:
    return db.session.execute(select(Metric).where(Metric.key == key)).scalar_one()


def stored_order(code="PRS-04") -> list[tuple[int, str]]:
    """(position, key) as the database holds them, read afresh."""
    return list(
        db.session.execute(
            select(StationMetric.position, Metric.key)
            .join(Metric, Metric.id == StationMetric.metric_id)
            .join(Station, Station.id == StationMetric.station_id)
            .where(Station.code == code)
            .order_by(StationMetric.position)
        ).all()
    )


def order_everywhere(user) -> dict[str, list[str]]:
    """The station's metric order as the summary, the history and a full pull report it."""
    station = catalog.station_by_code(db.session, "PRS-04")
    (summary_station,) = daily_summary(db.session, DAY, user, now=NOW)["stations"]
    history = station_history(db.session, station, DAY)
    (pulled,) = pull(db.session, user, None, NOW)["stations"]
    return {
        "summary": list(summary_station["counts"]),
        "history": [series["metric"].key for series in history["series"]],
        "pull": [entry["metric"] for entry in pulled["metrics"]],
    }


def reorder_events() -> list[AuditEvent]:
    return list(
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "reorder")).scalars()
    )


# Service -------------------------------------------------------------------------------


def test_moving_a_metric_changes_the_order_summary_history_and_pull_report(listed, make_user):
    manager = make_user(role="manager")
    assert order_everywhere(manager) == dict.fromkeys(("summary", "history", "pull"), list(KEYS))
    catalog.move_station_metric(db.session, None, listed, metric("material_on_hand"), -1)
    db.session.commit()
    moved_up = ["units_completed", "material_on_hand", "scrap"]
    assert order_everywhere(manager) == dict.fromkeys(("summary", "history", "pull"), moved_up)
    catalog.move_station_metric(db.session, None, listed, metric("units_completed"), +1)
    db.session.commit()
    moved_down = ["material_on_hand", "units_completed", "scrap"]
    assert order_everywhere(manager) == dict.fromkeys(("summary", "history", "pull"), moved_down)
    assert stored_order() == list(enumerate(moved_down))


def test_a_move_reaches_phones_through_pull(listed, make_user):
    coordinator = make_user()
    cursor = pull(db.session, coordinator, None, NOW)["cursor"]
    db.session.commit()
    seq = listed.change_seq
    catalog.move_station_metric(db.session, None, listed, metric("scrap"), +1)
    db.session.commit()
    assert listed.change_seq > seq
    delta = pull(db.session, coordinator, cursor, NOW)
    assert delta["full"] is False
    assert [s["code"] for s in delta["stations"]] == ["PRS-04"]
    (station,) = delta["stations"]
    assert [m["metric"] for m in station["metrics"]] == [
        "units_completed",
        "material_on_hand",
        "scrap",
    ]


@pytest.mark.parametrize(
    ("key", "step", "message"),
    [
        ("units_completed", -1, "units_completed is already first, so it cannot move up."),
        ("material_on_hand", +1, "material_on_hand is already last, so it cannot move down."),
    ],
)
def test_a_move_off_either_end_is_refused_and_changes_nothing(listed, key, step, message):
    seq = listed.change_seq
    with pytest.raises(CatalogError, match=message):
        catalog.move_station_metric(db.session, None, listed, metric(key), step)
    db.session.commit()
    db.session.expire_all()
    assert stored_order() == list(enumerate(KEYS))
    assert db.session.get(Station, listed.id).change_seq == seq
    assert reorder_events() == []


def test_moving_a_metric_the_station_does_not_list_is_refused(listed, make_metric):
    headcount = make_metric("headcount", kind="gauge")
    with pytest.raises(CatalogError, match="headcount is not listed at PRS-04"):
        catalog.move_station_metric(db.session, None, listed, headcount, -1)


def test_a_move_is_audited_with_the_order_before_and_after(listed, make_user):
    admin = make_user(role="admin")
    catalog.move_station_metric(db.session, admin, listed, metric("scrap"), -1)
    db.session.commit()
    (event,) = reorder_events()
    assert (event.actor_id, event.entity, event.entity_key) == (admin.id, "station", "PRS-04")
    assert event.before == {"metrics": list(KEYS)}
    assert event.after == {"metrics": ["scrap", "units_completed", "material_on_hand"]}


def test_positions_stay_dense_and_unique_after_moves_removals_and_imports(listed, make_metric):
    for key in ("headcount", "downtime_minutes"):
        make_metric(key)
    catalog.remove_station_metric(db.session, None, listed.metrics[0])
    db.session.commit()
    assert stored_order() == [(0, "scrap"), (1, "material_on_hand")]
    csv = (
        "station,metric,target,min_level\n"
        "PRS-04,headcount,,2\n"
        "PRS-04,scrap,5,\n"  # an update keeps its place
        "PRS-04,downtime_minutes,,\n"
    )
    assert import_csv(db.session, "targets", csv.encode(), None).stored
    db.session.commit()
    assert stored_order() == [
        (0, "scrap"),
        (1, "material_on_hand"),
        (2, "headcount"),
        (3, "downtime_minutes"),
    ]
    catalog.move_station_metric(db.session, None, listed, metric("downtime_minutes"), -1)
    # The loaded list follows at once, so that a later change in the same request sees it.
    shown = ["scrap", "material_on_hand", "downtime_minutes", "headcount"]
    assert [entry.metric.key for entry in listed.metrics] == shown
    catalog.remove_station_metric(db.session, None, listed.metrics[2])
    db.session.commit()
    assert stored_order() == [(0, "scrap"), (1, "material_on_hand"), (2, "headcount")]


def test_a_route_stop_moves_by_the_same_rules(make_station):
    stations = [make_station(code, f"Station {code}") for code in ("A-1", "A-2", "A-3")]
    route = catalog.save_route(db.session, None, None, {"name": "Press walk"}, stations)
    db.session.commit()
    with pytest.raises(CatalogError, match="A-1 is already first, so it cannot move up."):
        catalog.move_route_stop(db.session, None, route, 0, -1)
    with pytest.raises(CatalogError, match="no place 4 any more; reload the page"):
        catalog.move_route_stop(db.session, None, route, 3, -1)
    catalog.move_route_stop(db.session, None, route, 1, +1)
    db.session.commit()
    db.session.expire_all()
    stops = db.session.execute(
        select(RouteStop.position, Station.code)
        .join(Station, Station.id == RouteStop.station_id)
        .order_by(RouteStop.position)
    ).all()
    assert stops == [(0, "A-1"), (1, "A-3"), (2, "A-2")]
    (event,) = reorder_events()
    assert (event.entity, event.entity_key) == ("route", str(route.id))
    assert (event.before, event.after) == (
        {"stations": ["A-1", "A-2", "A-3"]},
        {"stations": ["A-1", "A-3", "A-2"]},
    )


# Pages ---------------------------------------------------------------------------------


def move_url(key: str, direction: str) -> str:
    return f"/admin/stations/PRS-04/metrics/{metric(key).id}/{direction}"


def labels_in_page_order(html: str) -> list[str]:
    """The metric labels as the edit page lists them (each row's legend)."""
    found = []
    for m in db.session.execute(select(Metric)).scalars():
        if f"<legend>{m.label} " in html:
            found.append((html.index(f"<legend>{m.label} "), m.key))
    return [key for _, key in sorted(found)]


def test_the_edit_page_shows_the_new_order(admin, listed):
    page = admin.get("/admin/stations/PRS-04").get_data(as_text=True)
    assert labels_in_page_order(page) == list(KEYS)
    assert 'aria-label="Move Units completed up">↑' in page
    response = admin.post(move_url("material_on_hand", "up"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/stations/PRS-04#metric-material_on_hand")
    page = admin.get("/admin/stations/PRS-04").get_data(as_text=True)
    assert labels_in_page_order(page) == ["units_completed", "material_on_hand", "scrap"]
    assert 'form="move-scrap-down" class="button" disabled' in page
    assert 'form="move-units_completed-up" class="button" disabled' in page


def test_a_refused_move_shows_why_on_the_edit_page(admin, listed):
    response = admin.post(move_url("units_completed", "up"), follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<p class="flash flash-error">units_completed is already first' in page
    assert stored_order() == list(enumerate(KEYS))


def test_a_move_without_the_csrf_token_is_refused(client, signed_in, listed):
    signed_in("admin")
    response = client.post(move_url("scrap", "up"))
    assert response.status_code == 400
    assert stored_order() == list(enumerate(KEYS))
    assert reorder_events() == []


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "manager"])
def test_only_admins_may_move_a_metric(client, make_user, listed, role):
    user = make_user(role=role)
    token = sign_in(client, user.username)
    response = client.post(move_url("scrap", "up"), data={"csrf_token": token})
    assert response.status_code == 403
    assert stored_order() == list(enumerate(KEYS))


def test_an_unknown_metric_or_station_is_404(admin, listed):
    assert admin.post("/admin/stations/PRS-04/metrics/999999/up").status_code == 404
    assert admin.post(f"/admin/stations/NOPE/metrics/{metric('scrap').id}/up").status_code == 404


def test_a_route_stop_move_off_the_end_shows_why(admin, make_station):
    make_station("A-1")
    make_station("A-2")
    admin.post("/admin/routes/new", {"name": "Walk", "stations": "A-1\nA-2", "active": "yes"})
    route = db.session.execute(select(Route)).scalar_one()
    response = admin.post(f"/admin/routes/{route.id}/stops/1/down", follow_redirects=True)
    assert "A-2 is already last, so it cannot move down." in response.get_data(as_text=True)


def test_a_double_tap_on_a_route_stop_moves_it_once(admin, make_station):
    """Both taps come from the same page: the second names a stop that has moved on, and
    is refused rather than moving back whichever stop took its place."""
    for code in ("A-1", "A-2", "A-3"):
        make_station(code)
    admin.post("/admin/routes/new", {"name": "Walk", "stations": "A-1\nA-2\nA-3", "active": "yes"})
    route = db.session.execute(select(Route)).scalar_one()
    tap = {"station": "A-3"}
    admin.post(f"/admin/routes/{route.id}/stops/2/up", tap)
    again = admin.post(f"/admin/routes/{route.id}/stops/2/up", tap, follow_redirects=True)
    assert "A-3 has moved since the page was shown" in again.get_data(as_text=True)
    db.session.expire_all()
    assert [stop.station.code for stop in route.stops] == ["A-1", "A-3", "A-2"]
