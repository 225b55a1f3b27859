// Dictation into a text field (issue 16, item 10): what was heard joins what was typed.
import assert from "node:assert/strict";
import { test } from "node:test";

import { recognizer, withHeard } from "../../floorwalk/static/src/speech.js";

test("what was heard is added after what was typed, with one space", () => {
  assert.equal(withHeard("", " pallet in the aisle "), "pallet in the aisle");
  assert.equal(withHeard("Blocked:", "pallet"), "Blocked: pallet");
  assert.equal(withHeard("Blocked: ", "pallet"), "Blocked: pallet");
  assert.equal(withHeard("kept", "   "), "kept");
  assert.equal(withHeard("abc", "defgh", 6), "abc de");
});

test("the browser's recognizer, prefixed or not, or none", () => {
  const Standard = class {};
  const Webkit = class {};
  assert.equal(recognizer({ SpeechRecognition: Standard, webkitSpeechRecognition: Webkit }), Standard);
  assert.equal(recognizer({ webkitSpeechRecognition: Webkit }), Webkit);
  assert.equal(recognizer({}), null);
});
