"""What a catalog change that cannot be made raises, and how phones learn of removals."""

from sqlalchemy.orm import Session

from ..changes import transaction_change_seq
from ..models import Removal


class CatalogError(ValueError):
    """A change that cannot be made, with the form field it concerns (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def add_removal(session: Session, kind: str, row_id: int) -> None:
    """Tell phones, through pull, that a mirrored row is gone for good."""
    session.add(Removal(kind=kind, key=str(row_id), change_seq=transaction_change_seq(session)))
