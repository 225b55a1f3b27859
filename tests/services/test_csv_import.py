"""Catalog CSV files (DESIGN §5): ``floorwalk import KIND FILE.csv`` and the export.

A file with any bad row stores nothing and reports every bad row by its line number;
exporting then importing the same file changes nothing.
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from floorwalk.catalog.csv_export import export_csv
from floorwalk.extensions import db
from floorwalk.models import (
    AuditEvent,
    Category,
    Employee,
    Metric,
    PlanTarget,
    Removal,
    Station,
    StationMetric,
    UnscheduledStation,
)

METRICS = (
    "key,label,unit,kind\nunits_completed,Units completed,pcs,tally\n"
    "board_count,Board count,pcs,counter\nmaterial_on_hand,Material on hand,bins,gauge\n"
)
STATIONS = (
    "code,name,area,active\nPRS-01,Blanking press,Press Shop,yes\n"
    "PRS-02,Transfer press,Press Shop,yes\nWLD-01,Robot cell 1,Welding,no\n"
)
TARGETS = (
    "station,metric,target,min_level\nPRS-01,units_completed,240,\n"
    "PRS-01,material_on_hand,,4\nPRS-02,units_completed,,\nPRS-02,board_count,300.5,\n"
)
EMPLOYEES = (
    "badge,name,area\nE1001,Zoë Dubois,Press Shop\nE2001,Tom Becker,Welding\nE9000,Sam Roe,\n"
)
CATEGORIES = (
    "key,label,downtime\nsafety,Safety first,no\nmachine,Machine down,yes\nspill,Spill,no\n"
)
PLAN = (
    "day,shift,station,metric,target,scheduled\n2025-03-10,,PRS-01,units_completed,260,yes\n"
    "2025-03-10,,PRS-02,,,no\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def load(runner, tmp_path, kind, text):
    result = runner.invoke(args=["import", kind, write(tmp_path, f"{kind}.csv", text)])
    assert result.exit_code == 0, result.output
    return result.output


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def plant(runner, tmp_path):
    """The catalog loaded from CSV files in the order an admin would."""
    for kind, text in (
        ("metrics", METRICS),
        ("stations", STATIONS),
        ("targets", TARGETS),
        ("employees", EMPLOYEES),
        ("categories", CATEGORIES),
    ):
        load(runner, tmp_path, kind, text)


def test_import_creates_then_updates_by_key_and_reports_the_counts(runner, tmp_path):
    assert "metrics: 3 new, 0 updated, 0 unchanged." in load(runner, tmp_path, "metrics", METRICS)
    changed = METRICS.replace("Board count,pcs", "Board count,units") + "scrap,Scrap,pcs,tally\n"
    assert "metrics: 1 new, 1 updated, 2 unchanged." in load(runner, tmp_path, "metrics", changed)
    metric = db.session.execute(select(Metric).where(Metric.key == "board_count")).scalar_one()
    assert (metric.unit, metric.kind) == ("units", "counter")


def test_a_whole_plant_loads_from_csv_files(plant):
    stations = {s.code: s for s in db.session.execute(select(Station)).scalars()}
    assert stations["PRS-01"].area.name == "Press Shop" and stations["WLD-01"].active is False
    targets = {
        (e.station.code, e.metric.key): (e.target, e.min_level)
        for e in db.session.execute(select(StationMetric)).scalars()
    }
    assert targets[("PRS-01", "units_completed")] == (240.0, None)
    assert targets[("PRS-01", "material_on_hand")] == (None, 4.0)
    assert targets[("PRS-02", "board_count")] == (300.5, None)
    zoe = db.session.execute(select(Employee).where(Employee.badge == "E1001")).scalar_one()
    assert zoe.name == "Zoë Dubois" and zoe.area.name == "Press Shop"
    machine = db.session.execute(select(Category).where(Category.key == "machine")).scalar_one()
    assert machine.label == "Machine down" and machine.downtime


@pytest.mark.parametrize("kind", ["metrics", "stations", "targets", "employees", "categories"])
def test_export_then_import_changes_nothing(plant, runner, tmp_path, kind):
    exported = export_csv(db.session, kind)
    assert exported.startswith(b"\xef\xbb\xbf")  # spreadsheet programs then read accents
    events = count(AuditEvent)
    path = tmp_path / f"exported-{kind}.csv"
    path.write_bytes(exported)
    result = runner.invoke(args=["import", kind, str(path)])
    assert result.exit_code == 0, result.output
    assert " 0 new, 0 updated," in result.output
    assert count(AuditEvent) == events


def test_the_export_has_exactly_the_design_columns(plant):
    text = export_csv(db.session, "targets").decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "station,metric,target,min_level"
    assert "PRS-01,material_on_hand,,4" in lines and "PRS-02,board_count,300.5," in lines


def test_every_bad_row_is_reported_by_line_and_nothing_is_stored(runner, tmp_path):
    text = (
        "code,name,area,active\n"
        "PRS-01,Blanking press,Press Shop,yes\n"
        "PRS 02,Space in code,Press Shop,yes\n"
        "PRS-0123456789-0123456789-0123456,Too long,Press Shop,yes\n"
        "\n"
        "PRS-01,Again,Press Shop,yes\n"
        "WLD-01,,Welding,maybe\n"
        "WLD-02,Extra,Welding,yes,surprise\n"
    )
    result = runner.invoke(args=["import", "stations", write(tmp_path, "s.csv", text)])
    assert result.exit_code == 1
    out = result.output
    rule = "A station code is 1 to 32 letters, digits, '-' or '_', without spaces"
    assert f"s.csv: line 3: code: {rule}: 'PRS 02' is not." in out
    assert f"s.csv: line 4: code: {rule} (33 characters given)." in out
    assert "line 6: code 'PRS-01' is already on line 2" in out
    assert "line 7: name: Required." in out and "line 7: active: Write yes or no" in out
    assert "line 8: 5 fields, but the header has 4 columns" in out
    assert "nothing was stored: 6 errors in s.csv." in out
    assert count(Station) == 0


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("metrics", "key,label,unit\nscrap,Scrap,pcs\n", "line 1: missing column kind"),
        ("metrics", "key,label,unit,kind,colour\n", "line 1: unknown column colour"),
        (
            "metrics",
            "key,label,unit,kind\nscrap,Scrap,pcs,average\n",
            "line 2: kind: The kind is tally, counter or gauge, not 'average'.",
        ),
        (
            "targets",
            "station,metric,target,min_level\nPRS-01,units_completed,-5,\n",
            "line 2: target: Must be 0 or more, not -5.",
        ),
        (
            "targets",
            "station,metric,target,min_level\nNOPE-1,units_completed,5,\n",
            "line 2: station: there is no station 'NOPE-1'",
        ),
        (
            "employees",
            "badge,name,area\nE1,Ann,Paint Shop\n",
            "line 2: area: there is no area 'Paint Shop'",
        ),
        (
            "categories",
            "key,label,downtime\nspill,Spill,no\nspill,Spill again,no\n",
            "line 3: key 'spill' is already on line 2",
        ),
        (
            "plan",
            "day,shift,station,metric,target,scheduled\n10/03/2025,,PRS-01,,,no\n",
            "line 2: day: Write the day as YYYY-MM-DD.",
        ),
        ("stations", "", "line 1: the file is empty"),
    ],
)
def test_bad_files_are_refused_with_the_line(plant, runner, tmp_path, kind, text, message):
    before = (
        count(Metric),
        count(StationMetric),
        count(Employee),
        count(Category),
        count(PlanTarget),
    )
    result = runner.invoke(args=["import", kind, write(tmp_path, "bad.csv", text)])
    assert result.exit_code == 1
    assert message in result.output
    assert (
        count(Metric),
        count(StationMetric),
        count(Employee),
        count(Category),
        count(PlanTarget),
    ) == before


def test_a_file_that_is_not_utf8_is_refused_at_the_line_of_the_first_bad_byte(runner, tmp_path):
    path = write(tmp_path, "latin1.csv", "badge,name,area\nE1,Ann,\nE2,Zoë,\n", "latin-1")
    result = runner.invoke(args=["import", "employees", path])
    assert result.exit_code == 1
    assert "line 3: the file is not UTF-8 text" in result.output
    assert count(Employee) == 0


def test_check_reports_without_storing(runner, tmp_path):
    result = runner.invoke(args=["import", "metrics", "--check", write(tmp_path, "m.csv", METRICS)])
    assert result.exit_code == 0
    assert "3 new, 0 updated, 0 unchanged (checked only, nothing stored)" in result.output
    assert count(Metric) == 0


def test_importing_a_days_plan_replaces_that_days_earlier_plan(plant, runner, tmp_path):
    load(runner, tmp_path, "plan", PLAN + "2025-03-11,,PRS-01,units_completed,250,yes\n")
    day = date(2025, 3, 10)
    replacement = (
        "day,shift,station,metric,target,scheduled\n"
        "2025-03-10,,PRS-01,units_completed,260,yes\n2025-03-10,,PRS-01,board_count,90,yes\n"
    )
    output = load(runner, tmp_path, "plan", replacement)
    assert "plan: 0 new, 1 updated, 0 unchanged." in output
    targets = db.session.execute(
        select(Metric.key, PlanTarget.target).join(PlanTarget.metric).where(PlanTarget.day == day)
    ).all()
    assert sorted(targets) == [("board_count", 90.0), ("units_completed", 260.0)]
    assert count(UnscheduledStation) == 0  # PRS-02 is scheduled again
    removed = db.session.execute(select(Removal.kind)).scalars().all()
    assert removed == ["unscheduled_stations"]  # phones erase it on their next pull
    other_day = db.session.execute(
        select(PlanTarget.target).where(PlanTarget.day == date(2025, 3, 11))
    ).scalar_one()
    assert other_day == 250.0
    again = runner.invoke(args=["import", "plan", write(tmp_path, "again.csv", replacement)])
    assert "plan: 0 new, 0 updated, 1 unchanged." in again.output


def test_plan_rows_that_contradict_each_other_are_refused(plant, runner, tmp_path):
    runner.invoke(args=["settings", "set", "shifts", "A=06:00,B=14:00"])
    text = (
        "day,shift,station,metric,target,scheduled\n"
        "2025-03-10,B,PRS-01,,,no\n"
        "2025-03-10,B,PRS-01,units_completed,100,yes\n"
        "2025-03-10,C,PRS-02,units_completed,100,yes\n"
        "2025-03-10,A,PRS-02,units_completed,,yes\n"
    )
    result = runner.invoke(args=["import", "plan", write(tmp_path, "p.csv", text)])
    assert result.exit_code == 1
    assert "line 3: PRS-01 has a target but is not scheduled then (line 2)" in result.output
    assert "line 4: shift: there is no shift 'C' (the shifts are A, B" in result.output
    assert "line 5: target: a scheduled row with a metric needs its target" in result.output
    assert count(PlanTarget) == count(UnscheduledStation) == 0


def test_plan_export_round_trips(plant, runner, tmp_path):
    load(runner, tmp_path, "plan", PLAN)
    exported = export_csv(db.session, "plan", date(2025, 3, 10)).decode("utf-8-sig")
    assert exported.splitlines() == [
        "day,shift,station,metric,target,scheduled",
        "2025-03-10,,PRS-01,units_completed,260,yes",
        "2025-03-10,,PRS-02,,,no",
    ]
    assert "0 new, 0 updated, 1 unchanged" in load(runner, tmp_path, "plan", exported)


def test_imports_write_an_audit_event_per_changed_row(runner, tmp_path):
    load(runner, tmp_path, "metrics", METRICS)
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [(e.action, e.entity, e.entity_key) for e in events] == [
        ("import", "metric", "units_completed"),
        ("import", "metric", "board_count"),
        ("import", "metric", "material_on_hand"),
    ]
    assert events[0].before is None and events[0].after["kind"] == "tally"
