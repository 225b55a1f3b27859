// The next stop offered after a save on a route walk (issue 16, item 6).
import assert from "node:assert/strict";
import { test } from "node:test";

import { nextStop } from "../../floorwalk/static/src/views/walk.js";

const stops = ["A-1", "B-2", "C-3", "D-4"];

test("the next stop is the first unvisited one after this station, going round", () => {
  assert.equal(nextStop(stops, new Set(["A-1"]), "A-1"), "B-2");
  assert.equal(nextStop(stops, new Set(["A-1", "B-2", "C-3"]), "B-2"), "D-4");
  assert.equal(nextStop(stops, new Set(["B-2", "C-3", "D-4"]), "D-4"), "A-1");
});

test("a station off the route offers the route's first unvisited stop", () => {
  assert.equal(nextStop(stops, new Set(["A-1", "X-9"]), "X-9"), "B-2");
});

test("nothing is offered once every other stop is visited, or without a route", () => {
  assert.equal(nextStop(stops, new Set(["A-1", "B-2", "C-3"]), "D-4"), null);
  assert.equal(nextStop(stops, new Set(stops), "A-1"), null);
  assert.equal(nextStop([], new Set(), "A-1"), null);
});
