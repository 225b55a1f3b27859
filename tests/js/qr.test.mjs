// Station codes from QR labels and page paths (qr.js).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { codeFromPath, codeFromQr } from "../../floorwalk/static/src/qr.js";

describe("codeFromQr", () => {
  test("a label URL gives its station code, whatever the host", () => {
    assert.equal(codeFromQr("https://floor.plant.example/s/QR-07"), "QR-07");
    assert.equal(codeFromQr("http://192.0.2.10:5000/s/PRS-04"), "PRS-04");
  });

  test("a trailing slash, a query or a fragment do not change the code", () => {
    assert.equal(codeFromQr("https://floor.plant.example/s/QR-07/"), "QR-07");
    assert.equal(codeFromQr("https://floor.plant.example/s/QR-07?scan=1#top"), "QR-07");
  });

  test("a bare code is the code itself, trimmed, its case kept", () => {
    assert.equal(codeFromQr("  prs_04\n"), "prs_04");
  });

  test("a URL of any other page is not a station", () => {
    assert.equal(codeFromQr("https://floor.plant.example/admin/stations/QR-07"), null);
    assert.equal(codeFromQr("https://floor.plant.example/s/"), null);
    assert.equal(codeFromQr("https://floor.plant.example/s/QR-07/edit"), null);
    assert.equal(codeFromQr("https://floor.plant.example/x/s/QR-07"), null);
  });

  test("codes are 1 to 32 letters, digits, '-' or '_'", () => {
    assert.equal(codeFromQr("A".repeat(32)), "A".repeat(32));
    assert.equal(codeFromQr("A".repeat(33)), null);
    assert.equal(codeFromQr(`https://h/s/${"A".repeat(33)}`), null);
    assert.equal(codeFromQr("QR.07"), null);
    assert.equal(codeFromQr("https://h/s/QR%2007"), null);
  });

  test("text that is neither a code nor a URL, or nothing, gives null", () => {
    assert.equal(codeFromQr("hello world"), null);
    assert.equal(codeFromQr(""), null);
    assert.equal(codeFromQr(null), null);
  });
});

describe("codeFromPath", () => {
  test("the app's station path gives its code", () => {
    assert.equal(codeFromPath("/s/PRS-04"), "PRS-04");
    assert.equal(codeFromPath("/s/PRS-04/"), "PRS-04");
  });

  test("other paths are not a station", () => {
    assert.equal(codeFromPath("/walk"), null);
    assert.equal(codeFromPath("/s/PRS-04/extra"), null);
    assert.equal(codeFromPath("/s/PRS-04//"), null);
  });
});
