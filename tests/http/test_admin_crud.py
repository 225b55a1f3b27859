"""The admin spec's own promises: a station's metric form is read all or nothing."""

import pytest
from marshmallow import ValidationError

from floorwalk import catalog
from floorwalk.extensions import db
from floorwalk.views.admin.stations import metric_rows


def test_metric_rows_report_every_bad_field_at_once(make_station, make_metric):
    station = make_station()
    units = make_metric("units")
    catalog.set_station_metric(db.session, None, station, units, 10.0, None)
    data = {"target-units": "-1", "metric-new": "nope", "min_level-new": "x"}
    with pytest.raises(ValidationError) as refused:
        metric_rows(station, data, lambda key: None)
    assert set(refused.value.messages) == {"target-units", "metric-new", "min_level-new"}


def test_metric_rows_keep_page_order_and_mark_removals(make_station, make_metric):
    station = make_station()
    first, second = make_metric("units"), make_metric("scrap")
    for metric in (first, second):
        catalog.set_station_metric(db.session, None, station, metric, None, None)
    data = {"remove-units": "yes", "target-scrap": "5", "metric-new": "bins"}
    steps = metric_rows(station, data, lambda key: key)
    assert [(m if isinstance(m, str) else m.key, v and v["target"]) for _, m, v in steps] == [
        ("units", None),
        ("scrap", 5.0),
        ("bins", None),
    ]
