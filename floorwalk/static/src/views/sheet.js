// The count sheet (DESIGN §4): one field per metric listed at the station, one "Save
// counts". Each filled field becomes one count record; empty fields none.
import { h } from "../dom.js";
import { checkValue, hintFor, inputModeFor, rangeWarning, recentValues } from "../counts.js";

const STEP = 1;

/**
 * metrics: stationMetrics() with `done` (today's progress on this phone);
 * records: the user's records (for the usual range); onSave([{metric, value}]).
 */
export function countSheet(station, metrics, records, onSave) {
  const error = h("p", { class: "error", role: "alert" });
  const rows = metrics.map((metric) => sheetRow(station, metric, records));
  const form = h(
    "form",
    { class: "count-sheet", novalidate: true, "aria-labelledby": "sheet-heading" },
    h("h2", { id: "sheet-heading", class: "visually-hidden", text: "Counts" }),
    rows.map((row) => row.el),
    error,
    h("button", { type: "submit", class: "button button-primary button-wide button-save" }, "Save counts"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const checked = rows.map((row) => row.check());
    const bad = checked.findIndex((c) => c.error);
    if (bad >= 0) {
      error.textContent = `${metrics[bad].label}: ${checked[bad].error}`;
      rows[bad].input.focus();
      return;
    }
    const values = checked.flatMap((c, i) => (c.empty ? [] : [{ metric: metrics[i].key, value: c.value }]));
    if (!values.length) {
      error.textContent = "Enter at least one count.";
      rows[0]?.input.focus();
      return;
    }
    try {
      await onSave(values);
    } catch (problem) {
      error.textContent = problem.message;
    }
  });
  return form;
}

function sheetRow(station, metric, records) {
  const unit = metric.unit ? ` ${metric.unit}` : "";
  const id = `count-${metric.key}`;
  const input = h("input", {
    id,
    name: `count:${metric.key}`,
    type: "text",
    inputmode: inputModeFor(metric.kind),
    autocomplete: "off",
    enterkeyhint: "next",
    "aria-describedby": `${id}-hint ${id}-note`,
  });
  const note = h("p", { id: `${id}-note`, class: "sheet-note", "aria-live": "polite" });
  const history = recentValues(records, station.code, metric.key);
  const check = () => {
    const result = checkValue(input.value);
    note.className = "sheet-note";
    note.textContent = "";
    if (result.error) {
      note.textContent = result.error;
      note.classList.add("sheet-error");
    } else if (!result.empty) {
      const warning = rangeWarning(result.value, history);
      if (warning) {
        note.textContent = warning;
        note.classList.add("sheet-warning");
      }
    }
    input.setAttribute("aria-invalid", result.error ? "true" : "false");
    return result;
  };
  input.addEventListener("change", check);
  input.addEventListener("input", () => {
    if (note.textContent) check();
  });
  const step = (delta) => () => {
    const current = checkValue(input.value).value ?? 0;
    input.value = String(Math.max(0, current + delta));
    check();
  };
  // The phone holds its user's own records (DESIGN §3, pull), so progress is theirs,
  // and says so: read as the station's, another walker's counts made it look behind.
  const done = metric.done == null ? "—" : String(metric.done);
  const min = metric.min_level != null ? `min ${metric.min_level}${unit}` : "";
  const goal =
    metric.target != null
      ? [`yours: ${done} / ${metric.target}${unit}`, min].filter(Boolean).join(" · ")
      : min || (metric.done != null ? `yours: ${done}${unit} today` : "");
  const meter =
    metric.target != null
      ? h("meter", { min: "0", max: String(metric.target), value: String(metric.done ?? 0), "aria-hidden": "true" })
      : null;
  const el = h(
    "div",
    { class: "sheet-row" },
    h(
      "div",
      { class: "sheet-label" },
      h("label", { for: id, id: `${id}-label` }, h("span", { class: "metric-label", text: metric.label }), unit ? h("span", { class: "unit", text: unit }) : null),
      goal ? h("span", { class: "metric-value", text: goal }) : null,
    ),
    meter,
    h(
      "div",
      { class: "stepper" },
      h("button", { type: "button", class: "button step", "aria-label": "One less", "aria-describedby": `${id}-label`, onclick: step(-STEP) }, "−"),
      input,
      h("button", { type: "button", class: "button step", "aria-label": "One more", "aria-describedby": `${id}-label`, onclick: step(STEP) }, "+"),
    ),
    h("p", { id: `${id}-hint`, class: "hint", text: hintFor(metric.kind) }),
    note,
  );
  return { el, input, check };
}
