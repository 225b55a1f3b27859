// Today's target on the station view (catalog.js): the server's resolved target for the
// whole day, or the standing target when the phone's plan is not today's.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { stationMetrics, todaysTarget } from "../../floorwalk/static/src/catalog.js";

const entry = { metric: "units", target: 250, min_level: null };
const plan = (extra = {}) => ({
  day: "2024-03-10",
  targets: [],
  unscheduled: [],
  station_targets: [
    { station: "PRS-04", metric: "units", shift: "A", target: 120 },
    { station: "PRS-04", metric: "units", shift: "", target: 300 },
    { station: "PRS-04", metric: "units", shift: "B", target: 180 },
    { station: "QR-07", metric: "units", shift: "", target: 90 },
  ],
  ...extra,
});

describe("todaysTarget", () => {
  test("today's plan: the whole-day entry for the station and metric, not a shift's", () => {
    assert.equal(todaysTarget(plan(), "PRS-04", entry, "2024-03-10"), 300);
    assert.equal(todaysTarget(plan(), "QR-07", entry, "2024-03-10"), 90);
  });

  test("today's plan without an entry for the station metric: no target today", () => {
    assert.equal(todaysTarget(plan(), "PRS-04", { metric: "scrap", target: 5 }, "2024-03-10"), null);
  });

  test("a plan of another day (offline past midnight): the standing target", () => {
    assert.equal(todaysTarget(plan(), "PRS-04", entry, "2024-03-11"), 250);
  });

  test("an older server without station_targets: the standing target, the phone works nothing out", () => {
    const old = plan({ station_targets: undefined, targets: [{ station: "PRS-04", metric: "units", shift: "", target: 999 }] });
    assert.equal(todaysTarget(old, "PRS-04", entry, "2024-03-10"), 250);
  });

  test("no plan pulled yet, or no standing target either: the standing target or none", () => {
    assert.equal(todaysTarget(null, "PRS-04", entry, "2024-03-10"), 250);
    assert.equal(todaysTarget(null, "PRS-04", { metric: "units" }, "2024-03-10"), null);
  });

  test("a target of 0 from the server is shown, not replaced", () => {
    const zero = plan({ station_targets: [{ station: "PRS-04", metric: "units", shift: "", target: 0 }] });
    assert.equal(todaysTarget(zero, "PRS-04", entry, "2024-03-10"), 0);
  });
});

describe("stationMetrics", () => {
  const catalog = {
    settings: { timezone: "America/Chicago", day_start: "06:00" },
    metrics: { units: { key: "units", label: "Units completed", unit: "pcs", kind: "tally" } },
    plan: plan(),
  };
  const station = { code: "PRS-04", metrics: [entry] };

  test("during the plan's production day the station shows the server's target", () => {
    const [metric] = stationMetrics(catalog, station, new Date("2024-03-11T10:59:00Z")); // 05:59 CDT on the 11th
    assert.equal(metric.target, 300);
    assert.equal(metric.label, "Units completed");
  });

  test("from the next day's start (06:00 plant time) the standing target, until a pull", () => {
    const [metric] = stationMetrics(catalog, station, new Date("2024-03-11T11:00:00Z")); // 06:00 CDT
    assert.equal(metric.target, 250);
  });
});

describe("the employee picker's order", async () => {
  const { employeesFor } = await import("../../floorwalk/static/src/catalog.js");
  const catalog = {
    employees: {
      E1: { badge: "E1", name: "Zoe Press", area: 1 },
      E2: { badge: "E2", name: "Aaron Assembly", area: 2 },
      E3: { badge: "E3", name: "Bea Press", area: 1 },
      E4: { badge: "E4", name: "Gone", area: 1, active: false },
    },
  };
  test("the station's area first, then the rest, each by name", () => {
    assert.deepEqual(employeesFor(catalog, { code: "PRS-04", area: 1 }).map((e) => e.badge), ["E3", "E1", "E2"]);
  });
  test("without a station, everyone by name", () => {
    assert.deepEqual(employeesFor(catalog, null).map((e) => e.badge), ["E2", "E3", "E1"]);
  });
});
