// The three capture forms. Each saves to the outbox (offline first) through onSave(data).
import { button, field, h, replace } from "../dom.js";
import { employeesFor, stationMetrics } from "../catalog.js";
import { checkValue, hintFor } from "../counts.js";
import { withSpeech } from "../speech.js";

const SEVERITIES = ["info", "low", "medium", "high", "critical"];
const NOTE_KINDS = ["recognition", "coaching", "training", "attendance", "safety", "other"];
const MAX_TEXT = 4000;
const PHOTO_MAX_PX = 1600;

function options(select, items, selected) {
  for (const [value, label] of items) {
    select.append(h("option", { value, selected: String(value) === String(selected ?? "") }, label));
  }
  return select;
}

function formShell(title, onSubmit, onCancel, ...fields) {
  return formWith(title, "Save", onSubmit, onCancel, ...fields);
}

/** A capture form: its heading, fields, one problem line, the submit button and "Cancel".
 * Its class "capture" keeps a sync's redraw from taking it away while it is filled in. */
export function formWith(title, submitText, onSubmit, onCancel, ...fields) {
  const error = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    { class: "form capture", novalidate: true },
    h("h2", { text: title }),
    fields,
    error,
    h(
      "div",
      { class: "form-actions" },
      h("button", { type: "submit", class: "button button-primary button-wide" }, submitText),
      button("Cancel", onCancel),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await onSubmit();
    } catch (problem) {
      error.textContent = problem.message;
    }
  });
  return form;
}

export function countForm(catalog, station, record, onSave, onCancel) {
  const expected = stationMetrics(catalog, station);
  const others = Object.values(catalog.metrics).filter((m) => !expected.some((e) => e.key === m.key));
  const metric = options(
    h("select", { name: "metric" }),
    [...expected, ...others].map((m) => [m.key, m.unit ? `${m.label} (${m.unit})` : m.label]),
    record?.data.metric,
  );
  const value = h("input", {
    name: "value",
    type: "number",
    inputmode: "decimal",
    step: "any",
    value: record ? String(record.data.value) : "",
  });
  const hint = h("p", { class: "muted hint" });
  const updateHint = () => {
    hint.textContent = `${hintFor(catalog.metrics[metric.value]?.kind)}.`;
  };
  metric.addEventListener("change", updateHint);
  updateHint();
  const step = (delta) => () => {
    value.value = String(Math.max(0, (Number(value.value) || 0) + delta));
  };
  const stepper = h(
    "div",
    { class: "stepper" },
    h("button", { type: "button", class: "button step", "aria-label": "Decrease", onclick: step(-1) }, "−"),
    field("Value", value),
    h("button", { type: "button", class: "button step", "aria-label": "Increase", onclick: step(1) }, "+"),
  );
  return formShell(
    record ? "Edit count" : "Add count",
    () => {
      const checked = checkValue(value.value);
      if (checked.empty) throw new Error("Enter a number.");
      if (checked.error) throw new Error(checked.error);
      return onSave({ metric: metric.value, value: checked.value });
    },
    onCancel,
    field("Metric", metric),
    stepper,
    hint,
  );
}

/** A photo from the camera, downscaled on the phone before it is stored. */
export async function downscale(file, maxPx = PHOTO_MAX_PX) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("Photo unreadable"))), "image/jpeg", 0.82),
  );
}

export function observationForm(catalog, record, onSave, onCancel) {
  const categories = Object.values(catalog.categories)
    .filter((c) => c.active !== false)
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const category = options(
    h("select", { name: "category" }),
    categories.map((c) => [c.key, c.label]),
    record?.data.category,
  );
  const severity = options(
    h("select", { name: "severity" }),
    SEVERITIES.map((s) => [s, s[0].toUpperCase() + s.slice(1)]),
    record?.data.severity ?? "medium",
  );
  const text = h("textarea", { name: "text", rows: 4, maxlength: MAX_TEXT });
  text.value = record?.data.text || "";
  const minutes = h("input", {
    name: "minutes",
    type: "number",
    inputmode: "numeric",
    min: "0",
    value: record?.data.minutes != null ? String(record.data.minutes) : "",
  });
  const minutesField = field("Minutes lost", minutes);
  const showMinutes = () => {
    minutesField.hidden = !catalog.categories[category.value]?.downtime;
  };
  category.addEventListener("change", showMinutes);
  showMinutes();
  const photos = photoPicker(record?.data.photos || []);
  return formShell(
    record ? "Edit observation" : "Add observation",
    async () => {
      if (!text.value.trim()) throw new Error("Describe what you saw.");
      const data = { category: category.value, severity: severity.value, text: text.value.trim(), photos: photos.kept() };
      if (!minutesField.hidden && minutes.value !== "") data.minutes = Number(minutes.value);
      const blobs = [];
      for (const file of photos.taken()) blobs.push(await downscale(file));
      return onSave(data, blobs);
    },
    onCancel,
    field("Category", category),
    field("Severity", severity),
    withSpeech(field("Description", text), text),
    minutesField,
    photos.el,
  );
}

export function employeeNoteForm(catalog, station, record, onSave, onCancel) {
  const employees = employeesFor(catalog, station);
  const listId = "employee-list";
  const label = (e) => `${e.name} (${e.badge})`;
  const current = record ? catalog.employees[record.data.employee] : null;
  const employee = h("input", {
    name: "employee",
    list: listId,
    autocomplete: "off",
    placeholder: "Type a name or badge",
    value: current ? label(current) : record?.data.employee || "",
  });
  const datalist = h("datalist", { id: listId }, employees.map((e) => h("option", { value: label(e) })));
  const kind = options(
    h("select", { name: "kind" }),
    NOTE_KINDS.map((k) => [k, k[0].toUpperCase() + k.slice(1)]),
    record?.data.kind,
  );
  const text = h("textarea", { name: "text", rows: 4, maxlength: MAX_TEXT });
  text.value = record?.data.text || "";
  const resolve = (typed) => {
    const wanted = typed.trim().toLowerCase();
    return (
      employees.find((e) => label(e).toLowerCase() === wanted) ||
      employees.find((e) => e.badge.toLowerCase() === wanted) ||
      employees.find((e) => e.name.toLowerCase() === wanted) ||
      (wanted ? employees.filter((e) => label(e).toLowerCase().includes(wanted)) : []).find(
        (_, __, matches) => matches.length === 1,
      )
    );
  };
  return formShell(
    record ? "Edit employee note" : "Add employee note",
    () => {
      const chosen = resolve(employee.value);
      if (!chosen) throw new Error("Pick an employee from the list.");
      if (!text.value.trim()) throw new Error("Write the note.");
      return onSave({ employee: chosen.badge, kind: kind.value, text: text.value.trim() });
    },
    onCancel,
    field("Employee", employee),
    datalist,
    field("Kind", kind),
    withSpeech(field("Note", text), text),
  );
}

/** "Take photo": the rear camera, a thumbnail of each photo taken, each removable before
 * saving. Photos already on the record show as "Attached" and can be removed too. */
export function photoPicker(attached = []) {
  let kept = [...attached];
  let taken = [];
  const input = h("input", { name: "photo", type: "file", accept: "image/*", capture: "environment", class: "photo-input" });
  const thumbs = h("ul", { class: "thumbs", "aria-label": "Pictures taken" });
  const draw = () => {
    for (const img of thumbs.querySelectorAll("img")) URL.revokeObjectURL(img.src);
    replace(
      thumbs,
      kept.map((id, i) =>
        h("li", { class: "thumb" }, h("span", { class: "thumb-kept", text: `Attached ${i + 1}` }),
          button("Remove", () => { kept = kept.filter((k) => k !== id); draw(); }, "button button-quiet")),
      ),
      taken.map((file, i) =>
        h("li", { class: "thumb" }, h("img", { src: URL.createObjectURL(file), alt: `Photo ${i + 1}` }),
          button("Remove", () => { taken = taken.filter((f) => f !== file); draw(); }, "button button-quiet")),
      ),
    );
  };
  input.addEventListener("change", () => {
    taken = [...taken, ...input.files];
    input.value = ""; // the next shot adds to these
    draw();
  });
  draw();
  const el = h(
    "div",
    { class: "field photo-field" },
    h("label", { for: "photo-input", text: "Photo" }),
    Object.assign(input, { id: "photo-input", tabIndex: -1 }),
    button("Take photo", () => input.click(), "button button-primary button-wide button-photo"),
    thumbs,
  );
  return { el, kept: () => [...kept], taken: () => [...taken] };
}
