"""Who may see and do what (DESIGN §1): every "may" rule of floorwalk, in one place.

Pages, the API, pull, CSV downloads, photos and follow-up all ask these functions; none
writes a role check of its own. Where a rule also filters rows in SQL, its filter form
stands beside it, so that a list and a single check can never disagree.

| role        | walks | reads employee notes            | follows up observations |
|-------------|-------|---------------------------------|-------------------------|
| coordinator | yes   | its own                         | no                      |
| supervisor  | yes   | its own and its areas' employees | in its areas            |
| manager     | no*   | all                             | all                     |
| admin       | no*   | all                             | all                     |

Actions (DESIGN §9, docs/actions.md): a coordinator sees the actions it owns or created;
a supervisor also its areas' (an action's area is its station's, or without a station
its owner's areas); managers and admins all. The owner starts and finishes an action;
its creator, its area's supervisors, managers and admins may do anything with it.

(*) Managers and admins may use the phone app too; nothing stops them.
"""

from typing import Any

from sqlalchemy import and_, exists, false, or_, select

from .models import (
    ACTION_RECORD_TYPES,
    ROLES,
    Action,
    Employee,
    Record,
    Station,
    User,
    user_areas,
)

EVERY_ROLE = ROLES
# Roles that follow observations up and may download every record of a period.
FOLLOW_UP_ROLES = ("supervisor", "manager", "admin")
SEES_EVERYTHING = ("manager", "admin")


def sees_everything(user: User) -> bool:
    return user.role in SEES_EVERYTHING


def may_follow_up_at_all(user: User) -> bool:
    """Whether ``user`` has the follow-up list and the raw records download at all."""
    return user.role in FOLLOW_UP_ROLES


def may_see_phones_at_risk(user: User) -> bool:
    """Whether the day summary tells ``user`` how many phones hold day-old unsent data
    (DESIGN §11); the device list itself is an admin page."""
    return user.role in SEES_EVERYTHING


def may_list_devices(user: User) -> bool:
    return user.role == "admin"


def area_ids(user: User) -> set[int]:
    return {area.id for area in user.areas}


# Observations: acknowledge and resolve -------------------------------------------------


def supervised_area_ids(user: User) -> set[int] | None:
    """Areas whose observations ``user`` may follow up; None means every area."""
    if sees_everything(user):
        return None
    if user.role == "supervisor":
        return area_ids(user)
    return set()


def may_follow_up(user: User, record: Record) -> bool:
    areas = supervised_area_ids(user)
    if areas is None:
        return True
    return record.station is not None and record.station.area_id in areas


def followed_up_filter(user: User, station_area_column) -> Any:
    """The SQL form of ``may_follow_up``, on a query joined to the record's station."""
    areas = supervised_area_ids(user)
    return True if areas is None else station_area_column.in_(areas)


# Shift handover (DESIGN §10) -------------------------------------------------------------


def may_write_handover_note(user: User) -> bool:
    """The outgoing lead's note: supervisors, managers and admins; coordinators read."""
    return user.role in FOLLOW_UP_ROLES


def may_acknowledge_handover(user: User, concerned_area_ids: set[int]) -> bool:
    """Managers and admins; a supervisor of an area the handover concerns (of any area,
    when it concerns none); coordinators read."""
    areas = supervised_area_ids(user)
    if areas is None:
        return True
    if user.role != "supervisor":
        return False
    return bool(areas & concerned_area_ids) if concerned_area_ids else True


# Employee notes ---------------------------------------------------------------------


def may_read_note(viewer: User, author_id: int, employee_area_id: int | None) -> bool:
    """The author, supervisors of the employee's area, managers and admins."""
    if sees_everything(viewer) or viewer.id == author_id:
        return True
    return viewer.role == "supervisor" and employee_area_id in area_ids(viewer)


def readable_notes_filter(viewer: User) -> Any:
    """The SQL form of ``may_read_note``, for a query of records joined to Employee."""
    if sees_everything(viewer):
        return True
    readable = Record.author_id == viewer.id
    if viewer.role == "supervisor":
        readable = or_(readable, Employee.area_id.in_(area_ids(viewer)))
    return readable


# Records and photos -------------------------------------------------------------------


def may_view_record(viewer: User, record: Record, action: Action | None = None) -> bool:
    """Everyone sees station history; an employee note by ``may_read_note``; an action
    or its update as its ``action`` by ``may_see_action``; a withdrawn record stays in
    history for its author, managers and admins."""
    if sees_everything(viewer) or record.author_id == viewer.id:
        return True
    if record.deleted:
        return False
    if record.type in ACTION_RECORD_TYPES:
        return action is not None and may_see_action(viewer, action)
    if record.type == "employee_note":
        employee = record.employee
        return may_read_note(viewer, record.author_id, employee.area_id if employee else None)
    return True


def may_view_unclaimed_photo(viewer: User, uploader_id: int) -> bool:
    """A photo no record names yet: its uploader and admins only."""
    return viewer.id == uploader_id or viewer.role == "admin"


# Actions (DESIGN §9) -------------------------------------------------------------------


def action_area_ids(action: Action) -> set[int]:
    """An action's areas: its station's area, or without a station its owner's areas
    (the supervisors an overdue action escalates to, DESIGN §9)."""
    if action.station_id is not None:
        station = action.station
        return {station.area_id} if station is not None else set()
    return area_ids(action.owner) if action.owner is not None else set()


def actions_in_areas_filter(areas: set[int]) -> Any:
    """The SQL form of ``action_area_ids(action) & areas``, on a query of Action."""
    station_in = exists().where(Station.id == Action.station_id, Station.area_id.in_(areas))
    owner_in = exists().where(
        user_areas.c.user_id == Action.owner_id, user_areas.c.area_id.in_(areas)
    )
    return or_(station_in, and_(Action.station_id.is_(None), owner_in))


def may_see_action(viewer: User, action: Action) -> bool:
    """Its owner, and whoever steers it (``may_steer_action``); the same people may start
    it and mark it done."""
    return viewer.id == action.owner_id or may_steer_action(viewer, action)


def visible_actions_filter(viewer: User) -> Any:
    """The SQL form of ``may_see_action``, on a query of Action."""
    if sees_everything(viewer):
        return True
    visible = or_(Action.owner_id == viewer.id, Action.created_by_id == viewer.id)
    if viewer.role == "supervisor":
        areas = area_ids(viewer)
        visible = or_(visible, actions_in_areas_filter(areas) if areas else false())
    return visible


def may_steer_action(user: User, action: Action) -> bool:
    """Whoever may do anything with an action (reassign, move its due date, cancel,
    reopen, verify): its creator, its area's supervisors, managers and admins."""
    if sees_everything(user) or user.id == action.created_by_id:
        return True
    return user.role == "supervisor" and bool(action_area_ids(action) & area_ids(user))


def assignable_users_query() -> Any:
    """Whom an action may be given to: every active user (DESIGN §9)."""
    return select(User).where(User.active.is_(True)).order_by(User.username)
