// Plain words for each problem a person sees, with what to do (issue 16, item 9).
import assert from "node:assert/strict";
import { test } from "node:test";

import { cameraProblem, saveProblem, syncProblem, NO_NETWORK, NO_SERVER, SERVER_PROBLEM, STORAGE_FULL } from "../../floorwalk/static/src/words.js";

test("a full storage says so and what to do, however the browser names it", () => {
  const quota = new DOMException("The quota has been exceeded.", "QuotaExceededError");
  assert.equal(saveProblem(quota), STORAGE_FULL);
  assert.equal(saveProblem({ name: "NS_ERROR_DOM_QUOTA_REACHED" }), STORAGE_FULL);
  assert.equal(saveProblem({ name: "AbortError", inner: { name: "QuotaExceededError" } }), STORAGE_FULL);
  // A full disk, as Chromium says it before any quota: a photo, then a record.
  assert.equal(saveProblem(new DOMException("Failed to write blobs (IOError)", "DataError")), STORAGE_FULL);
  const record = "Connection is closing because of: IO error: .../000003.log: FILE_ERROR_NO_SPACE (ChromeMethodBFE: 3::WritableFileAppend::8)";
  assert.equal(saveProblem(new DOMException(record, "UnknownError")), STORAGE_FULL);
  assert.notEqual(saveProblem(new DOMException("Data provided to an operation does not meet requirements.", "DataError")), STORAGE_FULL);
  assert.match(STORAGE_FULL, /^This phone's storage is full: sync, or delete old photos/);
  const other = saveProblem(new TypeError("x is undefined"));
  assert.doesNotMatch(other, /storage|undefined/);
  assert.match(other, /Try again/);
});

test("a sync failure names its cause: no network, no server, or the server's own error", () => {
  assert.equal(syncProblem(undefined, false), NO_NETWORK);
  assert.equal(syncProblem(503, false), NO_NETWORK);
  assert.equal(syncProblem(undefined, true), NO_SERVER);
  assert.equal(syncProblem(500, true), SERVER_PROBLEM);
  assert.equal(syncProblem(502, true), SERVER_PROBLEM);
  assert.equal(SERVER_PROBLEM, "The server had a problem; your records are kept and will be sent again.");
});

test("a camera problem says what to do instead, never the browser's error name", () => {
  const said = (name) => cameraProblem(Object.assign(new Error("x"), { name }));
  assert.match(said("NotAllowedError"), /Allow it in the browser's site settings, or type the station code/);
  assert.match(said("NotFoundError"), /no camera .*Type the station code/);
  assert.match(said("NotReadableError"), /Another app is using the camera/);
  assert.match(cameraProblem(undefined), /Try again, or type the station code/);
  for (const name of ["NotAllowedError", "NotFoundError", "NotReadableError", "Weird"]) assert.doesNotMatch(said(name), /Error/);
});
