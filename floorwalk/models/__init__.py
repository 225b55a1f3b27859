"""The data model: one plant, its catalog, its people and what the phones capture.

Models hold data and relationships only: no serialization, no commits. Instants are
stored as timezone-aware UTC (``UtcDateTime``); plant time exists only in ``days.py``.

Split by what the rows are about: ``base`` (vocabularies, UTC instants), ``plant``,
``records``, ``system``; every model is imported from here.
"""

from .base import (
    CODE_PATTERN,
    MAX_TEXT,
    METRIC_KINDS,
    NOTE_KINDS,
    OBSERVATION_STATUSES,
    RECORD_TYPES,
    ROLES,
    SEVERITIES,
    JsonType,
    Tracked,
    UtcDateTime,
    one_of,
    utcnow,
)
from .notify import (
    JobRun,
    Notification,
    NotificationPreference,
    OutboxMail,
)
from .plant import (
    Area,
    Category,
    Employee,
    Metric,
    PlanTarget,
    Route,
    RouteStop,
    Setting,
    Station,
    StationMetric,
    UnscheduledStation,
    User,
    user_areas,
)
from .records import (
    Handover,
    Photo,
    Record,
    RecordPhoto,
    RecordVersion,
)
from .system import (
    AuditEvent,
    Device,
    Removal,
    SignInFailure,
    SyncState,
    UserSession,
)

__all__ = [
    "Area",
    "AuditEvent",
    "CODE_PATTERN",
    "Category",
    "Device",
    "Employee",
    "Handover",
    "JobRun",
    "JsonType",
    "MAX_TEXT",
    "METRIC_KINDS",
    "Metric",
    "NOTE_KINDS",
    "Notification",
    "NotificationPreference",
    "OBSERVATION_STATUSES",
    "OutboxMail",
    "Photo",
    "PlanTarget",
    "RECORD_TYPES",
    "ROLES",
    "Record",
    "RecordPhoto",
    "RecordVersion",
    "Removal",
    "Route",
    "RouteStop",
    "SEVERITIES",
    "Setting",
    "SignInFailure",
    "Station",
    "StationMetric",
    "SyncState",
    "Tracked",
    "UnscheduledStation",
    "User",
    "UserSession",
    "UtcDateTime",
    "one_of",
    "user_areas",
    "utcnow",
]
