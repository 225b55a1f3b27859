"""Signing in and its limits: failed sign-ins counted in the limiter's shared storage or
in the database, never one worker's memory (DESIGN §7, docs/security.md)."""

import logging
import secrets
from datetime import datetime, timedelta
from math import ceil
from time import time

from limits import parse
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from .accounts import AccountError, find_user, hash_password
from .extensions import limiter
from .models import SignInFailure, User

logger = logging.getLogger(__name__)

BAD_CREDENTIALS = "Unknown username or wrong password."

# Failed sign-ins only (DESIGN §7): a whole shift signing in through one proxy must not
# lock itself out, so successes never count.
FAILED_SIGN_IN_LIMITS = (
    (parse("5/minute"), ("account", "address")),
    (parse("20/hour"), ("account",)),
    (parse("50/minute"), ("address",)),
)

# A hash to check against when the user does not exist, so that an unknown username
# takes as long as a wrong password and the answer reveals nothing.
_DUMMY_HASH: dict[int, str] = {}


class SignInBlocked(Exception):
    """Too many failed sign-ins lately: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class LimiterCounts:
    """Failed sign-ins counted by Flask-Limiter in its shared storage (Redis)."""

    def __init__(self, account: str, address: str):
        self.values = {"account": account, "address": address}

    def keys(self, scope: tuple[str, ...]) -> tuple[str, ...]:
        return ("sign-in", "+".join(scope), *(self.values[name] for name in scope))

    def begin(self) -> None:
        strategy = limiter.limiter
        waits = []
        for item, scope in FAILED_SIGN_IN_LIMITS:
            if not strategy.test(item, *self.keys(scope)):
                reset_at = strategy.get_window_stats(item, *self.keys(scope)).reset_time
                waits.append(max(1, int(reset_at - time()) + 1))
        if waits:
            raise SignInBlocked(max(waits))

    def failed(self, session: Session) -> None:
        for item, scope in FAILED_SIGN_IN_LIMITS:
            limiter.limiter.hit(item, *self.keys(scope))

    def succeeded(self, session: Session) -> None:
        pass


class DatabaseCounts:
    """Failed sign-ins counted in the database, which every worker and server shares
    (docs/security.md, "Sign-in limits").

    An attempt is stored before its password is checked, in a transaction of its own, and
    counted with everyone else's: attempts racing on several workers all see each other,
    so no more than the limit ever reach the password check. A successful sign-in takes
    its row out again, in the request's transaction.
    """

    def __init__(self, account: str, address: str, engine: Engine, now: datetime):
        self.account, self.address, self.engine, self.now = account, address, engine, now
        self.row_id = None

    def begin(self) -> None:
        filters = {
            "account": SignInFailure.account == self.account,
            "address": SignInFailure.address == self.address,
        }
        with self.engine.begin() as connection:
            one_attempt_at_a_time(connection, self.account, self.address)
            oldest_kept = self.now - timedelta(days=1)
            connection.execute(delete(SignInFailure).where(SignInFailure.at < oldest_kept))
            self.row_id = connection.execute(
                insert(SignInFailure)
                .values(account=self.account, address=self.address, at=self.now)
                .returning(SignInFailure.id)
            ).scalar_one()
            waits = []
            for item, scope in FAILED_SIGN_IN_LIMITS:
                window = timedelta(seconds=item.get_expiry())
                count, first = connection.execute(
                    select(func.count(), func.min(SignInFailure.at)).where(
                        SignInFailure.at > self.now - window, *(filters[name] for name in scope)
                    )
                ).one()
                if count > item.amount:
                    waits.append(max(1, ceil((first + window - self.now).total_seconds())))
            if waits:
                connection.rollback()  # a refused attempt is no failure
                raise SignInBlocked(max(waits))

    def failed(self, session: Session) -> None:
        pass  # stored already

    def succeeded(self, session: Session) -> None:
        session.execute(delete(SignInFailure).where(SignInFailure.id == self.row_id))


def one_attempt_at_a_time(connection: Connection, account: str, address: str) -> None:
    """Attempts on one account, and from one address, are counted one after another.

    Under PostgreSQL's READ COMMITTED, attempts racing on several workers would each
    insert their row and count before seeing the others' (eight at once all reached the
    password check); a transaction lock per account, then per address, makes each count
    see every attempt before it. Always taken in that order, so two never wait for each
    other. SQLite needs none: the transaction holds its one write lock already.
    """
    if connection.dialect.name != "postgresql":
        return
    for namespace, key in enumerate((account, address), start=1):
        connection.execute(select(func.pg_advisory_xact_lock(namespace, func.hashtext(key))))


def sign_in_counts(
    username: str, address: str, storage_uri: str, engine: Engine, now: datetime
) -> LimiterCounts | DatabaseCounts:
    """Where failures are counted: the limiter's storage when it is shared (Redis), the
    database otherwise, never one worker's memory (DESIGN §7).

    When Redis does not answer, the database counts instead: the limits still hold
    across every server, and sign-in keeps working (docs/security.md, "Redis down")."""
    account = username.strip().lower()
    if storage_uri.startswith("memory") or not shared_storage_answers():
        return DatabaseCounts(account, address[:64], engine, now)
    return LimiterCounts(account, address)


def shared_storage_answers() -> bool:
    if limiter.storage.check():  # a PING
        return True
    logger.warning("Redis does not answer: sign-in failures are counted in the database")
    return False


def authenticate(
    session: Session,
    username: str,
    password: str,
    counts: LimiterCounts | DatabaseCounts,
    iterations: int = 600_000,
) -> User:
    """The user these credentials sign in, or AccountError with one message for any failure.

    Raises SignInBlocked, before checking the password, while the limits are exceeded.
    """
    counts.begin()
    user = find_user(session, username)
    if user is None:
        if iterations not in _DUMMY_HASH:
            _DUMMY_HASH[iterations] = hash_password(secrets.token_hex(8), iterations)
        check_password_hash(_DUMMY_HASH[iterations], password)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password) and user.active
    if not ok:
        counts.failed(session)
        raise AccountError(BAD_CREDENTIALS)
    counts.succeeded(session)
    return user
