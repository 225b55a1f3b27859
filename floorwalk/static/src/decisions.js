// The sync engine's decisions as plain functions: no DOM, no IndexedDB, no network, so
// each is unit-tested on its own (tests/js/decisions.test.mjs). sync.js carries them out.

export const BATCH = 200;
export const PUSH_FIELDS = ["id", "type", "station", "author", "version", "observed_at", "offset_ms", "walk", "data"];
export const CATALOG_KEYS = {
  areas: "id",
  categories: "key",
  stations: "code",
  metrics: "key",
  employees: "badge",
  routes: "id",
  actions: "id",
  users: "id",
};
export const SINGLETONS = ["me", "settings", "min_app", "plan", "notifications"];
const SYNCED = ["created", "duplicate", "updated"];
const NEEDS_CHOICE = ["stale", "conflict"];

/** The record as a push sends it: the protocol's fields only (a record from pull also
 * carries the server's status, corrected time, day and shift, which a push refuses). */
export function pushRecord(entry) {
  const record = Object.fromEntries(PUSH_FIELDS.filter((k) => k in entry).map((k) => [k, entry[k]]));
  if (entry.deleted) record.deleted = true;
  return record;
}

/** A push (or export) body; `pending` (DESIGN §11: the unsent records besides these) when
 * the phone counted them. */
export function pushBody({ device, app, schema, sentAt, records, pending }) {
  const body = { device, app, schema, sent_at: sentAt, records: records.map(pushRecord) };
  if (Number.isInteger(pending)) body.pending = pending;
  return body;
}

/** The phone's unsent records (DESIGN §11): every outbox entry, whatever its state (a
 * rejected or conflicting record exists only on the phone too), but those in `sending`. */
export function unsentCount(entries, sending = []) {
  const ids = new Set(sending.map((r) => r.id));
  return entries.filter((r) => !ids.has(r.id)).length;
}

/** The pull request's path: the cursor, and the device report as query parameters. */
export function pullPath({ cursor, device, app, pending }) {
  const query = new URLSearchParams();
  if (cursor) query.set("cursor", cursor);
  if (device) query.set("device", device);
  if (app) query.set("app", app);
  if (Number.isInteger(pending)) query.set("pending", String(pending));
  const text = query.toString();
  return text ? `/api/v1/sync/pull?${text}` : "/api/v1/sync/pull";
}

/** What the status line counts: entries waiting to go, and those needing the user. */
export function countsOf(entries) {
  return {
    pending: entries.filter((r) => r.state === "pending").length,
    attention: entries.filter((r) => r.state !== "pending"),
  };
}

/** The next batch to push: the outbox entries in state "pending", at most `size`. Rejected
 * and conflicting entries wait for the user and are never sent again on their own. */
export function nextBatch(entries, size = BATCH) {
  return entries.filter((r) => r.state === "pending").slice(0, size);
}

/** After a full batch there may be more; a short one was the last. */
export function morePending(batch, size = BATCH) {
  return batch.length >= size;
}

/**
 * What one push result does to the stored outbox entry.
 *   sent     the version that was pushed
 *   current  the outbox entry now (it may have been edited again, or let go, meanwhile)
 * Returns { action: "keep" } (leave it: a newer version goes next time, or it is gone),
 * { action: "synced" } (it leaves the outbox for the synced records), or
 * { action: "update", entry } (it stays, waiting for the user).
 */
export function resultOutcome(result, sent, current) {
  if (!sent || !current || current.version !== sent.version) return { action: "keep" };
  if (SYNCED.includes(result.status)) return { action: "synced" };
  if (result.status === "rejected") {
    return { action: "update", entry: { ...current, state: "rejected", errors: result.errors || {} } };
  }
  if (NEEDS_CHOICE.includes(result.status)) {
    return {
      action: "update",
      entry: { ...current, state: "conflict", conflict: result.status, server: result.server },
    };
  }
  return { action: "keep" };
}

/** The version "Keep mine" saves at: one above the server's (or above its own). */
export function keepMineBase(entry) {
  return entry.server?.version || entry.version;
}

/** A pull answer replaces the mirror when it says it is full, or no cursor was sent. */
export function pullIsFull(body, cursor) {
  return body.full ?? !cursor;
}

/** A failed pull: "snapshot" (the cursor expired, 410: drop it and pull everything), or
 * "fail" (the sync run fails and backs off). */
export function pullFailure(status, cursor) {
  return status === 410 && cursor ? "snapshot" : "fail";
}

/**
 * The catalog entries a pull answer leaves on the phone: per kind, a map by key, merged
 * into `previous` (kind → map) unless `full`, with `removed` erased; singletons whole.
 * Kinds the answer does not name are left out (left as they are on the phone).
 */
export function mergeCatalog(previous, body, full) {
  const entries = {};
  for (const [kind, key] of Object.entries(CATALOG_KEYS)) {
    if (!(kind in body)) continue;
    const map = full ? {} : { ...(previous[kind] || {}) };
    for (const item of body[kind] || []) map[item[key]] = item;
    for (const gone of body.removed?.[kind] || []) delete map[gone];
    entries[kind] = map;
  }
  for (const kind of SINGLETONS) if (kind in body) entries[kind] = body[kind];
  return entries;
}

/** The delay before retrying a failed run: exponential (2 s doubling, capped at 5 min)
 * with ±50 % jitter, so a whole shift coming back online does not hit in lockstep. */
export function backoffMs(failures, random = Math.random()) {
  const base = Math.min(300_000, 2_000 * 2 ** Math.min(failures, 8));
  return base / 2 + random * base;
}

/** Whether a failed run retries by itself: network errors and 5xx do, 4xx do not. */
export function retries(status) {
  return status === undefined || status >= 500;
}

export function olderThan(version, minimum) {
  const parts = (v) => String(v).split(".").map((n) => parseInt(n, 10) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
  }
  return false;
}

export function needsUpdate(appVersion, minApp) {
  return Boolean(minApp) && olderThan(appVersion, minApp);
}
