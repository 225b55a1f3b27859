"""CSV downloads (DESIGN §5): every one streams to its end for every role, and a text
cell that a spreadsheet would run as a formula is written with a leading apostrophe,
numbers staying numbers; an admin export imported again gives back the same values."""

import base64
import csv
import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from werkzeug.test import EnvironBuilder

from floorwalk.extensions import db
from floorwalk.models import Employee, Station
from tests.support import sign_in

FORMULAS = ["=SUM(A1)", "-5 bins", "+1 call me", "@cmd", "\tleading tab", "\rleading return"]


def rows_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def served(client, url: str) -> bytes:
    """GET ``url`` as a WSGI server does: in a thread of its own, reading the body only
    after the view has returned and its app context has ended."""
    cookies = [client.get_cookie(name) for name in ("floorwalk", "floorwalk_remember")]
    header = "; ".join(f"{c.key}={c.value}" for c in cookies if c is not None)
    path, _, query = url.partition("?")
    environ = EnvironBuilder(path=path, query_string=query, headers={"Cookie": header})
    outcome = {}

    def serve():
        try:
            status = []
            body = client.application(environ.get_environ(), lambda s, h: status.append(s))
            outcome["body"] = b"".join(body)
            body.close()
            outcome["status"] = status[0]
        except Exception as error:  # the test reports it below
            outcome["error"] = error

    db.session.commit()
    thread = threading.Thread(target=serve)
    thread.start()
    thread.join(30)
    assert "error" not in outcome, repr(outcome.get("error"))
    assert outcome["status"].startswith("200"), outcome
    return outcome["body"]


def day_of(instant: datetime) -> str:
    return (instant - timedelta(hours=6)).date().isoformat()  # the plant's day starts 06:00 UTC


def test_a_supervisors_records_csv_streams_to_the_end_past_another_authors_note(
    client, make_user, make_station, make_metric, make_employee, make_record
):
    press = make_station("PRS-01", area="Press Shop")
    weld = make_station("WLD-01", area="Welding")
    make_metric()
    make_employee("E1", area="Press Shop")
    make_employee("E2", area="Welding")
    walker = make_user("walker")
    make_user("sup", "supervisor", areas=["Press Shop"])
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    note = {"kind": "coaching", "text": "Private to Welding"}
    make_record(walker, "employee_note", weld, at, {"employee": "E2", **note})
    make_record(walker, "employee_note", press, at, {"employee": "E1", **note})
    for i in range(3):
        make_record(walker, "count", press, at + timedelta(seconds=i),
                    {"metric": "units_completed", "value": i})  # fmt: skip
    db.session.expunge_all()
    sign_in(client, "sup")
    day = day_of(at)
    text = served(client, f"/summary/records.csv?from={day}&to={day}").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[0] == "id" and len(body) == 5  # two notes and three counts: the whole file
    texts = sorted(row["text"] for row in body if row["type"] == "employee_note")
    assert texts == ["", "Private to Welding"]  # the Press Shop note only
    assert [row["value"] for row in body if row["type"] == "count"] == ["0", "1", "2"]


@pytest.mark.parametrize("text", FORMULAS)
def test_the_records_csv_writes_formulas_as_text_and_numbers_as_numbers(
    client, make_user, make_station, make_metric, make_record, text
):
    press = make_station("PRS-01")
    make_metric()
    make_user("boss", "manager")
    walker = make_user("-walker")  # a username may begin with - or @
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    make_record(walker, "count", press, at, {"metric": "units_completed", "value": 40,
                                             "note": text})  # fmt: skip
    sign_in(client, "boss")
    day = day_of(at)
    rows = rows_of(client.get(f"/summary/records.csv?from={day}&to={day}"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["text"] == "'" + text
    assert row["value"] == "40"
    assert row["author"] == "'-walker"


def test_the_day_csv_writes_a_formula_station_name_as_text(
    client, make_user, make_station, make_metric, make_record
):
    press = make_station("PRS-01", name='=HYPERLINK("http://evil.example")', area="-Press")
    make_metric()
    make_user("boss", "manager")
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    make_record(make_user("walker"), "count", press, at, {"metric": "units_completed", "value": 7})
    sign_in(client, "boss")
    rows = rows_of(client.get(f"/summary/{day_of(at)}.csv"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["area"] == "'-Press"
    assert row["total"] == "7"


def test_an_admin_export_escapes_formulas_and_imports_back_to_the_same_values(
    admin, make_station, make_employee
):
    make_station("PRS-01", name="=SUM(A1)", area="-5 bins")
    make_employee("E1", name="@boss", area="+Line")
    exported = {}
    for kind, expected in [
        ("stations", ["PRS-01", "'=SUM(A1)", "'-5 bins", "yes"]),
        ("employees", ["E1", "'@boss", "'+Line"]),
    ]:
        response = admin.get(f"/admin/export/{kind}.csv")
        assert response.status_code == 200
        assert rows_of(response)[1] == expected
        exported[kind] = response.get_data()
    db.session.execute(update(Station).values(name="renamed"))
    db.session.execute(update(Employee).values(name="renamed"))
    for kind, data in exported.items():
        content = base64.b64encode(data).decode("ascii")
        assert admin.post(f"/admin/import/{kind}", {"content": content}).status_code == 302
    db.session.expire_all()
    station = db.session.scalars(select(Station).where(Station.code == "PRS-01")).one()
    employee = db.session.scalars(select(Employee).where(Employee.badge == "E1")).one()
    assert (station.name, station.area.name) == ("=SUM(A1)", "-5 bins")
    assert (employee.name, employee.area.name) == ("@boss", "+Line")
