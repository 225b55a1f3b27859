"""Charts draw whatever figures they get: a figure that is not finite draws as none."""

from datetime import date

from floorwalk.summaries.charts import history_chart, trend_chart


def test_a_history_chart_with_an_infinite_or_missing_figure_still_draws():
    points = [
        {"day": date(2026, 2, 9), "value": float("inf"), "target": 10.0, "scheduled": True},
        {"day": date(2026, 2, 10), "value": float("nan"), "target": None, "scheduled": True},
        {"day": date(2026, 2, 11), "value": 5.0, "target": 10.0, "scheduled": True},
    ]
    chart = history_chart(points, "pcs")
    assert chart["value_top"] == 11  # the finite figures set the scale
    assert [bar.height for bar in chart["bars"]][:2] == [0, 0]
    assert chart["bars"][2].height > 0


def test_a_trend_with_an_infinite_attainment_leaves_that_day_off_the_line():
    trend = [
        {"day": "2026-02-09", "observations": 2, "attainment": float("inf")},
        {"day": "2026-02-10", "observations": 1, "attainment": 0.5},
    ]
    chart = trend_chart(trend)
    assert len(chart["dots"]) == 1 and chart["attainment_top"] == 120
