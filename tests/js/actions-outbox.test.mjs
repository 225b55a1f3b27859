// An action made and moved on the phone, through the edit rule and the outbox, shows its
// new state at once and until pull carries the server's answer (on fake-indexeddb).
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { deriveActions } from "../../floorwalk/static/src/actions.js";
import { pushBody, resultOutcome } from "../../floorwalk/static/src/decisions.js";
import * as edits from "../../floorwalk/static/src/edits.js";
import * as outbox from "../../floorwalk/static/src/outbox.js";
import { myRecords } from "../../floorwalk/static/src/records.js";
import { state } from "../../floorwalk/static/src/state.js";
import { db } from "../../floorwalk/static/src/store.js";

const users = { 7: { id: 7, username: "lee", role: "coordinator", areas: [10] }, 8: { id: 8, username: "maria", role: "coordinator", areas: [10] } };
const stations = { "PRS-04": { code: "PRS-04", name: "Transfer press", area: 10 } };
const context = () => ({ users, stations, me: state.user, today: "2026-11-28" });

beforeEach(async () => {
  const database = await db();
  for (const name of ["outbox", "records", "meta"]) await database.clear(name);
  state.user = { id: 7, username: "lee", role: "coordinator" };
  edits.wire({ refreshCounts: async () => {}, requestSync: () => {} });
});

async function createAction() {
  return edits.capture({
    type: "action", station: "PRS-04", walk: null,
    data: { title: "Fix the guard", owner: 8, due: "2026-11-30", priority: "high", observation: "0190a1b2-0000-7000-8000-00000000000a" },
  });
}

test("an action is a version 1 record in the outbox, pushed with exactly the data the server reads", async () => {
  const entry = await createAction();
  assert.equal(entry.version, 1);
  assert.equal(entry.state, "pending");
  const [pushed] = pushBody({ device: "d", app: "1", schema: 1, sentAt: "x", records: [entry] }).records;
  assert.deepEqual(Object.keys(pushed.data).sort(), ["due", "observation", "owner", "priority", "title"]);
  assert.equal(pushed.station, "PRS-04");
  assert.equal(pushed.author, 7);
});

test("made and moved offline, it shows its new state at once; synced, until pull carries it", async () => {
  const action = await createAction();
  await edits.capture({ type: "action_update", station: null, walk: null, data: { action: action.id, status: "in_progress" } });
  let shown = deriveActions({}, await myRecords(state.user), context()).get(action.id);
  assert.equal(shown.status, "in_progress");
  assert.equal(shown.owner.username, "maria");
  // The push answered both: the records left the outbox, pull has not run yet.
  for (const entry of await outbox.outboxFor(7)) {
    await outbox.applyAnswer(entry, (current) => resultOutcome({ id: entry.id, status: "created" }, entry, current));
  }
  shown = deriveActions({}, await myRecords(state.user), context()).get(action.id);
  assert.equal(shown.status, "in_progress");
  // Pull carries the server's state, with the update it applied: nothing is applied twice.
  const records = await myRecords(state.user);
  const update = records.find((r) => r.type === "action_update");
  const pulled = { [action.id]: { ...shown, local: false, updates: [{ id: update.id }] } };
  shown = deriveActions(pulled, records, context()).get(action.id);
  assert.equal(shown.updates.length, 1);
  assert.equal(shown.local, false);
});
