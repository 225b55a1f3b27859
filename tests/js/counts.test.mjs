// The count sheet's rules (counts.js), the words that agree with numbers (words.js) and
// the sync status of DESIGN §4 (status.js): plain functions, no DOM.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { checkValue, hintFor, inputModeFor, rangeWarning, recentValues } from "../../floorwalk/static/src/counts.js";
import { ago, plural, withUnit } from "../../floorwalk/static/src/words.js";
import { syncStatus } from "../../floorwalk/static/src/status.js";

describe("a value typed in the count sheet", () => {
  test("an empty field saves nothing", () => {
    assert.deepEqual(checkValue(""), { empty: true });
    assert.deepEqual(checkValue("  "), { empty: true });
  });
  test("numbers from 0 to 1,000,000,000, with a decimal comma too", () => {
    assert.deepEqual(checkValue("0"), { value: 0 });
    assert.deepEqual(checkValue("4,5"), { value: 4.5 });
    assert.deepEqual(checkValue("1000000000"), { value: 1_000_000_000 });
  });
  test("negatives, too large and not numbers are refused with what to do", () => {
    assert.equal(checkValue("-5").error, "Enter 0 or more.");
    assert.equal(checkValue("1000000001").error, "Enter at most 1,000,000,000.");
    assert.equal(checkValue("12abc").error, "Enter a number.");
    assert.equal(checkValue("1e5").error, "Enter a number.");
  });
  test("each kind says what to enter and opens its keypad", () => {
    assert.equal(hintFor("tally"), "How many since your last count");
    assert.equal(hintFor("counter"), "The reading on the counter");
    assert.equal(hintFor("gauge"), "How many there are now");
    assert.equal(inputModeFor("gauge"), "decimal");
    assert.equal(inputModeFor("tally"), "numeric");
  });
});

describe("the usual range of a station's metric", () => {
  const count = (station, metric, value, at, extra = {}) => ({
    type: "count", station, observed_at: at, data: { metric, value }, ...extra,
  });
  const records = [
    count("PRS-04", "units", 40, "2024-05-01T08:00:00Z"),
    count("PRS-04", "units", 38, "2024-05-01T09:00:00Z"),
    count("PRS-04", "units", 41, "2024-05-01T10:00:00Z"),
    count("PRS-04", "units", 9999, "2024-05-01T11:00:00Z", { deleted: true }),
    count("PRS-05", "units", 5000, "2024-05-01T11:00:00Z"),
    count("PRS-04", "scrap", 2, "2024-05-01T11:00:00Z"),
    { type: "visit", station: "PRS-04", observed_at: "2024-05-01T12:00:00Z", data: {} },
  ];
  test("comes from this station and metric alone, newest first, deletions left out", () => {
    assert.deepEqual(recentValues(records, "PRS-04", "units"), [41, 38, 40]);
  });
  test("a value ten times the usual, or a tenth of it, is warned about", () => {
    const history = recentValues(records, "PRS-04", "units");
    assert.match(rangeWarning(4000, history), /Far from the usual here \(38–41\)/);
    assert.match(rangeWarning(3, history), /Far from the usual/);
    assert.equal(rangeWarning(45, history), null);
    assert.equal(rangeWarning(0, [0, 0, 1]), null);
  });
  test("too little history warns about nothing", () => {
    assert.equal(rangeWarning(1_000_000, [40, 41]), null);
  });
});

describe("words that agree with their number", () => {
  test("plural rules in one place", () => {
    assert.equal(plural(1, "count"), "1 count");
    assert.equal(plural(4, "count"), "4 counts");
    assert.equal(plural(1, "person"), "1 person");
    assert.equal(plural(2, "person"), "2 people");
    assert.equal(plural(0, "entry"), "0 entries");
  });
  test("units", () => {
    assert.equal(withUnit(1, "people"), "1 person");
    assert.equal(withUnit(2, "people"), "2 people");
    assert.equal(withUnit(1, "bins"), "1 bin");
    assert.equal(withUnit(1, "pcs"), "1 pcs");
    assert.equal(withUnit(3, ""), "3");
  });
  test("time since", () => {
    const now = new Date("2024-05-01T12:00:00Z");
    assert.equal(ago("2024-05-01T11:59:40Z", now), "just now");
    assert.equal(ago("2024-05-01T11:56:00Z", now), "4 min ago");
    assert.equal(ago("2024-05-01T09:00:00Z", now), "3 h ago");
    assert.equal(ago("2024-04-28T12:00:00Z", now), "3 days ago");
  });
});

describe("the sync status", () => {
  const user = { id: 1 };
  const base = { user, pending: 0, attention: [], lastSync: null, needsSignIn: false, busy: false, error: "" };
  const now = new Date("2024-05-01T12:00:00Z");
  const status = (changes, online = true) => syncStatus({ ...base, ...changes }, online, now);

  test("never 'All synced' before a sync has finished since sign-in", () => {
    assert.equal(status({}).text, "Not synced yet");
    assert.equal(status({ busy: true }).text, "Not synced yet");
    assert.equal(status({ busy: true }).state, "syncing");
    assert.equal(status({ lastSync: "2024-05-01T11:58:00Z" }).text, "All synced");
  });
  test("each state has its own look, with the time since the last sync", () => {
    const last = "2024-05-01T11:58:00Z";
    assert.deepEqual(status({ lastSync: last }), {
      text: "All synced", state: "synced", icon: "✓", note: "Last sync 2 min ago", detail: "Last sync 2 min ago",
    });
    assert.equal(status({ lastSync: last, pending: 3 }).state, "pending");
    assert.equal(status({ lastSync: last, pending: 3 }).text, "3 pending");
    const offline = status({ lastSync: last, pending: 1 }, false);
    assert.equal(offline.state, "offline");
    assert.equal(offline.note, "Offline · Last sync 2 min ago");
    assert.equal(offline.detail, "Offline: records are kept on this phone. · Last sync 2 min ago");
    const gone = status({ lastSync: last, error: "Cannot reach the server; retrying." });
    assert.equal(gone.state, "offline");
    const rejected = status({ lastSync: last, attention: [{ id: "a" }] });
    assert.equal(rejected.state, "attention");
    assert.equal(rejected.text, "All synced · 1 needs attention");
    assert.equal(new Set(["synced", "pending", "offline", "attention", "syncing"].map((s) => iconOf(s))).size, 5);
  });
});

function iconOf(state) {
  const at = "2024-05-01T11:58:00Z";
  const shapes = {
    synced: { lastSync: at },
    pending: { lastSync: at, pending: 1 },
    offline: { lastSync: at, error: "x" },
    attention: { lastSync: at, attention: [{}] },
    syncing: { busy: true },
  };
  return syncStatus({ user: { id: 1 }, pending: 0, attention: [], ...shapes[state] }, true, new Date(at)).icon;
}

describe("recent records", async () => {
  const { groupRecent } = await import("../../floorwalk/static/src/recent.js");
  const r = (id, type, station) => ({ id, type, station, data: {} });
  test("grouped by station in the order of their newest record, visits folded", () => {
    const groups = groupRecent([
      r("1", "visit", "QR-07"),
      r("2", "count", "PRS-04"),
      r("3", "visit", "QR-07"),
      r("4", "visit", "PRS-04"),
      r("5", "observation", "QR-07"),
      r("6", "visit", "QR-07"),
    ]);
    assert.deepEqual(groups.map((g) => g.station), ["QR-07", "PRS-04"]);
    assert.deepEqual(
      groups[0].items.map((i) => (i.visits ? `visits ${i.visits} ${i.record.id}` : i.record.id)),
      ["visits 3 1", "5"],
    );
    assert.deepEqual(
      groups[1].items.map((i) => (i.visits ? `visits ${i.visits}` : i.record.id)),
      ["2", "visits 1"],
    );
  });
});

describe("plant time", async () => {
  const { plantTime } = await import("../../floorwalk/static/src/time.js");
  test("the plant's clock, whatever the phone's", () => {
    assert.equal(plantTime("2026-12-01T05:45:00Z", "America/Chicago"), "Mon 30 Nov 23:45");
    assert.equal(plantTime("2026-12-01T05:45:00Z", "Europe/Berlin"), "Tue 1 Dec 06:45");
  });
});
