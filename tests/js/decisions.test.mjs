// The sync run's decisions (floorwalk/static/src/decisions.js): plain data in, plain data out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  backoffMs,
  countsOf,
  keepMineBase,
  mergeCatalog,
  morePending,
  needsUpdate,
  nextBatch,
  pullFailure,
  pullIsFull,
  pullPath,
  pushBody,
  pushRecord,
  resultOutcome,
  retries,
  unsentCount,
} from "../../floorwalk/static/src/decisions.js";

const entry = (id, state = "pending", version = 1) => ({ id, state, version, author: 1, type: "count" });

describe("which records a push sends", () => {
  test("a batch holds only pending entries, in outbox order", () => {
    const outbox = [entry("a"), entry("b", "rejected"), entry("c"), entry("d", "conflict"), entry("e")];
    assert.deepEqual(nextBatch(outbox, 200).map((r) => r.id), ["a", "c", "e"]);
  });

  test("a batch is at most the batch size, the rest waits for the next one", () => {
    const outbox = Array.from({ length: 5 }, (_, i) => entry(`r${i}`));
    assert.deepEqual(nextBatch(outbox, 2).map((r) => r.id), ["r0", "r1"]);
  });

  test("records waiting for the user are never sent on their own", () => {
    assert.deepEqual(nextBatch([entry("x", "rejected"), entry("y", "conflict")]), []);
  });

  test("only a full batch means another push follows", () => {
    assert.equal(morePending([1, 2], 2), true);
    assert.equal(morePending([1], 2), false);
  });

  test("a pushed record carries the protocol's fields only, and deleted only when true", () => {
    const pulled = {
      id: "r1", type: "count", station: "PRS-04", author: 3, version: 2, observed_at: "t",
      offset_ms: 5, walk: null, data: { metric: "m", value: 1 }, status: "ok", day: "2024-03-10",
      shift: "A", synced: true, state: "pending", errors: null, server: null, deleted: false,
    };
    assert.deepEqual(pushRecord(pulled), {
      id: "r1", type: "count", station: "PRS-04", author: 3, version: 2, observed_at: "t",
      offset_ms: 5, walk: null, data: { metric: "m", value: 1 },
    });
    assert.equal(pushRecord({ ...pulled, deleted: true }).deleted, true);
  });

  test("a push body names the device, app, schema and time, with each record trimmed", () => {
    const body = pushBody({ device: "d", app: "1.0.0", schema: 1, sentAt: "now", records: [{ id: "a", state: "pending" }] });
    assert.deepEqual(body, { device: "d", app: "1.0.0", schema: 1, sent_at: "now", records: [{ id: "a" }] });
  });

  test("a push reports the unsent records besides its own batch", () => {
    const entries = [entry("a", "pending", 1), entry("b", "pending", 1), entry("c", "rejected", 1)];
    const batch = nextBatch(entries, 1);
    const body = pushBody({ device: "d", app: "1.0.0", schema: 1, sentAt: "now", records: batch, pending: unsentCount(entries, batch) });
    assert.equal(body.pending, 2);
    assert.deepEqual(body.records.map((r) => r.id), ["a"]);
  });

  test("a pull reports the device, app and unsent records as query parameters", () => {
    const entries = [entry("a", "pending", 1), entry("b", "conflict", 2)];
    const path = pullPath({ cursor: "c+1", device: "d-1", app: "1.2.0", pending: unsentCount(entries) });
    const url = new URL(path, "https://plant.example");
    assert.equal(url.pathname, "/api/v1/sync/pull");
    assert.deepEqual(Object.fromEntries(url.searchParams), { cursor: "c+1", device: "d-1", app: "1.2.0", pending: "2" });
    assert.equal(pullPath({ device: "d-1", app: "1.2.0", pending: 0 }), "/api/v1/sync/pull?device=d-1&app=1.2.0&pending=0");
  });
});

describe("what a push result does to the stored record", () => {
  const sent = entry("r", "pending", 2);

  for (const status of ["created", "duplicate", "updated"]) {
    test(`${status}: the record is synced (it leaves the outbox)`, () => {
      assert.deepEqual(resultOutcome({ id: "r", status }, sent, { ...sent }), { action: "synced" });
    });
  }

  test("rejected: the record stays, needing attention, with the server's errors", () => {
    const errors = { "data.employee": ["No employee with the badge E1001."] };
    const outcome = resultOutcome({ id: "r", status: "rejected", errors }, sent, { ...sent });
    assert.equal(outcome.action, "update");
    assert.equal(outcome.entry.state, "rejected");
    assert.deepEqual(outcome.entry.errors, errors);
    assert.equal(outcome.entry.version, 2);
  });

  test("rejected without errors: an empty error list, not undefined", () => {
    assert.deepEqual(resultOutcome({ id: "r", status: "rejected" }, sent, { ...sent }).entry.errors, {});
  });

  for (const status of ["stale", "conflict"]) {
    test(`${status}: the record needs a choice, with the server's version beside it`, () => {
      const server = { version: 5, record: { id: "r", data: { value: 60 } } };
      const outcome = resultOutcome({ id: "r", status, server }, sent, { ...sent });
      assert.equal(outcome.action, "update");
      assert.equal(outcome.entry.state, "conflict");
      assert.equal(outcome.entry.conflict, status);
      assert.deepEqual(outcome.entry.server, server);
    });
  }

  test("edited again while the push was on its way: the stored version is left alone", () => {
    const newer = { ...sent, version: 3 };
    for (const status of ["created", "rejected", "conflict"]) {
      assert.deepEqual(resultOutcome({ id: "r", status }, sent, newer), { action: "keep" });
    }
  });

  test("let go meanwhile (discarded): nothing is stored again", () => {
    assert.deepEqual(resultOutcome({ id: "r", status: "rejected" }, sent, undefined), { action: "keep" });
  });

  test("a status the app does not know leaves the record pending", () => {
    assert.deepEqual(resultOutcome({ id: "r", status: "queued" }, sent, { ...sent }), { action: "keep" });
  });

  test("Keep mine goes above the server's version, or above its own without one", () => {
    assert.equal(keepMineBase({ version: 2, server: { version: 5 } }), 5);
    assert.equal(keepMineBase({ version: 2, server: null }), 2);
  });

  test("the counts: pending entries counted, every other state listed for attention", () => {
    const counts = countsOf([entry("a"), entry("b", "rejected"), entry("c"), entry("d", "conflict")]);
    assert.equal(counts.pending, 2);
    assert.deepEqual(counts.attention.map((r) => r.id), ["b", "d"]);
  });
});

describe("what a pull answer does", () => {
  test("an answer without a cursor sent, or saying full, replaces the mirror", () => {
    assert.equal(pullIsFull({}, null), true);
    assert.equal(pullIsFull({ full: true }, "c1"), true);
    assert.equal(pullIsFull({}, "c1"), false);
    assert.equal(pullIsFull({ full: false }, null), false);
  });

  test("410 on a cursor (cursor_expired) means a full snapshot; other failures fail the run", () => {
    assert.equal(pullFailure(410, "c1"), "snapshot");
    assert.equal(pullFailure(410, null), "fail");
    assert.equal(pullFailure(503, "c1"), "fail");
    assert.equal(pullFailure(401, "c1"), "fail");
  });

  test("a delta merges changed items into what the phone has and erases removed ones", () => {
    const previous = {
      stations: { "PRS-04": { code: "PRS-04", name: "Press" }, "QR-07": { code: "QR-07", name: "Leak" } },
    };
    const body = { stations: [{ code: "PRS-04", name: "Press line 4" }], removed: { stations: ["QR-07"] } };
    assert.deepEqual(mergeCatalog(previous, body, false), {
      stations: { "PRS-04": { code: "PRS-04", name: "Press line 4" } },
    });
    assert.equal(previous.stations["QR-07"].name, "Leak"); // what was read is not changed
  });

  test("a full answer drops what it does not list", () => {
    const previous = { stations: { OLD: { code: "OLD" } } };
    const merged = mergeCatalog(previous, { stations: [{ code: "NEW" }] }, true);
    assert.deepEqual(Object.keys(merged.stations), ["NEW"]);
  });

  test("each kind is keyed by its own key; kinds the answer does not name are left out", () => {
    const body = {
      areas: [{ id: 3, name: "Press Shop" }],
      employees: [{ badge: "E1001", name: "Maria" }],
      metrics: [{ key: "units", label: "Units" }],
    };
    const merged = mergeCatalog({}, body, false);
    assert.deepEqual(Object.keys(merged).sort(), ["areas", "employees", "metrics"]);
    assert.equal(merged.areas[3].name, "Press Shop");
    assert.equal(merged.employees.E1001.name, "Maria");
    assert.equal(merged.metrics.units.label, "Units");
  });

  test("plan, settings, me and min_app come whole", () => {
    const plan = { day: "2024-03-10", targets: [], unscheduled: [], station_targets: [] };
    const merged = mergeCatalog({}, { plan, settings: { timezone: "America/Chicago" }, min_app: "1.2.0" }, false);
    assert.deepEqual(merged, { plan, settings: { timezone: "America/Chicago" }, min_app: "1.2.0" });
  });
});

describe("when a run retries", () => {
  test("network errors and 5xx retry; 4xx do not", () => {
    assert.equal(retries(undefined), true);
    assert.equal(retries(503), true);
    assert.equal(retries(422), false);
    assert.equal(retries(409), false);
  });

  test("backoff doubles from 2 s with ±50 % jitter", () => {
    assert.equal(backoffMs(1, 0), 2_000); // base 4 s, the low end
    assert.equal(backoffMs(1, 1), 6_000);
    assert.equal(backoffMs(2, 0.5), 8_000);
  });

  test("backoff is capped at 5 minutes (before jitter)", () => {
    assert.equal(backoffMs(8, 0), 150_000);
    assert.equal(backoffMs(30, 1), 450_000);
  });

  test("an app below min_app needs an update; numeric parts compare as numbers", () => {
    assert.equal(needsUpdate("0.9.0", "0.10.0"), true);
    assert.equal(needsUpdate("0.10.0", "0.9.9"), false);
    assert.equal(needsUpdate("1.0.0", "1.0.0"), false);
    assert.equal(needsUpdate("1.0", "1.0.1"), true);
    assert.equal(needsUpdate("0.1.0", null), false);
  });
});
