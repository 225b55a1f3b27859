"""Admin pages (issue 3): admins alone, errors beside the field, all or nothing, audited."""

import re

import pytest
from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import AuditEvent, Metric, Route, Station, User
from floorwalk.settings import get_settings, set_setting
from tests.support import sign_in

ADMIN_URLS = [
    "/admin/",
    "/admin/stations",
    "/admin/users/new",
    "/admin/audit",
    "/admin/export/stations.csv",
    "/admin/no-such-page",
]


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "manager"])
@pytest.mark.parametrize("url", ADMIN_URLS)
def test_everyone_but_admins_gets_403(client, signed_in, role, url):
    signed_in(role)
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/stations")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_posts_from_other_roles_change_nothing(client, signed_in):
    _, token = signed_in("manager")
    response = client.post(
        "/admin/stations/new",
        data={"code": "PRS-09", "name": "x", "area": "A", "active": "yes", "csrf_token": token},
    )
    assert response.status_code == 403
    assert db.session.execute(select(Station)).first() is None


def error_beside(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="f-{re.escape(name)}-error">([^<]*)</p>', html)
    return match[1] if match else ""


def test_a_station_code_with_a_space_is_refused_beside_the_field(admin):
    response = admin.post(
        "/admin/stations/new", {"code": "PRS 04", "name": "", "area": "Press Shop"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "without spaces: &#39;PRS 04&#39; is not." in error_beside(html, "code")
    assert error_beside(html, "name") == "Required."
    assert 'aria-describedby="f-code-hint f-code-error"' in html
    assert db.session.execute(select(Station)).first() is None


def test_an_admin_adds_a_station_and_the_audit_page_shows_it(admin):
    response = admin.post(
        "/admin/stations/new",
        {"code": "PRS-04", "name": "Transfer press", "area": "Press Shop", "active": "yes"},
    )
    assert response.status_code == 302
    station = db.session.execute(select(Station)).scalar_one()
    assert (station.code, station.area.name, station.active) == ("PRS-04", "Press Shop", True)
    listing = admin.get("/admin/stations?q=transfer").get_data(as_text=True)
    assert "PRS-04" in listing
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert admin.user.username in audit and "create station" in audit and "Transfer press" in audit


def test_station_list_filters_by_area_and_search(admin, make_station):
    make_station("PRS-01", "Blanking press", "Press Shop")
    weld = make_station("WLD-01", "Robot cell", "Welding")
    by_area = admin.get(f"/admin/stations?area={weld.area_id}").get_data(as_text=True)
    assert "WLD-01" in by_area and "PRS-01" not in by_area
    by_text = admin.get("/admin/stations?q=blank").get_data(as_text=True)
    assert "PRS-01" in by_text and "WLD-01" not in by_text


def test_station_edit_keeps_the_code_and_deactivates(admin, make_station):
    make_station("PRS-01")
    response = admin.post(
        "/admin/stations/PRS-01", {"code": "CHANGED", "name": "Renamed", "area": "Press Shop"}
    )
    assert response.status_code == 302
    station = db.session.execute(select(Station)).scalar_one()
    assert (station.code, station.name, station.active) == ("PRS-01", "Renamed", False)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.entity == "station")
    ).scalar_one()
    assert event.before["active"] is True and event.after["active"] is False


def metrics_of(code):
    db.session.expire_all()
    station = db.session.execute(select(Station).where(Station.code == code)).scalar_one()
    return {e.metric.key: (e.target, e.min_level) for e in station.metrics}


def test_station_metrics_are_saved_all_or_nothing(admin, make_station, runner, tmp_path):
    (tmp_path / "m.csv").write_text(
        "key,label,unit,kind\nunits,Units,pcs,tally\nbins,Bins,,gauge\n"
    )
    runner.invoke(args=["import", "metrics", str(tmp_path / "m.csv")])
    station = make_station("PRS-01")
    seq = station.change_seq
    ok = admin.post("/admin/stations/PRS-01/metrics", {"metric-new": "units", "target-new": "240"})
    assert ok.status_code == 302
    assert metrics_of("PRS-01") == {"units": (240.0, None)}
    bad = admin.post(
        "/admin/stations/PRS-01/metrics",
        {"target-units": "250", "metric-new": "bins", "min_level-new": "-1"},
    )
    assert bad.status_code == 400
    assert "Must be 0 or more" in error_beside(bad.get_data(as_text=True), "min_level-new")
    assert metrics_of("PRS-01") == {"units": (240.0, None)}
    admin.post(
        "/admin/stations/PRS-01/metrics",
        {"target-units": "250", "metric-new": "bins", "min_level-new": "4"},
    )
    assert metrics_of("PRS-01") == {"units": (250.0, None), "bins": (None, 4.0)}
    db.session.expire_all()
    assert db.session.get(Station, station.id).change_seq > seq  # phones pull the new targets
    admin.post(
        "/admin/stations/PRS-01/metrics",
        {"target-units": "250", "remove-bins": "yes", "min_level-bins": "4"},
    )
    assert metrics_of("PRS-01") == {"units": (250.0, None)}


def test_users_are_created_and_deactivating_one_ends_their_sessions(admin, app):
    response = admin.post(
        "/admin/users/new",
        {
            "username": "maria",
            "password": "long enough pw",
            "role": "supervisor",
            "areas": "Press Shop",
        },
    )
    assert response.status_code == 302
    maria = db.session.execute(select(User).where(User.username == "maria")).scalar_one()
    assert [a.name for a in maria.areas] == ["Press Shop"]
    phone = app.test_client()
    sign_in(phone, "maria", "long enough pw")
    assert phone.get("/api/v1/session").status_code == 200
    admin.post(f"/admin/users/{maria.id}/active", {"active": "no"})
    assert phone.get("/api/v1/session").status_code == 401
    db.session.expire_all()
    assert db.session.get(User, maria.id).active is False
    by_admin = select(AuditEvent.entity, AuditEvent.action).where(
        AuditEvent.actor_id == admin.user.id
    )
    events = db.session.execute(by_admin.order_by(AuditEvent.id)).all()
    # The user's new area is audited as made by the admin too.
    assert events == [("area", "create"), ("user", "create"), ("user", "deactivate")]


def test_a_short_password_is_refused_beside_the_field(admin):
    response = admin.post(
        "/admin/users/new", {"username": "bob", "password": "short", "role": "manager"}
    )
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "password") == "At least 10 characters."


def test_password_reset_ends_sessions_and_is_audited_without_the_password(admin, app, make_user):
    bob = make_user("bob")
    phone = app.test_client()
    sign_in(phone, "bob")
    assert (
        admin.post(f"/admin/users/{bob.id}/password", {"password": "a new password"}).status_code
        == 302
    )
    assert phone.get("/api/v1/session").status_code == 401
    sign_in(app.test_client(), "bob", "a new password")
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.actor_id == admin.user.id)
    ).scalar_one()
    assert event.action == "reset_password" and "a new password" not in str(event.after)


def test_an_admin_cannot_lock_themselves_out(admin):
    admin.post(f"/admin/users/{admin.user.id}/active", {"active": "no"})
    response = admin.post(f"/admin/users/{admin.user.id}", {"role": "manager"})
    assert "cannot take the admin role from yourself" in response.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, admin.user.id)
    assert user.active and user.role == "admin"


def test_routes_keep_their_order_and_reorder(admin, make_station):
    for code in ("A-1", "A-2", "A-3"):
        make_station(code)
    bad = admin.post(
        "/admin/routes/new", {"name": "Press walk", "stations": "A-1\nNOPE\nA-1", "active": "yes"}
    )
    assert bad.status_code == 400
    message = error_beside(bad.get_data(as_text=True), "stations")
    assert (
        "line 2: there is no station &#39;NOPE&#39;" in message
        and "line 3: A-1 is already on line 1" in message
    )
    assert db.session.execute(select(Route)).first() is None
    admin.post(
        "/admin/routes/new", {"name": "Press walk", "stations": "A-3\nA-1\nA-2", "active": "yes"}
    )
    route = db.session.execute(select(Route)).scalar_one()
    assert [s.station.code for s in route.stops] == ["A-3", "A-1", "A-2"]
    admin.post(f"/admin/routes/{route.id}/stops/2/up")
    db.session.expire_all()
    assert [s.station.code for s in db.session.get(Route, route.id).stops] == ["A-3", "A-2", "A-1"]


def test_categories_keep_the_downtime_flag(admin):
    admin.post(
        "/admin/categories/new",
        {"key": "spill", "label": "Spill", "downtime": "yes", "active": "yes"},
    )
    page = admin.get("/admin/categories").get_data(as_text=True)
    assert re.search(r"spill</a></td>\s*<td[^>]*>Spill</td>\s*<td[^>]*>yes</td>", page)


def test_metrics_in_use_stay_and_unused_ones_go_with_a_removal_for_phones(admin, runner, tmp_path):
    from floorwalk.models import Removal

    admin.post(
        "/admin/metrics/new", {"key": "temp", "label": "Temperature", "unit": "C", "kind": "gauge"}
    )
    assert admin.post("/admin/metrics/temp/delete").status_code == 302
    assert db.session.execute(select(Removal.kind)).scalars().all() == ["metrics"]
    bad = admin.post("/admin/metrics/new", {"key": "x", "label": "X", "kind": "average"})
    assert "The kind is tally, counter or gauge" in error_beside(bad.get_data(as_text=True), "kind")
    for key in (".", "..", "-units"):  # a key names its page: /admin/metrics/<key>
        bad = admin.post("/admin/metrics/new", {"key": key, "label": "Dots", "kind": "tally"})
        assert "starts with a letter or digit" in error_beside(bad.get_data(as_text=True), "key")
    assert db.session.execute(select(Metric.key)).scalars().all() == []


def test_settings_offer_iana_timezones_and_refuse_bad_values(admin):
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert '<option value="America/Chicago">' in page
    bad = admin.post(
        "/admin/settings",
        {
            "timezone": "Mars/Olympus",
            "shifts": "A=06:00,B=14:00",
            "day_start": "06:00",
            "public_url": "ftp://x",
        },
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "unknown timezone" in error_beside(html, "timezone")
    assert "is not a public URL" in error_beside(html, "public_url")
    assert get_settings(db.session)["shifts"] == ""  # all or nothing
    ok = admin.post(
        "/admin/settings",
        {
            "timezone": "Europe/Berlin",
            "shifts": "A=05:30,B=13:30",
            "day_start": "06:00",
            "public_url": "https://floor.example.com",
        },
    )
    assert ok.status_code == 302
    stored = get_settings(db.session)
    assert (stored["timezone"], stored["day_start"], stored["public_url"]) == (
        "Europe/Berlin",
        "05:30",
        "https://floor.example.com",
    )
    by_admin = select(AuditEvent.entity_key).where(AuditEvent.actor_id == admin.user.id)
    assert set(db.session.execute(by_admin).scalars()) == {
        "timezone",
        "shifts",
        "day_start",
        "public_url",
    }


STATIONS_CSV = (
    "code,name,area,active\nPRS-01,Blanking press,Press Shop,yes\nPRS-02,Zoë press,Press Shop,yes\n"
)


def test_csv_upload_shows_a_preview_then_stores_on_confirm(admin):
    preview = admin.upload("/admin/import/stations", STATIONS_CSV.encode(), "stations.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert re.search(r"<dt>New</dt><dd>2</dd>", html) and "Confirm import" in html
    assert db.session.execute(select(Station)).first() is None  # not before the confirmation
    content = re.search(r'name="content" value="([^"]+)"', html)[1]
    done = admin.post("/admin/import/stations", {"content": content, "filename": "stations.csv"})
    assert done.status_code == 302
    names = db.session.execute(select(Station.name).order_by(Station.code)).scalars().all()
    assert names == ["Blanking press", "Zoë press"]
    again = admin.upload("/admin/import/stations", STATIONS_CSV.encode(), "stations.csv")
    assert re.search(r"<dt>Unchanged</dt><dd>2</dd>", again.get_data(as_text=True))


def test_csv_upload_lists_errors_by_line_and_offers_no_confirmation(admin):
    text = STATIONS_CSV + "PRS 03,Bad,Press Shop,yes\nPRS-01,Dup,Press Shop,yes\n"
    response = admin.upload("/admin/import/stations", text.encode(), "stations.csv")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r"<tr><td>4</td><td>code: A station code", html)
    assert re.search(r"<tr><td>5</td><td>code &#39;PRS-01&#39; is already on line 2", html)
    assert "Confirm import" not in html


def test_export_downloads_utf8_with_a_bom_and_the_design_columns(admin, make_station):
    make_station("PRS-01", "Zoë press")
    response = admin.get("/admin/export/stations.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert (
        response.data.decode("utf-8")
        == "\ufeffcode,name,area,active\r\nPRS-01,Zoë press,Press Shop,yes\r\n"
    )


def test_day_plan_page_shows_scheduled_stations_and_targets(admin, make_station, make_metric):
    from floorwalk.models import StationMetric

    press = make_station("PRS-01")
    make_station("PRS-02")
    # A gauge has no target but a min level: the plan says it ("—" said nothing).
    bins = make_metric("material_on_hand", "gauge", unit="bins")
    press.metrics.append(StationMetric(metric=bins, position=5, min_level=4.0))
    db.session.commit()
    admin.post("/admin/metrics/new", {"key": "units", "label": "Units", "kind": "tally"})
    plan = (
        "day,shift,station,metric,target,scheduled\n"
        "2025-03-10,,PRS-01,units,260,yes\n2025-03-10,,PRS-02,,,no\n"
    )
    preview = admin.upload("/admin/import/plan", plan.encode(), "plan.csv").get_data(as_text=True)
    content = re.search(r'name="content" value="([^"]+)"', preview)[1]
    admin.post("/admin/import/plan", {"content": content})
    page = admin.get("/admin/plan?day=2025-03-10").get_data(as_text=True)
    assert "1 of 2 active stations scheduled." in page
    assert "Units: 260" in page
    assert "Material on hand: min level 4" in page


def test_areas_are_renamed_and_only_empty_ones_deleted(admin, make_station):
    station = make_station("PRS-01", area="Press Shop")
    area_id = station.area_id
    admin.post(f"/admin/areas/{area_id}", {"name": "Stamping"})
    assert "Stamping" in admin.get("/admin/areas").get_data(as_text=True)
    refused = admin.post(f"/admin/areas/{area_id}/delete", follow_redirects=True)
    assert "still has 1 stations" in refused.get_data(as_text=True)


def test_the_admin_start_page_shows_the_checklist_and_a_label_download_ticks_it(
    admin, client, make_station, make_metric
):
    make_station()
    make_metric()
    page = client.get("/admin/").get_data(as_text=True)
    assert "Set-up checklist" in page
    assert "1 station counts nothing yet." in page
    assert 'href="/admin/users">Users and their areas</a>' in page
    labels_step = page[page.index("Labels printed") - 120 : page.index("Labels printed")]
    assert "To do" in labels_step

    set_setting(db.session, "public_url", "https://floor.example.com")
    # Opening a station shows its label: a picture on the page, not a print.
    station_page = client.get("/admin/stations/PRS-04").get_data(as_text=True)
    assert 'src="/admin/stations/PRS-04/label.svg?preview=1"' in station_page
    assert client.get("/admin/stations/PRS-04/label.svg?preview=1").status_code == 200
    assert "No label sheet or label downloaded yet." in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/stations/PRS-04/label.png").status_code == 200
    page = client.get("/admin/").get_data(as_text=True)
    assert "Labels downloaded 1 time." in page


def test_the_settings_page_offers_the_address_in_use_as_the_public_url(admin, client):
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="public_url" type="url" value="http://localhost"' in page
