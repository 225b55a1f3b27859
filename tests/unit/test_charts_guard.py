"""Charts draw whatever figures they get: a figure that is not finite draws as none."""

from floorwalk.summaries.plots import readable_chart

DAYS = ["02-09", "02-10", "02-11"]


def test_a_bar_chart_with_an_infinite_or_missing_figure_still_draws_the_rest():
    chart = readable_chart(
        DAYS,
        [float("inf"), float("nan"), 5.0],
        y_title="pcs",
        value_name="Units",
        targets=[10.0, float("inf"), 10.0],
    )
    assert len(chart["bars"]) == 1  # only the finite figure is a bar
    assert chart["ticks"][-1][1] == "10"  # the finite figures set the scale
    assert [row[1] for row in chart["rows"]] == ["—", "—", "5"]


def test_a_line_with_an_infinite_attainment_leaves_that_day_off_the_line():
    chart = readable_chart(
        DAYS[:2],
        [float("inf"), 0.5],
        y_title="attainment",
        value_name="attainment",
        style="line",
        percent=True,
        min_level=float("-inf"),
    )
    assert len(chart["dots"]) == 1 and chart["level_y"] is None
