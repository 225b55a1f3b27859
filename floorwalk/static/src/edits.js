// THE edit rule, in one place: every new record, edit, deletion and "Keep mine" is a new
// version put in the outbox (version + 1), then the counts are refreshed and a sync is
// requested. "Use the server's" and "Discard" let the outbox entry go instead.
import { keepMineBase, pushRecord } from "./decisions.js";
import * as outbox from "./outbox.js";
import { refreshCounts, state } from "./state.js";
import * as store from "./store.js";
import { isoLocal } from "./time.js";

// What follows each saved version; sync.js wires its request (a test wires spies).
const after = { refreshCounts, requestSync: () => {} };

export function wire(options) {
  Object.assign(after, options);
}

/** The rule: each record saved in the outbox at its version, pending, all in one
 * transaction (all or none); then the counts are refreshed once and a sync requested. */
async function saveVersions(records) {
  const entries = await outbox.saveAllToOutbox(records);
  await after.refreshCounts();
  after.requestSync();
  return entries;
}

/** `record` saved at version `base` + 1. */
async function saveVersion(record, base) {
  const [entry] = await saveVersions([{ ...record, version: base + 1 }]);
  return entry;
}

/** A new record (its id, author, times and walk already set): version 1. */
export function create(record) {
  return saveVersion(record, 0);
}

/** A record captured now by the signed-in user, offline first: its id, author, time and
 * the clock offset known now, outside any walk unless `record` says which. */
export async function capture(record) {
  const [entry] = await captureAll([record]);
  return entry;
}

/** Several records captured now together (the count sheet's): saved all or none. */
export async function captureAll(records) {
  const offset = await store.getMeta("offset_ms", null);
  const observedAt = isoLocal();
  const made = (record) => ({
    id: store.newId(),
    author: state.user.id,
    walk: null,
    observed_at: observedAt,
    offset_ms: offset,
    ...record,
    version: 1,
  });
  return saveVersions(records.map(made));
}

/** A new version of a record (from the outbox or from the server) with `changes`. */
export function edit(record, changes = {}) {
  return saveVersion({ ...pushRecord(record), ...changes }, record.version);
}

/** A deletion is a version too, with `deleted`: the server keeps its tombstone. */
export function remove(record) {
  return edit(record, { deleted: true });
}

/** Undoing a deletion: the record again, at version + 1, without `deleted`. */
export function restore(record) {
  const kept = pushRecord(record);
  delete kept.deleted;
  return saveVersion(kept, record.version);
}

/** "Keep mine": my version again, above the server's. */
export function keepMine(entry) {
  return saveVersion(pushRecord(entry), keepMineBase(entry));
}

/** "Use the server's" (or discard a rejected record): the outbox lets go of it, and the
 * server's version, when there is one, is what the phone shows. Nothing to send. */
export async function useServers(entry) {
  await outbox.removeFromOutbox(entry.id);
  const record = entry.server?.record;
  if (record) await outbox.putSynced([{ ...record, version: entry.server.version }]);
  await after.refreshCounts();
}
