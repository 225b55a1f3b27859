"""Charts people can read: one y-axis with a title, a legend, target and level lines where
they exist, the figures as a table (summaries/plots.py)."""

from floorwalk.summaries.plots import readable_chart, trend_charts


def test_a_chart_draws_its_target_and_min_level_and_lists_its_figures():
    chart = readable_chart(
        ["02-09", "02-10"], [450, None], y_title="pcs", value_name="total",
        targets=[600, 600], min_level=100,
    )  # fmt: skip
    # one axis 0..1000 (600 rounds up to the next 1, 2, 2.5 or 5 times a power of ten)
    assert [label for _, label in chart["ticks"]] == ["0", "500", "1000"]
    assert [kind for kind, _, _ in chart["legend"]] == ["value", "target", "level"]
    assert chart["legend"][2][1] == "min level 100"
    assert chart["target"] and chart["level_y"] is not None
    assert len(chart["bars"]) == 1  # no bar for a day without a figure
    assert chart["rows"] == [("02-09", "450", "600"), ("02-10", "—", "600")]
    assert chart["font"] * 330 / chart["width"] >= 11  # at a phone card's ~330 px


def test_the_trend_is_two_charts_each_with_one_y_axis():
    trend = [
        {"day": "2026-02-09", "attainment": 0.75, "observations": 1},
        {"day": "2026-02-10", "attainment": None, "observations": 3},
    ]
    (att_key, _, attainment), (obs_key, _, observations) = trend_charts(trend)
    assert (att_key, obs_key) == ("attainment", "observations")
    assert attainment["y_title"] == "% of target" and observations["y_title"] == "observations"
    assert [label for _, label in attainment["ticks"]] == ["0%", "50%", "100%"]
    assert attainment["rows"] == [("02-09", "75%", "100%"), ("02-10", "—", "100%")]
    assert [label for _, label in observations["ticks"]] == ["0", "2.5", "5"]
