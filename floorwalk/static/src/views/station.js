// The station view: what is expected here today, quick capture, recent records.
import { button, formatTime, h, replace } from "../dom.js";
import { areaName, describeRecord, progress, stationMetrics } from "../catalog.js";
import { statusOf } from "../records.js";
import { countForm, employeeNoteForm, observationForm } from "./forms.js";
import { countSheet } from "./sheet.js";

/**
 * ctx: { catalog, station, records, edit (a record whose form opens at once, or null),
 *        save(type, data, {record, photos}), saveCounts([{metric, value}]), remove(record),
 *        close() }
 */
export function stationView(ctx) {
  const { catalog, station } = ctx;
  const formSlot = h("div", { class: "form-slot" });
  const actions = h(
    "div",
    { class: "capture-actions" },
    button("Add count", () => open("count"), "button button-primary button-tile"),
    button("Add observation", () => open("observation"), "button button-primary button-tile"),
    button("Add employee note", () => open("employee_note"), "button button-primary button-tile"),
  );

  function open(type, record = null) {
    const close = () => {
      replace(formSlot);
      actions.hidden = false;
      if (sheet) sheet.hidden = false;
    };
    const onSave = async (data, photos) => {
      await ctx.save(type, data, { record, photos });
      close();
    };
    const forms = {
      count: () => countForm(catalog, station, record, onSave, close),
      observation: () => observationForm(catalog, record, onSave, close),
      employee_note: () => employeeNoteForm(catalog, record, onSave, close),
    };
    actions.hidden = true;
    if (sheet) sheet.hidden = true; // one form at a time: its "Save" is the only one
    replace(formSlot, forms[type]());
    formSlot.querySelector("input, select, textarea")?.focus();
  }

  const here = ctx.records.filter((r) => r.station === station.code && !r.deleted);
  const metrics = stationMetrics(catalog, station).map((m) => ({ ...m, done: progress(catalog, m, here) }));
  const sheet = metrics.length ? countSheet(station, metrics, ctx.records, ctx.saveCounts) : null;
  if (ctx.edit) open(ctx.edit.type, ctx.edit);
  return h(
    "section",
    { class: "station", "aria-labelledby": "station-heading" },
    h(
      "div",
      { class: "station-head" },
      h("h1", { id: "station-heading" }, h("span", { class: "code" }, station.code), " ", station.name),
      h("p", { class: "muted" }, areaName(catalog, station), station.active === false ? " · inactive" : ""),
      ctx.scanNext ? button("Scan next", ctx.scanNext, "button button-primary") : null,
    ),
    sheet,
    actions,
    formSlot,
    h("h2", { text: "Recent here" }),
    recentList(catalog, here.slice(0, 15), (record) => open(record.type, record), ctx.remove),
    button("Done", ctx.close, "button button-wide"),
  );
}

export function recentList(catalog, records, onEdit, onDelete) {
  if (!records.length) return h("p", { class: "muted", text: "Nothing recorded yet." });
  return h(
    "ul",
    { class: "records" },
    records.map((record) => {
      const status = statusOf(record);
      const editable = ["count", "observation", "employee_note"].includes(record.type);
      return h(
        "li",
        { class: `record record-${status}` },
        h("p", { class: "record-text", text: describeRecord(catalog, record) }),
        h(
          "p",
          { class: "muted record-meta" },
          `${formatTime(record.observed_at)} · ${status === "synced" ? "synced" : status}`,
        ),
        editable && onEdit
          ? h(
              "div",
              { class: "record-actions" },
              button("Edit", () => onEdit(record)),
              button("Delete", () => onDelete(record)),
            )
          : null,
      );
    }),
  );
}
