"""The fast record loader gives exactly what RecordSchema gives, or stands aside.

Push loads records through ``fast_load_record`` and falls back to the marshmallow
schema when it answers ``None``: whatever it accepts must be what the schema accepts,
with the same values, or a push would store what the contract refuses.
"""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from floorwalk.sync.fastload import fast_load_record, load_record
from floorwalk.sync.schemas import RecordSchema
from tests.factories import OBSERVED, record, stamp

TYPES = ("visit", "count", "observation", "employee_note", "walk")


def plain_records() -> list[dict]:
    photo = str(uuid.uuid4())
    return [
        record(17, "visit"),
        record(17, "count", offset_ms=-1200, walk=str(uuid.uuid4())),
        record(17, "count", data={"metric": "scrap", "value": 2.5, "note": None}),
        record(17, "observation", deleted=True, version=4),
        record(17, "observation", data={"category": "safety", "severity": "low",
                                        "text": "Cable", "photos": [photo], "minutes": 5}),
        record(17, "employee_note"),
        record(17, "walk", data={"route": 3, "started_at": stamp(OBSERVED),
                                 "ended_at": stamp(OBSERVED)}),
    ]  # fmt: skip


@pytest.mark.parametrize("raw", plain_records(), ids=lambda raw: raw["type"])
def test_plain_records_take_the_fast_path_and_load_as_the_schema_does(raw):
    fast = fast_load_record(raw)
    assert fast is not None
    assert fast == RecordSchema().load(raw)


ODD_VALUES = st.one_of(
    st.sampled_from([
        None, True, False, 0, 1, -1, 2**31 - 1, 2**31, 10**400, 1e308, float("nan"),
        float("inf"), "", "PRS-04", "prs 04", "x" * 64, "x" * 65, "x" * 5000,
        "bad\x00text", "bad\ud800text", "2026-11-24T14:03:12.345+01:00",
        "2026-11-24T14:03:12", "2026-11-24T14:03:12.345000000000000000000000000+01:00",
        "9b3c0e4e-8a5e-4a47-9b0f-2b6f7a1f3c11", "{9b3c0e4e-8a5e-4a47-9b0f-2b6f7a1f3c11}",
        "urn:uuid:9b3c0e4e-8a5e-4a47-9b0f-2b6f7a1f3c11", "units_completed", "safety",
        "high", "recognition", "E1001", "40", [], [str(uuid.uuid4())], ["nope"], {},
        [str(uuid.uuid4())] * 21, *TYPES,
    ]),
    st.text(max_size=8),
    st.integers(),
    st.floats(),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=4),
        lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=4,
    ),
)  # fmt: skip
FIELD_NAMES = st.sampled_from([
    "id", "type", "station", "author", "version", "observed_at", "offset_ms", "walk",
    "deleted", "data", "status", "colour",
])  # fmt: skip
DATA_NAMES = st.sampled_from([
    "metric", "value", "note", "category", "severity", "text", "photos", "minutes",
    "employee", "kind", "route", "started_at", "ended_at", "colour",
])  # fmt: skip


@st.composite
def odd_records(draw) -> dict:
    """A plain record with a few fields (of the record or its data) set to odd values,
    removed, or added."""
    raw = dict(draw(st.sampled_from(plain_records())))
    data = raw["data"] = dict(raw["data"])
    for target, names in ((data, DATA_NAMES), (raw, FIELD_NAMES)):
        for _ in range(draw(st.integers(0, 2))):
            name = draw(names)
            if draw(st.integers(0, 4)) == 0:
                target.pop(name, None)
            else:
                target[name] = draw(ODD_VALUES)
    return raw


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(odd_records())
def test_the_fast_path_accepts_nothing_the_schema_refuses_or_loads_otherwise(raw):
    fast = fast_load_record(raw)
    try:
        expected = RecordSchema().load(raw)
    except ValidationError:
        assert fast is None
    else:
        assert fast is None or fast == expected


def test_a_record_the_fast_path_leaves_is_answered_with_the_schemas_errors():
    raw = {**record(17, "count"), "version": True, "observed_at": "2026-11-24T14:03:12"}
    with pytest.raises(ValidationError) as caught:
        load_record(raw)
    assert set(caught.value.messages) == {"version", "observed_at"}
