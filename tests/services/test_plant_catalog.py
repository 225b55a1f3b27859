"""The catalog a summary reads is kept between changes (summaries/plant.py): every
change to it shows in the next summary, whoever made it, a change rolled back never
does, and a push of records keeps it."""

from sqlalchemy import create_engine, event, select, update
from sqlalchemy.orm import Session

from floorwalk.backup import start_new_epoch
from floorwalk.catalog.entities import save_category
from floorwalk.catalog.plan import replace_day_plan, stored_plan
from floorwalk.catalog.stations import set_station_metric
from floorwalk.extensions import db
from floorwalk.models import Metric, Station, StationMetric
from floorwalk.settings import set_setting
from floorwalk.summaries.period import period_report
from tests.services.test_summaries import summary_for
from tests.summary_plant import D, local


def units_target(summary_plant) -> float:
    summary = summary_for(summary_plant)
    db.session.rollback()  # each page view is its own transaction
    return summary["stations"][0]["counts"]["units_completed"]["target"]


def set_units_target(session, target) -> None:
    station = session.execute(select(Station).where(Station.code == "PRS-01")).scalar_one()
    metric = session.execute(select(Metric).where(Metric.key == "units_completed")).scalar_one()
    set_station_metric(session, None, station, metric, target, None)
    session.flush()


def test_a_changed_target_or_setting_shows_in_the_next_summary(summary_plant):
    db.session.commit()
    assert units_target(summary_plant) == 600
    set_units_target(db.session, 900)
    db.session.commit()
    assert units_target(summary_plant) == 900
    set_setting(db.session, "timezone", "Europe/Berlin")
    db.session.commit()
    assert summary_for(summary_plant)["timezone"] == "Europe/Berlin"


def test_a_change_made_by_another_server_shows_in_the_next_summary(summary_plant, app):
    db.session.commit()
    assert units_target(summary_plant) == 600
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])  # another app server
    try:
        with Session(other) as session:
            set_units_target(session, 750)
            session.commit()
    finally:
        other.dispose()
    assert units_target(summary_plant) == 750


def test_a_change_shows_in_its_own_transaction_and_is_gone_once_rolled_back(summary_plant):
    db.session.commit()
    assert units_target(summary_plant) == 600
    set_units_target(db.session, 900)
    assert summary_for(summary_plant)["stations"][0]["counts"]["units_completed"]["target"] == 900
    db.session.rollback()
    # The next change takes the number the rolled-back one had: still not its target.
    set_setting(db.session, "timezone", "Europe/Berlin")
    db.session.commit()
    assert units_target(summary_plant) == 600


def test_a_restored_database_is_read_afresh(summary_plant):
    db.session.commit()
    assert units_target(summary_plant) == 600
    # A restore replaces the rows without taking a change number, and gives a new epoch.
    db.session.execute(update(StationMetric).values(target=480))
    start_new_epoch(db.session)
    db.session.commit()
    assert units_target(summary_plant) == 480


def test_a_plan_imported_or_replaced_shows_in_the_next_summary(summary_plant):
    db.session.commit()
    assert units_target(summary_plant) == 600
    stations = summary_plant["stations"]
    metrics = {"units_completed": summary_plant["metrics"]["units"]}
    before = stored_plan(db.session, D)  # WLD-01 is left out
    plan = {
        "targets": [*before["targets"], ["", "PRS-01", "units_completed", 450]],
        "unscheduled": [*before["unscheduled"], ["", "PRS-02"]],
    }
    replace_day_plan(db.session, D, plan, stations, metrics)
    db.session.commit()
    summary = summary_for(summary_plant)
    db.session.rollback()
    assert summary["stations"][0]["counts"]["units_completed"]["target"] == 450
    assert [s["code"] for s in summary["stations"]] == ["PRS-01"]
    replace_day_plan(db.session, D, before, stations, metrics)
    db.session.commit()
    summary = summary_for(summary_plant)
    assert summary["stations"][0]["counts"]["units_completed"]["target"] == 600
    assert [s["code"] for s in summary["stations"]] == ["PRS-01", "PRS-02"]


def test_a_new_category_counts_in_the_next_report(summary_plant, make_record):
    db.session.commit()
    before = period_report(db.session, D, D)["observations"]["by_category"]
    assert "ergonomics" not in before
    save_category(
        db.session, None, None, {"key": "ergonomics", "label": "Ergonomics", "downtime": False}
    )
    db.session.commit()
    walker, station = summary_plant["users"]["walker1"], summary_plant["stations"]["PRS-01"]
    data = {"category": "ergonomics", "severity": "low", "text": "Bench too low."}
    make_record(walker, "observation", station, local(D, 12), data)
    assert period_report(db.session, D, D)["observations"]["by_category"]["ergonomics"] == 1


def test_a_push_of_records_keeps_the_catalog_read_before(summary_plant, make_record):
    db.session.commit()
    summary_for(summary_plant)
    db.session.rollback()
    walker, station = summary_plant["users"]["walker1"], summary_plant["stations"]["PRS-01"]
    make_record(walker, "count", station, local(D, 12), {"metric": "scrap", "value": 1})
    read = []

    def catalog_reads(conn, cursor, statement, parameters, context, executemany):
        if "station_metrics.position" in statement:  # the catalog's read of listed metrics
            read.append(statement)

    event.listen(db.engine, "before_cursor_execute", catalog_reads)
    try:
        summary = summary_for(summary_plant)
    finally:
        event.remove(db.engine, "before_cursor_execute", catalog_reads)
    assert summary["stations"][0]["counts"]["scrap"]["total"] == 6  # the push counts
    assert read == []  # the catalog was not read again
