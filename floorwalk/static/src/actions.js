// The actions as the phone shows them: what the last pull said, with the user's action
// and action_update records the server has not reflected yet applied on top, so an
// action made or moved offline shows its new state at once. Plain functions, tested in
// node (tests/js/actions.test.mjs); app.js reads IndexedDB and calls them.
import { CLOSED, fits, isOverdue, resultOf } from "./action-rules.js";
import { areaFirst, areaIdOf } from "./catalog.js";

// A synced action record this recent is always in the pull once a pull has run (its
// creator sees it, and it closed after it was made): missing, the pull has not run yet.
const RECENT_MS = 6 * 24 * 3600 * 1000;
const PRIORITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 };

const userRef = (users, id) => (users[id] ? { id, username: users[id].username } : { id, username: `user ${id}` });

/** An action from its own record, as pull would carry it. */
function fromRecord(record, { users, stations, me }) {
  const d = record.data;
  const station = record.station ? stations[record.station] : null;
  const owner = users[d.owner];
  return {
    id: record.id,
    title: d.title,
    text: d.text ?? null,
    status: "open",
    priority: d.priority,
    owner: userRef(users, d.owner),
    due: d.due,
    station: record.station ?? null,
    observation: d.observation ?? null,
    created_by: { id: record.author, username: me?.username ?? "" },
    created_at: record.observed_at,
    done_by: null,
    closed_at: null,
    area_ids: station ? [areaIdOf(station)] : [...(owner?.areas || [])],
    updates: [],
    local: true,
  };
}

/** An accepted-looking update applied as state.apply_change would; one that no longer
 * fits changes nothing here (the server will refuse it, and it waits under "Needs
 * attention"). */
function applyUpdate(action, record, users) {
  const d = record.data;
  const next = { ...action, updates: [...action.updates, localUpdate(record, users)], local: true };
  if (d.owner != null) next.owner = userRef(users, d.owner);
  if (d.due) next.due = d.due;
  if (!d.status || !fits(action.status, d.status)) return next;
  next.status = resultOf(d.status);
  if (d.status === "done") next.done_by = userRef(users, record.author);
  if (d.status === "reopened") Object.assign(next, { done_by: null, closed_at: null });
  else if (CLOSED.includes(d.status)) next.closed_at = record.observed_at;
  return next;
}

function localUpdate(record, users) {
  const d = record.data;
  return {
    id: record.id,
    author: userRef(users, record.author),
    at: record.observed_at,
    status: d.status ?? null,
    owner: d.owner ?? null,
    due: d.due ?? null,
    comment: d.comment ?? null,
    photos: d.photos || [],
    local: true,
  };
}

const byTime = (a, b) => a.observed_at.localeCompare(b.observed_at) || a.id.localeCompare(b.id);

/**
 * Every action the phone knows, by id.
 *   pulled   pull's actions, by id (the catalog's "actions")
 *   records  the user's records (myRecords: the outbox version wins over the synced one)
 *   context  { users (by id), stations (by code), me, today (YYYY-MM-DD), now (Date) }
 */
export function deriveActions(pulled, records, context) {
  const { today, now = new Date() } = context;
  const actions = new Map(Object.values(pulled || {}).map((a) => [a.id, a]));
  const live = records.filter((r) => !r.deleted && r.state !== "rejected" && r.state !== "conflict").sort(byTime);
  for (const record of live.filter((r) => r.type === "action" && !actions.has(r.id))) {
    if (!record.synced || now - new Date(record.observed_at) < RECENT_MS) {
      actions.set(record.id, fromRecord(record, context));
    }
  }
  for (const record of live.filter((r) => r.type === "action_update")) {
    const action = actions.get(record.data.action);
    if (action && !action.updates.some((u) => u.id === record.id)) {
      actions.set(action.id, applyUpdate(action, record, context.users));
    }
  }
  for (const [id, action] of actions) actions.set(id, { ...action, overdue: isOverdue(action.status, action.due, today) });
  return actions;
}

/** Overdue first, then by due day, then by priority (the server's order). */
export function byUrgency(a, b) {
  return (
    Number(b.overdue) - Number(a.overdue) ||
    a.due.localeCompare(b.due) ||
    (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) ||
    a.id.localeCompare(b.id)
  );
}

/** "My actions": those the user owns that are not closed, most urgent first. */
export function myActions(actions, userId) {
  return [...actions.values()].filter((a) => a.owner.id === userId && !CLOSED.includes(a.status)).sort(byUrgency);
}

/** The priority an action from an observation starts at: its severity's ("info" is low). */
export function priorityFor(severity) {
  return ["low", "medium", "high", "critical"].includes(severity) ? severity : "low";
}

/** The owner picker's list: users of the station's area first, then the rest, by name. */
export function ownersFor(users, areaId) {
  const inArea = (u) => areaId != null && (u.areas || []).includes(areaId);
  return areaFirst(Object.values(users || {}), inArea, (u) => u.username);
}
