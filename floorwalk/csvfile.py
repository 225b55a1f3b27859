"""The one CSV writer of floorwalk (DESIGN §5), for every download: UTF-8 with a
byte-order mark, so spreadsheet programs read accents, and no cell a spreadsheet would
run. A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is written with a leading apostrophe (OWASP CSV injection); numbers stay numbers.
``unescape`` takes the apostrophe off again, so that an export imported gives back the
same values.
"""

import csv
import io
import math
from collections.abc import Iterable, Iterator
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 16_384


def cell(value: Any) -> Any:
    """A value as a CSV cell: None empty, numbers as numbers (a non-finite one empty),
    text that would start a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value if math.isfinite(value) else ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape(text: str) -> str:
    """A cell as ``cell`` wrote it, back to the text it was given."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def chunks(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text in chunks of about 16 kB, to stream: the byte-order mark, the header,
    then each row through ``cell``."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def document(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A whole CSV file as bytes (UTF-8, byte-order mark first)."""
    return "".join(chunks(header, rows)).encode("utf-8")
