// Actions on the phone (DESIGN §9): the moves the server's rules would accept
// (floorwalk/actions/rules.py), and an action's state derived from the records the
// server has not answered yet.
import assert from "node:assert/strict";
import { test } from "node:test";

import { isOverdue, movesFor } from "../../floorwalk/static/src/action-rules.js";
import { deriveActions, myActions, ownersFor, priorityFor } from "../../floorwalk/static/src/actions.js";
import { addDays } from "../../floorwalk/static/src/time.js";

const users = {
  1: { id: 1, username: "lee", role: "coordinator", areas: [10] },
  2: { id: 2, username: "maria", role: "coordinator", areas: [10] },
  3: { id: 3, username: "sam", role: "supervisor", areas: [10] },
  4: { id: 4, username: "ann", role: "supervisor", areas: [20] },
  5: { id: 5, username: "boss", role: "manager", areas: [] },
  6: { id: 6, username: "zed", role: "coordinator", areas: [20] },
};
const stations = { "PRS-04": { code: "PRS-04", name: "Transfer press", area: 10 } };

function action(overrides = {}) {
  return {
    id: "a1", title: "Clean the oil", status: "open", priority: "high", due: "2026-11-27",
    owner: { id: 2, username: "maria" }, created_by: { id: 1, username: "lee" },
    done_by: null, area_ids: [10], station: "PRS-04", updates: [], ...overrides,
  };
}

test("the owner starts and marks done; only whoever steers verifies, reopens, cancels", () => {
  assert.deepEqual(movesFor(users[2], action()), ["in_progress", "done"]);
  assert.deepEqual(movesFor(users[2], action({ status: "in_progress" })), ["done"]);
  assert.deepEqual(movesFor(users[2], action({ status: "done", done_by: { id: 2 } })), []);
  assert.deepEqual(movesFor(users[1], action()), ["in_progress", "done", "cancelled"]);
  assert.deepEqual(movesFor(users[1], action({ status: "done", done_by: { id: 2 } })), ["verified", "reopened"]);
  assert.deepEqual(movesFor(users[1], action({ status: "verified" })), ["reopened"]);
});

test("the area's supervisors and managers steer; a supervisor elsewhere and others do not", () => {
  const done = action({ status: "done", done_by: { id: 2 } });
  assert.deepEqual(movesFor(users[3], done), ["verified", "reopened"]);
  assert.deepEqual(movesFor(users[5], done), ["verified", "reopened"]);
  assert.deepEqual(movesFor(users[4], done), []);
  assert.deepEqual(movesFor(users[6], action()), []);
});

test("four eyes: whoever marked it done never verifies it, whatever their role", () => {
  assert.deepEqual(movesFor(users[1], action({ status: "done", done_by: { id: 1 } })), ["reopened"]);
  assert.deepEqual(movesFor(users[5], action({ status: "done", done_by: { id: 5 } })), ["reopened"]);
});

test("overdue: open or in progress after the due day; due today is not overdue yet", () => {
  assert.equal(isOverdue("open", "2026-11-27", "2026-11-28"), true);
  assert.equal(isOverdue("in_progress", "2026-11-27", "2026-11-28"), true);
  assert.equal(isOverdue("open", "2026-11-28", "2026-11-28"), false);
  assert.equal(isOverdue("done", "2026-11-27", "2026-11-30"), false);
});

const context = { users, stations, me: users[1], today: "2026-11-28", now: new Date("2026-11-28T10:00:00Z") };
const record = (id, type, data, extra = {}) => ({
  id, type, data, author: 1, version: 1, observed_at: `2026-11-28T09:0${id.length}:00.000+00:00`,
  station: null, state: "pending", ...extra,
});

test("an action made offline shows at once, open, in its station's area", () => {
  const made = record("b1", "action", { title: "Fix the guard", owner: 2, due: "2026-11-29", priority: "medium" }, { station: "PRS-04" });
  const shown = deriveActions({}, [made], context).get("b1");
  assert.equal(shown.status, "open");
  assert.deepEqual(shown.owner, { id: 2, username: "maria" });
  assert.deepEqual(shown.area_ids, [10]);
  assert.equal(shown.local, true);
  assert.equal(shown.overdue, false);
});

test("updates not yet answered move the pulled action on, in the order they were made", () => {
  const pulled = { a1: action() };
  const start = record("u1", "action_update", { action: "a1", status: "in_progress" }, { author: 2 });
  const done = record("u22", "action_update", { action: "a1", status: "done", comment: "Tray fitted", photos: ["p1"] }, { author: 2 });
  const shown = deriveActions(pulled, [done, start], context).get("a1");
  assert.equal(shown.status, "done");
  assert.deepEqual(shown.done_by, { id: 2, username: "maria" });
  assert.deepEqual(shown.updates.map((u) => u.comment), [null, "Tray fitted"]);
  // The verification that follows is the creator's to make, not the owner's.
  assert.deepEqual(movesFor(users[1], shown), ["verified", "reopened"]);
  assert.deepEqual(movesFor(users[2], shown), []);
});

test("an update the server has already reflected, or refused, is not applied again", () => {
  const answered = record("u1", "action_update", { action: "a1", status: "in_progress" }, { synced: true, state: undefined });
  const pulled = { a1: action({ status: "in_progress", updates: [{ id: "u1" }] }) };
  assert.equal(deriveActions(pulled, [answered], context).get("a1").updates.length, 1);
  const refused = record("u2", "action_update", { action: "a1", status: "verified" }, { state: "rejected" });
  assert.equal(deriveActions({ a1: action() }, [refused], context).get("a1").status, "open");
  const unfit = record("u3", "action_update", { action: "a1", status: "verified" });
  assert.equal(deriveActions({ a1: action() }, [unfit], context).get("a1").status, "open");
});

test("reopening forgets who marked it done; a synced record a week old is left to pull", () => {
  const pulled = { a1: action({ status: "verified", done_by: { id: 2 }, closed_at: "x" }) };
  const reopen = record("u1", "action_update", { action: "a1", status: "reopened" });
  const shown = deriveActions(pulled, [reopen], context).get("a1");
  assert.equal(shown.status, "open");
  assert.equal(shown.done_by, null);
  const old = record("b1", "action", { title: "Old", owner: 2, due: "2026-11-01", priority: "low" }, {
    synced: true, state: undefined, observed_at: "2026-11-01T09:00:00.000+00:00",
  });
  assert.equal(deriveActions({}, [old], context).has("b1"), false);
  assert.equal(deriveActions({}, [{ ...old, synced: false, state: "pending" }], context).get("b1").overdue, true);
});

test("my actions: mine and not closed, overdue first, then by due day", () => {
  const all = deriveActions(
    {
      a1: action({ id: "a1", due: "2026-11-30" }),
      a2: action({ id: "a2", due: "2026-11-20" }),
      a3: action({ id: "a3", due: "2026-11-29", status: "done" }),
      a4: action({ id: "a4", due: "2026-11-01", status: "verified" }),
      a5: action({ id: "a5", due: "2026-11-01", owner: { id: 6 } }),
    },
    [],
    context,
  );
  assert.deepEqual(myActions(all, 2).map((a) => a.id), ["a2", "a3", "a1"]);
});

test("the owner list puts the station's area first; priority follows the severity", () => {
  assert.deepEqual(ownersFor(users, 20).map((u) => u.username), ["ann", "zed", "boss", "lee", "maria", "sam"]);
  assert.equal(priorityFor("critical"), "critical");
  assert.equal(priorityFor("info"), "low");
  assert.equal(addDays("2026-12-31", 1), "2027-01-01");
  assert.equal(addDays("2026-11-28", 7), "2026-12-05");
});

test("the due date in words: overdue said so, today and tomorrow by name", async () => {
  const { dueWords } = await import("../../floorwalk/static/src/views/actions.js");
  const today = "2026-11-28";
  assert.equal(dueWords({ due: "2026-11-27", overdue: true }, today), "Overdue: was due Fri 27 Nov");
  assert.equal(dueWords({ due: today, overdue: false }, today), "Due today");
  assert.equal(dueWords({ due: "2026-11-29", overdue: false }, today), "Due tomorrow");
  assert.equal(dueWords({ due: "2026-12-05", overdue: false }, today), "Due Sat 5 Dec");
});
