"""A demo plant: three areas, twenty stations, fifteen employees and a week of walks.

The history is made the way phones make it: records with client ids, stored through the
push (``apply_push``), so the summaries, station pages and sync read rows as a push
stores them.
"""

import random
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .accounts import create_user
from .models import (
    Area,
    Employee,
    Metric,
    Record,
    Route,
    RouteStop,
    Station,
    StationMetric,
    User,
)
from .settings import plant_clock, set_setting
from .sync.push import apply_push
from .sync.schemas import MAX_RECORDS

TIMEZONE = "America/Chicago"
SHIFTS = "A=06:00,B=14:00,C=22:00"

AREAS = {
    "Press Shop": (
        "PRS",
        [
            "Blanking press",
            "Transfer press",
            "Tandem line 1",
            "Tandem line 2",
            "Progressive die",
            "Coil slitter",
        ],
    ),
    "Welding": (
        "WLD",
        [
            "Robot cell 1",
            "Robot cell 2",
            "Spot weld line",
            "Stud welding",
            "Seam welder",
            "Rework bay",
        ],
    ),
    "Assembly": (
        "ASM",
        [
            "Door line",
            "Seat install",
            "Harness station",
            "Dash module",
            "Final torque",
            "Leak test",
            "Audit bay",
            "Pack-out",
        ],
    ),
}
METRICS = (
    ("units_completed", "Units completed", "pcs", "tally"),
    ("scrap", "Scrap", "pcs", "tally"),
    ("material_on_hand", "Material on hand", "bins", "gauge"),
    ("headcount", "Headcount", "people", "gauge"),
)
EMPLOYEES = (
    ("E1001", "Maria Gonzalez", "Press Shop"),
    ("E1002", "James Okafor", "Press Shop"),
    ("E1003", "Linh Tran", "Press Shop"),
    ("E1004", "Dmitri Volkov", "Press Shop"),
    ("E1005", "Aisha Khan", "Press Shop"),
    ("E2001", "Tom Becker", "Welding"),
    ("E2002", "Sofia Rossi", "Welding"),
    ("E2003", "Kwame Mensah", "Welding"),
    ("E2004", "Hannah Schulz", "Welding"),
    ("E2005", "Luis Ortega", "Welding"),
    ("E3001", "Grace Kim", "Assembly"),
    ("E3002", "Noah Williams", "Assembly"),
    ("E3003", "Zoë Dubois", "Assembly"),
    ("E3004", "Ravi Patel", "Assembly"),
    ("E3005", "Emma Johansson", "Assembly"),
)
USERS = (
    ("coordinator", "coordinator", ()),
    ("supervisor", "supervisor", ("Press Shop", "Welding")),
    ("manager", "manager", ()),
    ("admin", "admin", ()),
)
# What a walker writes depends on where they stand: per area, (category, severity, text
# [, downtime minutes]).
OBSERVATIONS = {
    "Press Shop": (
        ("material", "medium", "Coil stock down to the last rack; called logistics."),
        ("machine", "high", "Die change overran, line stopped.", 35),
        ("safety", "high", "Oil on the walkway next to the press guard."),
        ("quality", "medium", "Burr on edge of blank, quarantined the last bin."),
        ("housekeeping", "low", "Scrap chute overflowing."),
        ("schedule", "info", "Running ahead of plan after early start."),
        ("machine", "critical", "Transfer fingers misaligned, press stopped to reset.", 40),
    ),
    "Welding": (
        ("machine", "critical", "Robot faulted on weld 14, maintenance called.", 50),
        ("quality", "medium", "Tip dresser worn, two parts with weak spot welds held."),
        ("safety", "high", "Weld curtain torn at the cell entrance."),
        ("housekeeping", "low", "Spatter and wire offcuts under the fixture."),
        ("material", "medium", "Wire spool near empty, spare ordered."),
        ("schedule", "info", "Running ahead of plan after early start."),
    ),
    "Assembly": (
        ("material", "medium", "Door seal clips short, borrowed a box from the next line."),
        ("machine", "high", "Torque gun out of calibration, tagged out.", 25),
        ("safety", "high", "Forklift crossed the walkway at the line without a spotter."),
        ("quality", "medium", "Loose connector found at check, two units reworked."),
        ("housekeeping", "low", "Empty dunnage stacked in the aisle."),
        ("quality", "low", "Label printer smudging, replaced ribbon."),
    ),
}
# What the supervisor asks for when a serious finding becomes an action: a task, not the
# finding again (three actions titled "Torque gun out of calibration, tagged out." read
# as one action listed three times).
TASKS = {
    "Die change overran, line stopped.": "Walk the die change with the setters and cut its steps",
    "Oil on the walkway next to the press guard.": "Find the oil leak at the press guard",
    "Transfer fingers misaligned, press stopped to reset.": "Re-teach the transfer fingers",
    "Robot faulted on weld 14, maintenance called.": "Find the cause of the weld 14 fault",
    "Weld curtain torn at the cell entrance.": "Replace the weld curtain at the cell entrance",
    "Torque gun out of calibration, tagged out.": "Recalibrate the torque gun",
    "Forklift crossed the walkway at the line without a spotter.": (
        "Brief forklift drivers on walkway crossings"
    ),
    "Power dip tripped the line; restart took hours.": "Write a restart plan for a power dip",
    "Seat frames down to the last bins; line stops if no truck today.": (
        "Agree a safety stock of seat frames with the supplier"
    ),
}
# The week's story (docs/summary.md, "The demo's story"), in days before the demo's today:
BAD_DAY = 5  # a power dip stops the plant for hours: attainment well below target
POWER_DIP = ("machine", "high", "Power dip tripped the line; restart took hours.", 150)
SHORTAGE_STATION, SHORTAGE_DAYS = "ASM-02", (3, 2, 1)  # seat frames run out over 3 days
SHORTAGE_BINS = {3: (9, 8, 7), 2: (6, 5, 4), 1: (3, 2, 1)}  # per shift; min level 4
SHORTAGE_NOTES = {
    2: ("material", "medium", "Seat frames down to 5 bins; supplier truck late."),
    1: ("material", "high", "Seat frames down to the last bins; line stops if no truck today."),
}
MISSED_STATION, MISSED_DAY, MISSED_SHIFT = "WLD-05", 1, "C"  # skipped on the night walk
NOTES = (
    ("recognition", "Caught a mislabeled bin before it shipped."),
    ("coaching", "Reviewed lockout steps for die change."),
    ("training", "Completed torque tool certification."),
    ("safety", "Reminded about cut-resistant sleeves."),
    ("attendance", "Covered the second half of B shift."),
)


@dataclass
class DemoUser:
    username: str
    role: str
    password: str


def demo_loaded(session: Session) -> bool:
    return session.execute(select(Station.id).limit(1)).first() is not None


def load_demo(
    session: Session, today: date | None = None, seed: int = 7, iterations: int = 600_000
) -> list[DemoUser]:
    """Fill an empty database with the demo plant; returns the users and their passwords."""
    rng = random.Random(seed)  # the history is the same for every install
    set_setting(session, "timezone", TIMEZONE)
    set_setting(session, "shifts", SHIFTS)
    clock = plant_clock(session)

    metrics = {
        key: Metric(key=key, label=label, unit=unit, kind=kind)
        for key, label, unit, kind in METRICS
    }
    session.add_all(metrics.values())
    areas, stations = {}, []
    for area_name, (prefix, names) in AREAS.items():
        area = areas[area_name] = Area(name=area_name)
        for number, name in enumerate(names, start=1):
            station = Station(code=f"{prefix}-{number:02d}", name=name, area=area, active=True)
            station.metrics = [
                StationMetric(
                    metric=metrics["units_completed"],
                    position=0,
                    target=float(rng.choice((240, 300, 360, 420))),
                ),
                # No target: a target means "at least" (attainment = total/target), and
                # scrap is better low, so it stays a tally (docs/summary.md, known limits).
                StationMetric(metric=metrics["scrap"], position=1),
                StationMetric(metric=metrics["material_on_hand"], position=2, min_level=4.0),
                StationMetric(metric=metrics["headcount"], position=3, min_level=2.0),
            ]
            stations.append(station)
    session.add_all(stations)
    employees = [
        Employee(badge=badge, name=name, area=areas[area], active=True)
        for badge, name, area in EMPLOYEES
    ]
    session.add_all(employees)
    for area_name, area in areas.items():
        route = Route(name=f"{area_name} walk", area=area, active=True)
        route.stops = [
            RouteStop(position=i, station=station)
            for i, station in enumerate(s for s in stations if s.area is area)
        ]
        session.add(route)
    session.flush()

    accounts = []
    for username, role, area_names in USERS:
        password = secrets.token_urlsafe(9)
        create_user(session, username, role, password, area_names, iterations)
        accounts.append(DemoUser(username, role, password))

    walkers = list(
        session.execute(select(User).where(User.role.in_(("coordinator", "supervisor")))).scalars()
    )
    now = datetime.now(UTC)
    today = today or clock.production_day(now)
    history = DemoHistory(rng, employees)
    for days_ago in range(7, -1, -1):
        day = today - timedelta(days=days_ago)
        for index, (shift, shift_start) in enumerate(clock.shift_starts(day)):
            history.walk_shift(shift_start, walkers, stations, days_ago, shift.name, index)
    history.push(session, now)
    people = {user.role: user for user in walkers}
    history.follow_up(session, people["supervisor"], people["coordinator"], clock, now)
    session.flush()
    return accounts


class DemoHistory:
    """Walks that look like a plant's: most stations visited, counts near target. The
    records wait, as on the walkers' phones, until ``push`` sends them."""

    def __init__(self, rng, employees):
        self.rng, self.employees = rng, employees
        self.outbox: dict[User, list[dict]] = defaultdict(list)
        self.resolved: list[uuid.UUID] = []
        # Serious findings not resolved, oldest first: (record id, station, when, text).
        self.findings: list[tuple[uuid.UUID, Station, datetime, str]] = []

    def add(self, author, type_, station, observed_at, data, walk_id=None) -> uuid.UUID:
        """A record as the author's phone pushes it (DESIGN §3); returns its id."""
        record_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        self.outbox[author].append(
            {
                "id": str(record_id),
                "type": type_,
                "station": station.code if station else None,
                "author": author.id,
                "version": 1,
                "observed_at": observed_at.isoformat(timespec="milliseconds"),
                "walk": str(walk_id) if walk_id else None,
                "data": data,
            }
        )
        return record_id

    def push(self, session: Session, now: datetime) -> None:
        """Store the history as the phones' pushes would: received ``now``, observed when
        walked. ``sent_at`` is the receipt, so no clock is corrected."""
        for author, records in self.outbox.items():
            for start in range(0, len(records), MAX_RECORDS):
                body = {"sent_at": now, "records": records[start : start + MAX_RECORDS]}
                refused = [
                    result
                    for result in apply_push(session, author, body, now)
                    if result["status"] != "created"
                ]
                if refused:
                    raise RuntimeError(f"The demo history was refused: {refused[:3]}")
        self.outbox.clear()
        # Resolved on the server, as a manager would (a push never sets a status).
        if self.resolved:
            session.execute(
                update(Record).where(Record.id.in_(self.resolved)).values(status="resolved")
            )

    def follow_up(self, session: Session, lead: User, walker: User, clock, now) -> None:
        """The supervisor gives four of the week's serious findings (different ones where
        the week has them) to the coordinator (DESIGN §9), so the demo shows each state:
        one overdue, one in progress, one done and waiting to be verified, one verified.
        Each step is a push of its own, in the order the phones would send them."""
        moves = (
            (2, []),  # due two days after: overdue by now
            (3, [(walker, "in_progress")]),
            (3, [(walker, "done")]),
            (2, [(walker, "done"), (lead, "verified")]),
        )
        chosen: list[tuple] = []
        for _ in moves:  # each time the oldest of the findings least like those chosen
            left = [f for f in self.findings if f not in chosen]
            if not left:
                break
            chosen.append(min(left, key=lambda f: (
                sum(g[3] == f[3] for g in chosen),  # another finding first,
                sum(g[3] == f[3] and g[1] is f[1] for g in chosen),  # else another station
                f[2],
            )))  # fmt: skip
        findings = sorted(chosen, key=lambda f: f[2])
        for (finding, station, at, text), (days, steps) in zip(findings, moves, strict=False):
            made = at + timedelta(minutes=20)
            due = clock.production_day(made) + timedelta(days=days)
            data = {"title": TASKS.get(text, text)[:200], "owner": walker.id,
                    "due": due.isoformat(), "priority": "high",
                    "observation": str(finding)}  # fmt: skip
            action = self.add(lead, "action", station, made, data)
            self.push(session, now)
            for step, (author, status) in enumerate(steps, start=1):
                update = {"action": str(action), "status": status}
                if status == "done":
                    update["comment"] = "Fixed and checked with the line lead."
                self.add(author, "action_update", None, made + timedelta(hours=step), update)
                self.push(session, now)

    def observe(self, author, station, at, walk_id, days_ago, index, shortage):
        """An observation now and then: the story's shortage notes and bad day, or one of
        the area's usual findings."""
        rng = self.rng
        observation = None
        if shortage and index == 0 and days_ago in SHORTAGE_NOTES:
            observation = SHORTAGE_NOTES[days_ago]
        elif days_ago == BAD_DAY and index == 0 and station.code.endswith("-01"):
            observation = POWER_DIP
        elif rng.random() < 0.1:
            observation = rng.choice(OBSERVATIONS[station.area.name])
        if observation:
            category, severity, text, *minutes = observation
            data = {"category": category, "severity": severity, "text": text, "photos": []}
            if minutes:
                data["minutes"] = minutes[0]
            record_id = self.add(
                author, "observation", station, at + timedelta(seconds=90), data, walk_id
            )
            story = observation[2] in (POWER_DIP[2], SHORTAGE_NOTES[1][2])
            if at < datetime.now(UTC) - timedelta(days=1) and rng.random() < 0.7 and not story:
                self.resolved.append(record_id)  # the story's findings wait for an action
            elif severity in ("high", "critical") and days_ago >= 1:
                self.findings.append((record_id, station, at + timedelta(seconds=90), text))

    def walk_shift(self, shift_start, walkers, stations, days_ago=0, shift=None, index=0):
        now = datetime.now(UTC)
        rng = self.rng
        author = rng.choice(walkers)
        started = shift_start + timedelta(minutes=rng.randint(30, 90))
        if started > now:
            return
        walk_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        at = started
        for station in stations:
            if (days_ago, shift, station.code) == (MISSED_DAY, MISSED_SHIFT, MISSED_STATION):
                continue  # the night walk skipped it: the story's missed station
            forced = station.code == SHORTAGE_STATION and days_ago in SHORTAGE_DAYS
            if not forced and rng.random() < 0.03:  # now and then a station is missed
                continue
            at += timedelta(minutes=rng.randint(2, 9))
            if at > now:
                break
            self.visit(author, station, at, walk_id, days_ago, index)
        if at <= now:
            self.add(
                author,
                "walk",
                None,
                started,
                {
                    "started_at": started.isoformat(timespec="milliseconds"),
                    "ended_at": at.isoformat(timespec="milliseconds"),
                },
                walk_id,
            )

    def visit(self, author, station, at, walk_id, days_ago=0, index=0):
        rng = self.rng
        self.add(author, "visit", station, at, {}, walk_id)
        target = station.metrics[0].target
        pace = rng.uniform(0.4, 0.65) if days_ago == BAD_DAY else rng.uniform(0.85, 1.12)
        share = target / 3 * pace  # three shifts make the day
        readings = [("units_completed", round(share))]
        if rng.random() < 0.4:
            readings.append(("scrap", rng.randint(0, 5)))
        bins = rng.randint(5, 12)
        shortage = station.code == SHORTAGE_STATION and days_ago in SHORTAGE_BINS
        if shortage:
            bins = SHORTAGE_BINS[days_ago][min(index, 2)]
        readings += [("material_on_hand", bins), ("headcount", rng.randint(2, 4))]
        for step, (metric, value) in enumerate(readings, start=1):
            data = {"metric": metric, "value": value}
            self.add(author, "count", station, at + timedelta(seconds=15 * step), data, walk_id)
        self.observe(author, station, at, walk_id, days_ago, index, shortage)
        if rng.random() < 0.06:
            employees = [e for e in self.employees if e.area_id == station.area_id]
            kind, text = rng.choice(NOTES)
            self.add(
                author,
                "employee_note",
                station,
                at + timedelta(seconds=120),
                {"employee": rng.choice(employees).badge, "kind": kind, "text": text},
                walk_id,
            )
