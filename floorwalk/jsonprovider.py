"""JSON as every answer gives it: never ``Infinity`` or ``NaN``, which are not JSON and
which a phone's ``JSON.parse`` refuses, so one odd figure cannot break a whole answer.
A non-finite number is answered as ``null`` (no figure)."""

import math
from typing import Any

from flask.json.provider import DefaultJSONProvider


def finite(value: Any) -> Any:
    """``value`` with every non-finite float inside dicts, lists and tuples as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [finite(inner) for inner in value]
    return value


class FiniteJSONProvider(DefaultJSONProvider):
    """Flask's provider, refusing non-finite floats; an answer holding one is dumped
    again with them as null (the walk costs only then)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs["allow_nan"] = False
        try:
            return super().dumps(obj, **kwargs)
        except ValueError:
            return super().dumps(finite(obj), **kwargs)
