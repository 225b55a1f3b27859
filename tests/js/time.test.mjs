// Time helpers (time.js). The expectations are worked out by hand from the US rules for
// America/Chicago: CST is UTC−6, CDT is UTC−5; in 2024 clocks went 02:00 CST → 03:00 CDT on
// 10 March (08:00 UTC) and 02:00 CDT → 01:00 CST on 3 November (07:00 UTC).
// This file runs in its own process (node --test), so its time zone is its own.
process.env.TZ = "America/Chicago";

import assert from "node:assert/strict";
import { describe, test } from "node:test";

const { isoLocal, productionDay } = await import("../../floorwalk/static/src/time.js");

const CHICAGO = "America/Chicago";
const day = (utc, start = "06:00") => productionDay(new Date(utc), CHICAGO, start);

describe("production day, day_start 06:00, America/Chicago", () => {
  test("before the spring change, the day starts at 12:00 UTC (06:00 CST)", () => {
    assert.equal(day("2024-03-09T11:59:00Z"), "2024-03-08"); // 05:59 CST
    assert.equal(day("2024-03-09T12:00:00Z"), "2024-03-09"); // 06:00 CST
  });

  test("on the spring change day, the day starts at 11:00 UTC (06:00 CDT)", () => {
    assert.equal(day("2024-03-10T10:59:00Z"), "2024-03-09"); // 05:59 CDT
    assert.equal(day("2024-03-10T11:00:00Z"), "2024-03-10"); // 06:00 CDT, not 05:00 CST
    assert.equal(day("2024-03-10T11:30:00Z"), "2024-03-10"); // 06:30 CDT
  });

  test("the night the clocks go forward belongs to the day before (a 23-hour day)", () => {
    assert.equal(day("2024-03-10T07:59:00Z"), "2024-03-09"); // 01:59 CST
    assert.equal(day("2024-03-10T08:00:00Z"), "2024-03-09"); // 03:00 CDT
  });

  test("on the autumn change day, the day starts at 12:00 UTC (06:00 CST)", () => {
    assert.equal(day("2024-11-03T11:00:00Z"), "2024-11-02"); // 05:00 CST, not 06:00 CDT
    assert.equal(day("2024-11-03T11:59:00Z"), "2024-11-02"); // 05:59 CST
    assert.equal(day("2024-11-03T12:00:00Z"), "2024-11-03"); // 06:00 CST
  });

  test("both 01:30s of the repeated hour belong to the day before (a 25-hour day)", () => {
    assert.equal(day("2024-11-03T06:30:00Z"), "2024-11-02"); // 01:30 CDT
    assert.equal(day("2024-11-03T07:30:00Z"), "2024-11-02"); // 01:30 CST
  });

  test("the hours before day start on 1 January belong to the last day of the year", () => {
    assert.equal(day("2025-01-01T11:59:00Z"), "2024-12-31"); // 05:59 CST
    assert.equal(day("2024-03-01T11:00:00Z"), "2024-02-29"); // 05:00 CST, leap year
  });

  test("with day_start 00:00 the production day is the local calendar date", () => {
    assert.equal(day("2024-03-10T05:30:00Z", "00:00"), "2024-03-09"); // 23:30 CST
    assert.equal(day("2024-03-10T06:00:00Z", "00:00"), "2024-03-10"); // 00:00 CST
  });
});

describe("isoLocal", () => {
  test("times carry the phone's own offset, which changes with daylight saving time", () => {
    assert.equal(isoLocal(new Date("2024-03-10T07:30:00.005Z")), "2024-03-10T01:30:00.005-06:00");
    assert.equal(isoLocal(new Date("2024-03-10T08:30:00.250Z")), "2024-03-10T03:30:00.250-05:00");
  });

  test("the repeated hour is told apart by its offset", () => {
    assert.equal(isoLocal(new Date("2024-11-03T06:30:00Z")), "2024-11-03T01:30:00.000-05:00");
    assert.equal(isoLocal(new Date("2024-11-03T07:30:00Z")), "2024-11-03T01:30:00.000-06:00");
  });
});
