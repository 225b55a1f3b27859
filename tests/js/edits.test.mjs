// THE edit rule (edits.js): a new version in the outbox, then counts, then a sync request.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import * as edits from "../../floorwalk/static/src/edits.js";
import * as outbox from "../../floorwalk/static/src/outbox.js";
import { refreshCounts, state } from "../../floorwalk/static/src/state.js";
import { db, setMeta } from "../../floorwalk/static/src/store.js";

let calls;

beforeEach(async () => {
  const database = await db();
  for (const name of ["outbox", "records", "meta"]) await database.clear(name);
  state.user = { id: 7, username: "walker" };
  calls = [];
  edits.wire({
    // What the outbox holds when each step runs: the version is saved first.
    refreshCounts: async () => calls.push(["counts", (await outbox.outboxFor(7)).map((r) => r.version)]),
    requestSync: () => calls.push(["sync"]),
  });
});

const pulled = {
  id: "0190a1b2-0000-7000-8000-000000000001", type: "count", station: "PRS-04", author: 7, version: 2,
  observed_at: "2024-03-10T07:00:00.000-05:00", offset_ms: 0, walk: null,
  data: { metric: "units", value: 40 }, status: "ok", day: "2024-03-10", shift: "A", synced: true,
};

describe("the edit rule", () => {
  test("the count sheet's records are saved together: one refresh and one sync request", async () => {
    const sheet = [{ metric: "units", value: 4 }, { metric: "scrap", value: 1 }].map((data) => ({ type: "count", station: "PRS-04", data }));
    const entries = await edits.captureAll(sheet);
    assert.deepEqual(entries.map((e) => [e.version, e.state, e.author]), [[1, "pending", 7], [1, "pending", 7]]);
    assert.equal(new Set(entries.map((e) => e.id)).size, 2);
    assert.deepEqual(calls, [["counts", [1, 1]], ["sync"]]);
  });

  test("records saved together are saved all or none", async () => {
    const good = { id: "a", author: 7, type: "count", station: "PRS-04", data: { metric: "units", value: 4 } };
    await assert.rejects(outbox.saveAllToOutbox([good, { author: 7 }])); // no id: refused
    assert.deepEqual(await outbox.outboxFor(7), []);
    assert.deepEqual(calls, []);
  });

  test("an edit is saved at version + 1, then counts refresh, then a sync is requested", async () => {
    const entry = await edits.edit(pulled, { data: { metric: "units", value: 50 } });
    assert.equal(entry.version, 3);
    assert.equal(entry.state, "pending");
    assert.deepEqual(calls, [["counts", [3]], ["sync"]]);
  });

  test("an edit of a pulled record carries no server-only fields", async () => {
    await edits.edit(pulled, { data: { metric: "units", value: 50 } });
    const stored = await outbox.outboxEntry(pulled.id);
    for (const field of ["status", "day", "shift", "synced"]) assert.ok(!(field in stored), field);
    assert.equal(stored.data.value, 50);
  });

  test("a deletion is a new version with deleted set, following the same rule", async () => {
    const entry = await edits.remove(pulled);
    assert.equal(entry.version, 3);
    assert.equal(entry.deleted, true);
    assert.equal(entry.data.value, 40);
    assert.deepEqual(calls, [["counts", [3]], ["sync"]]);
  });

  test("editing a rejected record again makes it pending, without the server's errors", async () => {
    const rejected = { ...pulled, version: 1, state: "rejected", errors: { "data.value": ["too big"] }, server: null };
    const entry = await edits.edit(rejected, { data: { metric: "units", value: 5 } });
    assert.equal(entry.state, "pending");
    assert.equal(entry.errors, null);
    assert.equal(entry.version, 2);
  });

  test("Keep mine saves my version above the server's, following the same rule", async () => {
    const conflict = {
      ...pulled, state: "conflict", conflict: "stale", data: { metric: "units", value: 55 },
      server: { version: 5, record: { ...pulled, version: 5, data: { metric: "units", value: 60 } } },
    };
    const entry = await edits.keepMine(conflict);
    assert.equal(entry.version, 6);
    assert.equal(entry.data.value, 55);
    assert.equal(entry.server, null);
    assert.ok(!("conflict" in entry));
    assert.deepEqual(calls, [["counts", [6]], ["sync"]]);
  });

  test("a captured record is version 1 by the signed-in user, with the known clock offset", async () => {
    await setMeta("offset_ms", -1200);
    const entry = await edits.capture({ type: "visit", station: "PRS-04", data: {} });
    assert.equal(entry.version, 1);
    assert.equal(entry.author, 7);
    assert.equal(entry.offset_ms, -1200);
    assert.equal(entry.walk, null);
    assert.match(entry.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/); // UUIDv7: time-ordered
    assert.match(entry.observed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    assert.deepEqual(calls, [["counts", [1]], ["sync"]]);
  });

  test("a capture inside a walk keeps the walk it was given", async () => {
    const entry = await edits.capture({ type: "visit", station: "PRS-04", data: {}, walk: "walk-1" });
    assert.equal(entry.walk, "walk-1");
  });

  test("Use the server's lets the outbox entry go and shows the server's version; no sync", async () => {
    const server = { version: 5, record: { ...pulled, version: 4, data: { metric: "units", value: 60 } } };
    await outbox.saveAllToOutbox([{ ...pulled, version: 3 }]);
    await edits.useServers({ ...pulled, version: 3, state: "conflict", server });
    assert.equal(await outbox.outboxEntry(pulled.id), undefined);
    const [shown] = await outbox.syncedFor(7);
    assert.equal(shown.version, 5);
    assert.equal(shown.data.value, 60);
    assert.deepEqual(calls, [["counts", []]]);
  });

  test("discarding a rejected record (no server version) just lets it go", async () => {
    await outbox.saveAllToOutbox([{ ...pulled, version: 1 }]);
    await edits.useServers({ ...pulled, version: 1, state: "rejected", server: null });
    assert.deepEqual(await outbox.outboxFor(7), []);
    assert.deepEqual(await outbox.syncedFor(7), []);
  });

  test("with the app's own counts, an edit shows as pending at once", async () => {
    edits.wire({ refreshCounts, requestSync: () => {} });
    await edits.edit(pulled, { data: { metric: "units", value: 41 } });
    assert.equal(state.pending, 1);
    assert.deepEqual(state.attention, []);
  });
});
