"""The change counter that numbers every writing transaction, for pull's cursors, and
the catalog counter that moves with a change to the catalog or the plan.

A transaction takes its number the first time it flushes a change to a mirrored row
and stamps every such row with it. Taking the number is an UPDATE of the single
``sync_state`` row, whose lock is held until commit: a second writer waits for the
first to commit before it gets the next number, so numbers become visible in order.
A flush that adds, changes or deletes a catalog row (``CATALOG``) moves
``catalog_seq`` too, once per transaction: the summaries keep the catalog they read
until it moves (summaries/plant.py), where pushes move the change counter all day.
Catalog rows are written through the ORM only, so this sees every change of them.
"""

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from .models import (
    Area,
    Category,
    Metric,
    PlanTarget,
    RouteStop,
    Setting,
    Station,
    StationMetric,
    SyncState,
    Tracked,
    UnscheduledStation,
)

_SEQ_KEY = "floorwalk_change_seq"
_CATALOG_KEY = "floorwalk_catalog_changed"
# What the summaries read of the catalog and the plan (summaries/plant.py).
CATALOG = (Area, Station, StationMetric, Metric, Category, Setting, PlanTarget, UnscheduledStation)


def transaction_change_seq(session: Session) -> int:
    """This transaction's change number, taken on first use."""
    seq = session.info.get(_SEQ_KEY)
    if seq is None:
        # Through the connection, not session.execute, so no autoflush runs inside a flush.
        seq = (
            session.connection()
            .execute(
                update(SyncState)
                .where(SyncState.id == 1)
                .values(change_seq=SyncState.change_seq + 1)
                .returning(SyncState.change_seq)
            )
            .scalar_one()
        )
        session.info[_SEQ_KEY] = seq
    return seq


def holds_catalog_change(session: Session) -> bool:
    """Whether this transaction has changed the catalog (so moved the catalog counter,
    uncommitted)."""
    return _CATALOG_KEY in session.info


def _mirrored_rows(session: Session):
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Tracked) and obj not in session.deleted:
            if obj in session.new or session.is_modified(obj):
                yield obj
        # A station's metrics and a route's stops travel with their parent.
        elif isinstance(obj, StationMetric) and obj.station is not None:
            yield obj.station
        elif isinstance(obj, RouteStop) and obj.route is not None:
            yield obj.route


@event.listens_for(Session, "before_flush")
def _stamp_changed_rows(session: Session, flush_context, instances) -> None:
    rows = list(_mirrored_rows(session))
    if rows:
        seq = transaction_change_seq(session)
        for row in rows:
            row.change_seq = seq
    if _CATALOG_KEY not in session.info and any(
        isinstance(obj, CATALOG) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        session.connection().execute(
            update(SyncState).where(SyncState.id == 1).values(catalog_seq=SyncState.catalog_seq + 1)
        )
        session.info[_CATALOG_KEY] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_change_seq(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_SEQ_KEY, None)
        session.info.pop(_CATALOG_KEY, None)
