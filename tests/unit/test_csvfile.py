"""The one CSV writer (DESIGN §5): formulas behind an apostrophe, numbers as numbers,
and what it escapes comes back unchanged through ``unescape``."""

import csv
import io

import pytest

from floorwalk.csvfile import cell, chunks, unescape

TEXTS = ["=SUM(A1)", "-5 bins", "+1", "@cmd", "\tx", "\rx", "plain", "", "a=b", "'quoted"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_cell_comes_back_as_it_was_given(text):
    written = cell(text)
    assert (written == "'" + text) == (text[:1] in ("=", "+", "-", "@", "\t", "\r"))
    assert unescape(written) == text


def test_numbers_stay_numbers_and_none_or_non_finite_is_empty():
    assert [cell(v) for v in (-5, 2.5, None, float("inf"), float("nan"))] == [-5, 2.5, "", "", ""]


def test_a_file_starts_with_a_byte_order_mark_and_reads_back():
    text = "".join(chunks(("a", "b"), [("=1", -2), (None, "ok")]))
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:], newline=""))) == [
        ["a", "b"], ["'=1", "-2"], ["", "ok"]
    ]  # fmt: skip
