"""Plant settings an admin changes at run time: timezone, day start, shifts, public URL,
and after how many minutes an unacknowledged serious observation escalates."""

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import audit_change
from .days import PlantClock, format_shifts, parse_shifts, parse_time, parse_timezone
from .models import Setting, User

DEFAULTS = {
    "timezone": "UTC",
    "day_start": "06:00",
    "shifts": "",
    "public_url": "",
    # DESIGN §9: minutes before an open critical or high observation goes to the managers.
    "escalate_after": "30",
}
# At most a production day: an escalation later than that reaches nobody in time.
ESCALATE_AFTER_MAX = 1440
NAMES = tuple(DEFAULTS)
# In the zone database but no place: the server's own zone, and a placeholder zone.
NOT_A_PLANT_TIMEZONE = {"localtime", "Factory"}


def get_settings(session: Session) -> dict[str, str]:
    stored = dict(session.execute(select(Setting.name, Setting.value)).all())
    return {name: stored.get(name, default) for name, default in DEFAULTS.items()}


def plant_clock(session: Session) -> PlantClock:
    return clock_of(get_settings(session))


def clock_of(values: dict[str, str]) -> PlantClock:
    """The plant's clock by the settings ``values`` (as ``get_settings`` gives them)."""
    return PlantClock(
        timezone=values["timezone"],
        day_start=parse_time(values["day_start"]),
        shifts=parse_shifts(values["shifts"]),
    )


def public_url(session: Session, fallback: str = "") -> str:
    """The base URL printed on QR labels: the setting, else the configured one."""
    return get_settings(session)["public_url"] or fallback


def check_public_url(value: str) -> str:
    """``value`` as the public URL labels print (without a trailing "/"), or ValueError:
    http or https, a host (and port), nothing else — no user, path, query or fragment,
    no whitespace or control characters."""
    refusal = (
        f"{value!r} is not a public URL: give scheme and host only, "
        "e.g. https://floorwalk.example.com"
    )
    if not value or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(refusal)
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise ValueError(refusal) from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or not port_ok
        or "@" in parts.netloc
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
    ):
        raise ValueError(refusal)
    return value.removesuffix("/")


def parse_escalate_after(value: str) -> int:
    """Minutes, 1 to 1440 (empty: the default, 30); ValueError saying what is wrong."""
    value = value.strip() or DEFAULTS["escalate_after"]
    refusal = f"escalate_after must be a whole number of minutes from 1 to {ESCALATE_AFTER_MAX}"
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"{refusal}, not {value!r}.")
    minutes = int(value)
    if not 1 <= minutes <= ESCALATE_AFTER_MAX:
        raise ValueError(f"{refusal}, not {minutes}.")
    return minutes


def _normalize(name: str, value: str, current: dict[str, str]) -> dict[str, str]:
    """The settings to store for ``name = value``; raises ValueError when refused."""
    if name == "timezone":
        if value.strip() in NOT_A_PLANT_TIMEZONE:
            raise ValueError(
                f"{value.strip()!r} is not a place's timezone: use an IANA name such as "
                "America/Chicago"
            )
        return {"timezone": parse_timezone(value)}
    if name == "day_start":
        start = parse_time(value)
        shifts = parse_shifts(current["shifts"])
        if shifts and shifts[0].start != start:
            raise ValueError(
                f"day_start must be the first shift's start ({shifts[0].start:%H:%M}) "
                "while shifts are set; change the shifts instead"
            )
        return {"day_start": f"{start:%H:%M}"}
    if name == "shifts":
        shifts = parse_shifts(value)
        if not shifts:
            return {"shifts": ""}
        # The first shift listed starts the production day.
        return {"shifts": format_shifts(shifts), "day_start": f"{shifts[0].start:%H:%M}"}
    if name == "public_url":
        value = value.strip()
        return {"public_url": check_public_url(value) if value else ""}
    if name == "escalate_after":
        return {"escalate_after": str(parse_escalate_after(value))}
    raise ValueError(f"unknown setting {name!r}: choose one of {', '.join(NAMES)}")


def set_setting(
    session: Session, name: str, value: str, actor: User | None = None
) -> dict[str, str]:
    """Validate and store a setting, audited as ``actor``'s doing (None: the command
    line); returns every setting that changed with it. Raises ValueError when refused."""
    current = get_settings(session)
    changes = _normalize(name, value, current)
    for key, new_value in changes.items():
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(name=key, value=new_value))
        else:
            row.value = new_value
        audit_change(session, actor, "setting", key, {key: current[key]}, {key: new_value})
    session.flush()
    return changes


# The order the settings form stores its fields in: shifts set the day start.
SETTING_ORDER = ("timezone", "shifts", "day_start", "public_url", "escalate_after")


def save_settings(session: Session, actor: User | None, values: dict[str, str]) -> dict[str, str]:
    """Store the changed settings of the form, each checked and audited by
    ``set_setting``; returns errors by field. The caller rolls back when errors come back.

    Shifts go before the day start, which they set; with shifts the day start field is
    left alone.
    """
    errors = {}
    for name in SETTING_ORDER:
        current = get_settings(session)
        value = (values.get(name) or "").strip()
        if name == "day_start" and current["shifts"]:
            continue
        if value == current[name]:
            continue
        try:
            set_setting(session, name, value, actor)
        except ValueError as error:
            errors[name] = str(error)
    return errors
