// Text on the phone pages is read on a bright plant floor: every pair of text colour and
// background the stylesheets use has a contrast of at least 7:1 (WCAG AAA), in the light
// and the dark scheme (issue 16).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const css = (name) => readFileSync(new URL(`../../floorwalk/static/css/${name}`, import.meta.url), "utf8");
const app = css("app.css");
const walk = css("walk.css");

/** The custom properties set in the first block that `selector` opens in `text`. */
function properties(text, selector) {
  const start = text.indexOf(selector);
  assert.ok(start >= 0, `${selector} not found`);
  const body = text.slice(text.indexOf("{", start) + 1, text.indexOf("}", start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
}

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

const light = properties(app, ":root {");
const dark = { ...light, ...properties(app, "@media (prefers-color-scheme: dark)") };

test("the ratio is WCAG's", () => {
  assert.equal(contrast("#000000", "#ffffff").toFixed(2), "21.00");
  assert.equal(contrast("#777777", "#ffffff").toFixed(2), "4.48");
});

for (const [scheme, colours] of [["light", light], ["dark", dark]]) {
  test(`body, muted, link, warning and error text reach 7:1 on the page and on cards (${scheme})`, () => {
    const low = [];
    for (const text of ["text", "muted", "primary", "danger", "ok", "warn"]) {
      for (const ground of ["bg", "surface"]) {
        const ratio = contrast(colours[text], colours[ground]);
        if (ratio < 7) low.push(`--${text} on --${ground}: ${ratio.toFixed(2)}`);
      }
    }
    const onButton = contrast(colours["primary-text"], colours.primary);
    if (onButton < 7) low.push(`--primary-text on --primary: ${onButton.toFixed(2)}`);
    assert.deepEqual(low, []);
  });
}

test("the sync status's white words reach 7:1 on each state's colour", () => {
  const states = [...walk.matchAll(/\.sync\[data-state="(\w+)"\][^{]*\{\s*--status-bg:\s*(#[0-9a-f]{6})/gi)];
  assert.ok(states.length >= 6);
  const low = states
    .map(([, state, colour]) => [state, contrast("#ffffff", colour)])
    .filter(([, ratio]) => ratio < 7)
    .map(([state, ratio]) => `${state}: ${ratio.toFixed(2)}`);
  assert.deepEqual(low, []);
});
