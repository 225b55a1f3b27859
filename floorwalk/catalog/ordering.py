"""Ordered lists an admin rearranges one place at a time: route stops, station metrics."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from ..audit import audit_change
from .errors import CatalogError


def move_one_place(
    session: Session,
    actor,
    names: list[str],
    index: int,
    step: int,
    *,
    store: Callable[[list[str]], None],
    audited: tuple[str, Any, str],
) -> None:
    """Swap ``names[index]`` with its neighbour (step -1 up, +1 down), ``store`` the new
    order and audit it as ``(entity, key, field)`` with the order before and after.

    Route stops and a station's metrics both move with it. A move off either end, or
    from a place the list no longer has (a page left open while the list changed), is
    refused with a CatalogError and stores nothing.
    """
    if step not in (-1, 1):
        raise ValueError(f"a move is one place up (-1) or down (+1), not {step}")
    if not 0 <= index < len(names):
        raise CatalogError(f"The list has no place {index + 1} any more; reload the page.")
    other = index + step
    if not 0 <= other < len(names):
        end, way = ("first", "up") if step < 0 else ("last", "down")
        raise CatalogError(f"{names[index]} is already {end}, so it cannot move {way}.")
    order = list(names)
    order[index], order[other] = order[other], order[index]
    store(order)
    entity, key, name = audited
    audit_change(session, actor, entity, key, {name: list(names)}, {name: order}, "reorder")
