"""Imports that teach (issue 14): each import page shows its columns, allowed values and
an example, offers a template, and new stations are offered the plant's usual metrics."""

import base64
import re

import pytest
from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import AuditEvent, Station
from floorwalk.settings import set_setting

FILLED = {
    "metrics": ["scrap,Scrap,pcs,tally", "temp_c,Oven temperature,°C,gauge"],
    "stations": ["WLD-07,Robot cell 7,Welding,yes", "WLD-08,Robot cell 8,Welding,no"],
    "targets": ["WLD-07,scrap,0,", "WLD-07,temp_c,,180.5"],
    "employees": ["E2001,Łukasz Nowak,Welding", "E2002,Ana Souza,"],
    "plan": ["2026-03-02,A,WLD-07,scrap,3,yes", "2026-03-02,B,WLD-07,,,no"],
}


def confirm(admin, kind: str, content: bytes):
    preview = admin.upload(f"/admin/import/{kind}", content, f"{kind}.csv")
    assert preview.status_code == 200, preview.get_data(as_text=True)
    encoded = base64.b64encode(content).decode("ascii")
    return admin.post(f"/admin/import/{kind}", {"content": encoded, "filename": f"{kind}.csv"})


@pytest.mark.parametrize("kind", ["metrics", "stations", "targets", "employees", "categories"])
def test_each_import_page_shows_columns_allowed_values_an_example_and_a_template(admin, kind):
    page = admin.get(f"/admin/import/{kind}").get_data(as_text=True)
    template = admin.get(f"/admin/import/{kind}/template.csv")
    assert template.status_code == 200
    assert f'filename="{kind}-template.csv"' in template.headers["Content-Disposition"]
    lines = template.data.decode("utf-8-sig").splitlines()
    assert f'href="/admin/import/{kind}/template.csv"' in page
    for line in lines:  # the example on the page is the template's rows
        assert line in page
    assert len(lines) >= 2


def test_the_metrics_page_names_the_allowed_kinds(admin):
    page = admin.get("/admin/import/metrics").get_data(as_text=True)
    assert "tally, counter or gauge" in page


def test_a_filled_template_imports_and_exports_as_it_was_filled(admin):
    """Download each template, replace its examples with the plant's rows, import it and
    export it: the export is the filled file, byte for byte (BOM, CRLF)."""
    set_setting(db.session, "shifts", "A=06:00,B=14:00")
    db.session.commit()
    for kind, rows in FILLED.items():
        template = admin.get(f"/admin/import/{kind}/template.csv").data
        header = template.decode("utf-8-sig").splitlines()[0]
        filled = ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")
        response = confirm(admin, kind, filled)
        assert response.status_code == 302, response.get_data(as_text=True)
        query = "?day=2026-03-02" if kind == "plan" else ""
        exported = admin.get(f"/admin/export/{kind}.csv{query}").data
        assert exported == filled, kind


def test_new_stations_are_offered_the_usual_metrics_in_one_step(admin, listed, make_metric):
    make_metric("headcount", kind="gauge")  # listed nowhere: offered, not checked
    stations = b"code,name,area,active\nWLD-01,Cell 1,Welding,\nPRS-04,Transfer press,Press Shop,\n"
    response = confirm(admin, "stations", stations)
    assert response.status_code == 302
    offer = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 new station counts nothing yet: WLD-01." in offer
    checked = re.findall(r'name="metric" value="([\w.-]+)"( checked)?', offer)
    assert dict(checked) == {
        "units_completed": " checked",
        "scrap": " checked",
        "material_on_hand": " checked",
        "headcount": "",
    }

    done = admin.post(
        "/admin/import/stations/metrics",
        {"station": ["WLD-01"], "metric": ["units_completed", "headcount"]},
    )
    assert done.status_code == 302
    station = db.session.execute(select(Station).where(Station.code == "WLD-01")).scalar_one()
    assert [(e.metric.key, e.target) for e in station.metrics] == [
        ("units_completed", None),
        ("headcount", None),
    ]
    audited = db.session.execute(
        select(AuditEvent.entity_key).where(AuditEvent.entity == "target")
    ).scalars()
    assert {"WLD-01/units_completed", "WLD-01/headcount"} <= set(audited)


def test_adding_metrics_to_an_unknown_station_adds_nothing(admin, listed):
    response = admin.post(
        "/admin/import/stations/metrics",
        {"station": ["PRS-04", "NOPE-1"], "metric": ["units_completed"]},
    )
    assert response.status_code == 400
    assert "No station or metric NOPE-1: nothing was added." in response.get_data(as_text=True)
