// The outbox, photos and synced records in IndexedDB (outbox.js), on fake-indexeddb.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { resultOutcome } from "../../floorwalk/static/src/decisions.js";
import * as outbox from "../../floorwalk/static/src/outbox.js";
import { myRecords } from "../../floorwalk/static/src/records.js";
import { db } from "../../floorwalk/static/src/store.js";

const record = (id, author = 1, extra = {}) => ({
  id, author, type: "count", station: "PRS-04", version: 1, observed_at: "2024-03-10T07:00:00.000-05:00",
  walk: null, offset_ms: null, data: { metric: "units", value: 4 }, ...extra,
});

const save = async (entry) => (await outbox.saveAllToOutbox([entry]))[0];
// The server's answer to a pushed version, applied as the sync applies it.
const answer = (sent, status = "created", errors = {}) =>
  outbox.applyAnswer(sent, (current) => resultOutcome({ id: sent.id, status, errors }, sent, current));

beforeEach(async () => {
  const database = await db();
  for (const name of ["outbox", "photos", "records"]) await database.clear(name);
});

describe("outbox", () => {
  test("a saved record is pending, without the errors or server version of an earlier one", async () => {
    await save(record("a", 1, { state: "rejected", errors: { x: ["bad"] }, server: { version: 3 } }));
    const stored = await outbox.outboxEntry("a");
    assert.equal(stored.state, "pending");
    assert.equal(stored.errors, null);
    assert.equal(stored.server, null);
  });

  test("saving the same id again replaces the entry: one entry per record", async () => {
    await save(record("a"));
    await save(record("a", 1, { version: 2 }));
    const mine = await outbox.outboxFor(1);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].version, 2);
  });

  test("each author sees only their own entries (a shared phone)", async () => {
    await save(record("a", 1));
    await save(record("b", 2));
    assert.deepEqual((await outbox.outboxFor(1)).map((r) => r.id), ["a"]);
    assert.deepEqual((await outbox.outboxFor(2)).map((r) => r.id), ["b"]);
  });

  test("a rejection is stored on the entry it answers, which stays in the outbox", async () => {
    const sent = await save(record("a"));
    const rejected = { id: "a", status: "rejected", errors: { station: ["gone"] } };
    await outbox.applyAnswer(sent, (current) => resultOutcome(rejected, sent, current));
    const stored = await outbox.outboxEntry("a");
    assert.equal(stored.state, "rejected");
    assert.deepEqual(stored.errors, { station: ["gone"] });
  });

  test("an edit saved while a push's answer is written is kept and sent next", async () => {
    const sent = await save(record("a"));
    const created = { id: "a", status: "created" };
    let undo;
    const outcome = await outbox.applyAnswer(sent, (current) => {
      // An Undo saved between the answer's check and its write: two transactions let it
      // in between, and the write took the new version out of the outbox.
      undo = save(record("a", 1, { version: 2, data: { metric: "units", value: 5 } }));
      return resultOutcome(created, sent, current);
    });
    await undo;
    assert.equal(outcome.action, "synced");
    const pending = await outbox.outboxEntry("a");
    assert.equal(pending.version, 2);
    assert.equal(pending.state, "pending");
    assert.equal((await outbox.syncedFor(1))[0].version, 1); // what the server has
  });

  test("an answer for an older version never takes a newer one out of the outbox", async () => {
    const sent = await save(record("a"));
    await save(record("a", 1, { version: 2 }));
    await answer(sent);
    assert.equal((await outbox.outboxEntry("a")).version, 2);
    await answer(sent, "rejected");
    assert.equal((await outbox.outboxEntry("a")).state, "pending"); // the answer was v1's
  });

  test("a synced record leaves the outbox and joins the history, without outbox fields", async () => {
    const entry = await save(record("a"));
    await answer(entry);
    assert.equal(await outbox.outboxEntry("a"), undefined);
    const [synced] = await outbox.syncedFor(1);
    assert.equal(synced.id, "a");
    assert.equal(synced.synced, true);
    assert.ok(!("state" in synced) && !("errors" in synced) && !("server" in synced));
  });

  test("a record the sync moves to the history while the phone reads its records is read once, never missed", async () => {
    const entry = await save(record("a"));
    const [mine] = await Promise.all([myRecords({ id: 1 }), answer(entry)]);
    assert.deepEqual(mine.map((r) => r.id), ["a"]);
  });

  test("a full pull replaces the author's history in one step: a read meanwhile never finds it empty", async () => {
    await outbox.putSynced([record("old", 1), record("kept", 1), record("theirs", 2)]);
    const [, mine] = await Promise.all([
      outbox.replaceSynced(1, [record("kept", 1), record("new", 1)]),
      myRecords({ id: 1 }),
    ]);
    assert.deepEqual(mine.map((r) => r.id).sort(), ["kept", "new"]);
    assert.deepEqual((await outbox.syncedFor(2)).map((r) => r.id), ["theirs"]);
  });

  test("pull never overwrites a pending local edit: the outbox entry stays", async () => {
    await save(record("a", 1, { version: 3, data: { metric: "units", value: 9 } }));
    await outbox.putSynced([record("a", 1, { version: 2, data: { metric: "units", value: 1 } })]);
    assert.equal((await outbox.outboxEntry("a")).data.value, 9);
    assert.equal((await outbox.syncedFor(1))[0].version, 2);
  });

  test("clearing an author's synced records leaves their outbox and the others' history", async () => {
    await save(record("pending", 1));
    await outbox.putSynced([record("mine", 1), record("theirs", 2)]);
    await outbox.clearSynced(1);
    assert.deepEqual(await outbox.syncedFor(1), []);
    assert.deepEqual((await outbox.syncedFor(2)).map((r) => r.id), ["theirs"]);
    assert.deepEqual((await outbox.outboxFor(1)).map((r) => r.id), ["pending"]);
  });

  test("records the server removed are erased from the history", async () => {
    await outbox.putSynced([record("a"), record("b")]);
    await outbox.removeSynced(["a"]);
    assert.deepEqual((await outbox.syncedFor(1)).map((r) => r.id), ["b"]);
  });

  test("a record let go of is gone from the outbox", async () => {
    await save(record("a"));
    await outbox.removeFromOutbox("a");
    assert.deepEqual(await outbox.outboxFor(1), []);
  });
});

describe("photos", () => {
  test("photos wait for upload per author and are gone once removed", async () => {
    const blob = new Blob(["jpeg"], { type: "image/jpeg" });
    await outbox.savePhoto("p1", blob, 1);
    await outbox.savePhoto("p2", blob, 2);
    assert.deepEqual((await outbox.photosToUpload(1)).map((p) => p.id), ["p1"]);
    await outbox.removePhoto("p1");
    assert.deepEqual(await outbox.photosToUpload(1), []);
    assert.equal(await outbox.getPhoto("p1"), undefined);
    assert.equal((await outbox.getPhoto("p2")).author, 2);
  });
});
