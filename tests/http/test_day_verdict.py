"""The day page leads with its verdict and a station × metric grid (DESIGN §10); the
figures are those of tests/summary_plant.py, computed by hand there."""

from datetime import timedelta

from floorwalk.extensions import db
from floorwalk.filters import with_unit
from floorwalk.summaries.day import daily_summary
from floorwalk.summaries.spans import first_record_day
from floorwalk.summaries.verdict import grid_cell, percent, station_grid, verdict
from tests.summary_plant import AFTER, D, local
from tests.support import sign_in

KINDS = {"units_completed": "counter", "scrap": "tally", "material_on_hand": "gauge"}


def the_summary(summary_plant):
    return daily_summary(db.session, D, summary_plant["users"]["manager"], now=AFTER)


def test_the_verdict_groups_what_needs_a_decision_worst_first(summary_plant):
    result = verdict(the_summary(summary_plant))
    # The robot's critical fault is at WLD-01, which the plan leaves out; PRS-01 is behind
    # on scrap (5 of 10), PRS-02 on units (0 of 300) and was never visited.
    assert result["headline"] == (
        "5 need a decision: 1 safety, 2 stations behind plan, 1 level below minimum,"
        " 1 missed station"
    )
    assert [(g["kind"], g["count"]) for g in result["groups"]] == [
        ("safety", 1),
        ("behind", 2),
        ("material", 1),
        ("missed", 1),
    ]
    behind = result["groups"][1]["items"]
    assert [(i["station"], i["name"], [a["metric"] for a in i["alerts"]]) for i in behind] == [
        ("PRS-01", "Blanking press", ["scrap"]),
        ("PRS-02", "Transfer press", ["units_completed"]),
    ]


def test_the_headline_tells_safety_from_other_critical_and_high_observations():
    """A critical machine fault is not "safety", and an open high observation is one of
    the open ones, not all: the headline names each for what it is."""

    def seen(category: str, severity: str) -> dict:
        return {"kind": "open_observation", "station": "PRS-01", "category": category,
                "severity": severity, "id": category + severity, "text": "…"}  # fmt: skip

    summary = {
        "stations": [{"code": "PRS-01", "name": "Blanking press", "counts": {}}],
        "alerts": [seen("safety", "high"), seen("machine", "critical"), seen("quality", "high")],
        "complete": True,
    }
    result = verdict(summary)
    assert result["headline"] == (
        "3 need a decision: 1 safety, 1 critical observation, 1 high observation"
    )
    assert [(g["title"], g["count"]) for g in result["groups"]] == [
        ("Safety and critical observations", 2),
        ("Other open high observations", 1),
    ]


def test_the_grid_gives_every_cell_a_number_and_a_mark_besides_its_colour(summary_plant):
    grid = station_grid(the_summary(summary_plant), KINDS)
    assert grid["columns"] == ["units_completed", "scrap", "material_on_hand"]
    [(area, rows)] = grid["areas"]
    assert area == "Press Shop"
    cells = {row["code"]: row["cells"] for row in rows}
    assert cells["PRS-01"] == [
        {"css": "att-near", "symbol": "–", "text": "83%", "title": "500 of 600"},
        {"css": "att-low", "symbol": "▼", "text": "50%", "title": "5 of 10"},
        {"css": "att-low", "symbol": "▼", "text": 3, "title": "last 3, min level 5"},
    ]
    assert cells["PRS-02"] == [
        {"css": "att-low", "symbol": "▼", "text": "0%", "title": "0 of 300"},
        None,
        None,
    ]


def test_a_cell_never_reads_a_threshold_it_has_not_reached():
    """Rounded to the nearest, 597 of 600 read "100 % –" and 478 of 600 "80 % ▼": a
    number and a mark that disagree. The text stops one short of 80 % and 100 %."""
    assert grid_cell({"attainment": 0.995, "target": 600, "total": 597}, "tally") == {
        "css": "att-near", "symbol": "–", "text": "99%", "title": "597 of 600"
    }  # fmt: skip
    assert grid_cell({"attainment": 0.7967, "target": 600, "total": 478}, "tally")["text"] == (
        "79%"
    )
    shown = [percent(v) for v in (1.0, 0.8, 0.2667, 0.8467, 1.006, 0.0, None)]
    assert shown == ["100%", "80%", "27%", "85%", "101%", "0%", "—"]  # elsewhere the nearest


def test_the_day_page_reads_verdict_first_with_names_and_one_tap_links(client, summary_plant):
    sign_in(client, "boss")
    html = client.get(f"/summary/{D.isoformat()}").get_data(as_text=True)
    headline = "5 need a decision: 1 safety, 2 stations behind plan"
    assert html.index(headline) < html.index("Counts against target") < html.index("Coverage")
    assert "Blanking press · PRS-01</a>" in html
    assert "Transfer press · PRS-02</a> was not visited" in html
    safety = summary_plant["records"]["safety"].id
    assert f"/summary/observations?day={D.isoformat()}&amp;status=all#o-{safety}" in html
    assert (
        '<td class="num cell att-low" title="0 of 300">0% <span class="mark">▼</span></td>' in html
    )
    assert "Material on hand 3 bins, min level 5 bins" in html  # the unit agrees: "1 bin"
    assert [with_unit(1, "bins"), with_unit(1, "people"), with_unit(2.0, "people")] == [
        "1 bin", "1 person", "2 people"
    ]  # fmt: skip
    # On a phone the filters are folded away
    assert '<details class="filters-fold">' in html
    assert "/report?from=2026-02-04&amp;to=2026-02-10" in html  # the last 7 days


def test_coordinators_see_the_verdict_without_follow_up_links(client, summary_plant):
    sign_in(client, "walker1")
    html = client.get(f"/summary/{D.isoformat()}").get_data(as_text=True)
    assert "5 need a decision" in html
    assert "#o-" not in html


def test_charts_carry_a_legend_axis_titles_and_a_table(client, summary_plant):
    sign_in(client, "boss")
    html = client.get(f"/summary/{D.isoformat()}").get_data(as_text=True)
    assert ">% of target</text>" in html and ">observations</text>" in html
    assert "Attainment against target, 2026-01-28 to 2026-02-10 as a table" in html
    station = client.get("/stations/PRS-01?until=2026-02-10").get_data(as_text=True)
    # PRS-01's material has a min level of 5: drawn as a line and named in the legend
    assert 'class="level-line"' in station and ">min level 5</text>" in station
    assert ">target</text>" in station  # units have a target, drawn as a stepped line


def test_the_grid_has_a_legend_of_station_codes_and_names(client, summary_plant):
    """From 60rem wide the grid shows codes only; the legend under it names them."""
    sign_in(client, "boss")
    html = client.get(f"/summary/{D.isoformat()}").get_data(as_text=True)
    legend = html.split('<section class="card grid-legend"', 1)[1].split("</dl>", 1)[0]
    assert 'aria-labelledby="codes-h"' in legend and '<h2 id="codes-h">Station codes</h2>' in legend
    assert "<div><dt>PRS-01</dt><dd>Blanking press</dd></div>" in legend
    assert "<div><dt>PRS-02</dt><dd>Transfer press</dd></div>" in legend


def test_while_the_day_runs_the_grid_holds_stations_to_its_pace_not_to_the_whole_day(
    summary_plant,
):
    # Half the day gone: 83 % of the units and 50 % of the scrap target are ahead of pace;
    # nothing counted yet at PRS-02 is said so, not painted behind.
    grid = station_grid(the_summary(summary_plant), KINDS, pace=0.5)
    cells = {row["code"]: row["cells"] for row in grid["areas"][0][1]}
    assert [(c["css"], c["symbol"], c["text"]) for c in cells["PRS-01"][:2]] == [
        ("att-met", "✓", "83%"),
        ("att-met", "✓", "50%"),
    ]
    assert cells["PRS-01"][0]["title"] == "500 of 600; on pace: 300 by now"
    assert cells["PRS-01"][2]["css"] == "att-low"  # a level below its minimum stays so
    assert cells["PRS-02"][0] == {
        "css": "att-none", "symbol": "", "text": "—", "title": "not counted yet"
    }  # fmt: skip
    # Near the day's end the same figures fall behind the pace again.
    late = station_grid(the_summary(summary_plant), KINDS, pace=0.95)
    late_cells = {row["code"]: row["cells"] for row in late["areas"][0][1]}
    assert late_cells["PRS-01"][0]["css"] == "att-near"  # 83 % of 95 %: 87 % of pace


def test_while_the_day_runs_a_station_counted_at_zero_is_behind_not_uncounted(
    summary_plant, make_record
):
    # A walker reads PRS-02's board at 0 in the morning: the press stands still, which
    # the grid must show, not the grey "not counted yet" of a station nobody read.
    walker, prs2 = summary_plant["users"]["walker1"], summary_plant["stations"]["PRS-02"]
    make_record(walker, "count", prs2, local(D, 8), {"metric": "units_completed", "value": 0})
    summary = the_summary(summary_plant)
    assert summary["stations"][1]["counts"]["units_completed"] == {
        "total": 0, "target": 300, "attainment": 0.0, "counted": True
    }  # fmt: skip
    cells = {row["code"]: row["cells"] for row in station_grid(summary, KINDS, 0.5)["areas"][0][1]}
    assert cells["PRS-02"][0] == {
        "css": "att-low", "symbol": "▼", "text": "0%", "title": "0 of 300; on pace: 150 by now"
    }  # fmt: skip


def test_the_share_of_the_day_or_shift_gone_by(summary_plant):
    from floorwalk.settings import plant_clock
    from floorwalk.summaries.alerts import elapsed_share

    clock = plant_clock(db.session)
    start, end = clock.day_bounds(D)
    assert elapsed_share(clock, D, None, start + (end - start) / 4) == 0.25
    assert elapsed_share(clock, D, None, end) == 1.0
    assert elapsed_share(clock, D, None, start - (end - start)) == 0.0
    (first, first_start), (_, second_start) = clock.shift_starts(D)[:2]
    middle = first_start + (second_start - first_start) / 2
    assert elapsed_share(clock, D, first.name, middle) == 0.5
    assert elapsed_share(clock, D, first.name, local(D, 23)) == 1.0


def test_a_day_before_the_plants_records_has_nothing_to_decide(client, summary_plant):
    """Before the first walk record every station read missed and behind plan: 40 alerts
    on the demo's January day, for a day nobody used floorwalk."""
    sign_in(client, "boss")
    first = first_record_day(db.session)
    before = client.get(f"/summary/{(first - timedelta(days=3)).isoformat()}").text
    assert "Nothing to report yet" in before and f"records begin on {first.isoformat()}" in before
    assert "need a decision" not in before and "Counts against target" not in before
    on_the_day = client.get(f"/summary/{first.isoformat()}").text
    assert "Nothing to report yet" not in on_the_day and "Counts against target" in on_the_day
