"""The period report's page, CSV and JSON, and areas by name on every summary URL, as
users meet them; the figures are those of tests/report_plant.py."""

import re
from datetime import date, timedelta

import pytest

from tests.http.test_summary_views import assert_no_inline_styles_or_scripts, rows_of
from tests.report_plant import begin_history, build_period
from tests.support import sign_in

PERIOD = "from=2026-02-27&to=2026-03-08"


@pytest.fixture
def period(make_user, make_station, make_metric, make_record):
    """The report plant, its records begun weeks before: both periods are whole."""
    built = build_period(make_user, make_station, make_metric, make_record)
    begin_history(built, make_record, date(2026, 2, 1))
    return built


@pytest.mark.parametrize("username", ["coord", "sup_press", "boss"])
def test_every_role_reads_the_report_as_json(client, period, username):
    sign_in(client, username)
    response = client.get(f"/api/v1/report?{PERIOD}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["stations"][0]["counts"]["units_completed"] == {
        "total": 280,
        "target": 1050,
        "attainment": 0.2667,
    }
    assert body["previous"]["from"] == "2026-02-17"
    assert body["actions"] == {"opened": 0, "closed": 0, "overdue": 0}


@pytest.mark.parametrize("area", ["Welding", "welding", "{welding_id}"])
def test_an_area_is_asked_for_by_name_or_by_number(client, period, area):
    sign_in(client, "boss")
    area = area.format(welding_id=period["areas"]["Welding"])
    body = client.get(f"/api/v1/report?{PERIOD}&area={area}").get_json()
    assert body["area"] == "Welding"
    assert [s["code"] for s in body["stations"]] == ["WLD-01"]


@pytest.mark.parametrize(
    "url",
    [
        "/summary/2026-03-02?area=Press Shop",
        "/summary/2026-03-02.csv?area=Press Shop",
        "/api/v1/summary/2026-03-02?area=Press%20Shop",
        "/summary/records.csv?from=2026-03-02&to=2026-03-02&area=Press Shop",
        "/summary/observations?area=Press Shop",
        f"/report?{PERIOD}&area=Press Shop",
        f"/report.csv?{PERIOD}&area=Press Shop",
    ],
)
def test_every_summary_url_takes_an_area_by_name(client, period, url):
    sign_in(client, "boss")
    response = client.get(url)
    assert response.status_code == 200
    assert "WLD-01" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/report?to=2026-03-08", 400, "Check from: give a day as YYYY-MM-DD."),
        (
            "/api/v1/report?from=2026-02-30&to=2026-03-08",
            400,
            "Check from: use a day as YYYY-MM-DD.",
        ),
        (
            "/api/v1/report?from=2026-03-08&to=2026-02-27",
            400,
            "The period ends (2026-02-27) before it starts (2026-03-08).",
        ),
        (
            "/api/v1/report?from=2025-01-01&to=2026-03-08",
            400,
            "A report spans at most a year (366 days); this asks 432.",
        ),
        (
            f"/api/v1/report?{PERIOD}&area=Paint Shop",
            404,
            "No area is named 'Paint Shop': give an area's name or its number.",
        ),
        (
            f"/api/v1/report?{PERIOD}&shift=Z",
            400,
            "Unknown shift 'Z': the plant's shifts are A, B.",
        ),
        (
            "/api/v1/summary/2026-03-02?area=Paint Shop",
            404,
            "No area is named 'Paint Shop': give an area's name or its number.",
        ),
    ],
)
def test_bad_parameters_are_answered_with_a_sentence(client, period, url, status, message):
    sign_in(client, "boss")
    response = client.get(url)
    assert response.status_code == status
    assert response.get_json()["error"]["message"] == message


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/summary/2026-03-02?area=Paint Shop", 404, "No area is named &#39;Paint Shop&#39;"),
        ("/report?from=2026-02-30&to=2026-03-08", 400, "Check from: use a day as YYYY-MM-DD."),
        ("/report?from=2026-02-27", 400, "Check to: give a day as YYYY-MM-DD."),
    ],
)
def test_pages_answer_bad_parameters_with_a_sentence_not_a_dict(
    client, period, url, status, message
):
    sign_in(client, "boss")
    response = client.get(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    assert "{" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_the_report_page_shows_stations_by_name_against_the_previous_period(client, period):
    sign_in(client, "coord")
    response = client.get(f"/report?{PERIOD}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_no_inline_styles_or_scripts(html)
    assert "Report · 2026-02-27 to 2026-03-08" in html
    assert "compared with 2026-02-17 to 2026-02-26" in html
    assert "Blanking press" in html and "Robot cell" in html
    assert "280 / 1050" in html and "27% ▼" in html  # below 80 %: a mark, not only a colour
    assert "1/8" in html  # WLD-01 visited on 1 of its 8 scheduled days


def test_the_report_csv_has_a_row_per_station_and_metric_with_the_previous_period(client, period):
    sign_in(client, "coord")
    response = client.get(f"/report.csv?{PERIOD}")
    assert response.status_code == 200
    assert "report-2026-02-27-to-2026-03-08.csv" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert [(r["station"], r["metric"]) for r in rows] == [
        ("PRS-01", "units_completed"),
        ("PRS-01", "scrap"),
        ("PRS-01", "material_on_hand"),
        ("PRS-02", "units_completed"),
        ("WLD-01", "units_completed"),
    ]
    assert rows[0] == {
        "from": "2026-02-27",
        "to": "2026-03-08",
        "area": "Press Shop",
        "station": "PRS-01",
        "name": "Blanking press",
        "metric": "units_completed",
        "total": "280",
        "target": "1050",
        "attainment": "0.2667",
        "previous_total": "95",
        "previous_target": "1000",
        "previous_attainment": "0.095",
    }


def test_previous_shows_a_dash_where_the_previous_period_has_no_figures(client, period):
    """Only PRS-01 was visited in the previous period (95 on 02-20): the other stations'
    previous attainment is "—", not 0 %."""
    sign_in(client, "coord")
    html = client.get(f"/report?{PERIOD}").get_data(as_text=True)
    station_rows = {}
    for body in html.split("<tbody>")[1:]:
        code = body.split("</a>", 1)[0].rsplit(">", 1)[-1]
        station_rows[code] = body

    def cells(code):
        return re.findall(r'<td class="num">([^<]*)</td>', station_rows[code])

    assert "10%" in cells("PRS-01")  # 95 of 1,000
    assert "0%" not in cells("PRS-02") and "—" in cells("PRS-02")
    assert "0%" not in cells("WLD-01") and "—" in cells("WLD-01")


def test_each_station_has_a_sparkline_that_says_its_trend(client, period):
    sign_in(client, "coord")
    html = client.get(f"/report?{PERIOD}").get_data(as_text=True)
    labels = re.findall(r'<svg class="sparkline"[^>]*role="img" aria-label="([^"]*)"', html)
    assert len(labels) == 3
    assert labels[0].startswith("PRS-01 Blanking press: attainment ")
    assert "not measured" not in labels[0]


def test_reports_in_the_navigation_opens_the_last_complete_week(client, period):
    from floorwalk.extensions import db
    from floorwalk.models import utcnow
    from floorwalk.settings import plant_clock

    sign_in(client, "coord")
    assert '<a href="/report">Reports</a>' in client.get("/summary").get_data(as_text=True)
    response = client.get("/report")
    yesterday = plant_clock(db.session).production_day(utcnow()) - timedelta(days=1)
    start = yesterday - timedelta(days=6)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/report?from={start}&to={yesterday}"
    assert client.get(response.headers["Location"]).status_code == 200
    area = client.get("/report?area=Press+Shop&shift=A").headers["Location"]
    assert area == f"/report?area=Press+Shop&shift=A&from={start}&to={yesterday}"
    # Half a span is still a mistake, said in a sentence.
    half = client.get("/report?from=2026-02-27")
    assert half.status_code == 400 and "to:" in half.get_data(as_text=True)


def test_the_page_says_which_days_before_the_records_it_leaves_out(client, period):
    """The plant's records begin on 02-01: a report asked from 01-20 counts from 02-01,
    says so, and its CSV's rows start there too."""
    sign_in(client, "boss")
    html = client.get("/report?from=2026-01-20&to=2026-03-08").get_data(as_text=True)
    assert "<h1>Report · 2026-02-01 to 2026-03-08</h1>" in html
    assert (
        "The plant's records begin on 2026-02-01: the 12 days asked for before it (from "
        "2026-01-20) are left out, not counted as missed." in html
    )
    # The previous period, 01-21..01-31, lies before the records: nothing to compare.
    assert re.search(r'<dt>Observations</dt><dd>2</dd>\s*<dd class="change">— vs previous', html)
    assert "The plant's records begin" not in client.get(f"/report?{PERIOD}").get_data(True)
    # A period that ends before the records begin has nothing counted to show, where its
    # stations read "0 % ▼, visited 0 of 7 days".
    before = client.get("/report?from=2026-01-20&to=2026-01-26").get_data(as_text=True)
    assert "Nothing to report yet" in before and "The plant's records begin on 2026-02-01" in before
    assert "0% ▼" not in before and "Stations: totals" not in before
    assert "Nothing to report yet" not in html
    csv = client.get("/report.csv?from=2026-01-20&to=2026-03-08").get_data(as_text=True)
    assert csv.splitlines()[1].startswith("2026-02-01,2026-03-08,")
