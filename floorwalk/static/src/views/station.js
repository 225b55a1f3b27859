// The station view: what is expected here today, quick capture, recent records.
import { button, h, replace } from "../dom.js";
import { EDITABLE_TYPES, areaName, describeRecord, findStation, progress, stationMetrics } from "../catalog.js";
import { groupRecent } from "../recent.js";
import { plantTime } from "../time.js";
import { statusOf } from "../records.js";
import { countForm, employeeNoteForm, observationForm } from "./forms.js";
import { countSheet } from "./sheet.js";

/**
 * ctx: { catalog, station, records, edit (a record whose form opens at once, or null),
 *        save(type, data, {record, photos}), saveCounts([{metric, value}]), remove(record),
 *        close(), createAction(observation), next ({code, name, open()}: the walk's next stop after a save, or null) }
 */
export function stationView(ctx) {
  const { catalog, station } = ctx;
  const formSlot = h("div", { class: "form-slot" });
  const actions = h(
    "div",
    { class: "capture-actions" },
    button("Add count", () => open("count"), "button button-tile"),
    button("Add observation", () => open("observation"), "button button-tile"),
    button("Add employee note", () => open("employee_note"), "button button-tile"),
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
      employee_note: () => employeeNoteForm(catalog, station, record, onSave, close),
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
    // On a route walk, after a save: the next stop not yet visited, one tap away.
    ctx.next
      ? h(
          "button",
          { type: "button", class: "button button-primary button-wide button-next", onclick: ctx.next.open },
          "Next: ",
          h("span", { class: "code", text: ctx.next.code }),
          ` ${ctx.next.name}`,
        )
      : null,
    sheet,
    actions,
    formSlot,
    h("h2", { text: "Recent here" }),
    recentList(catalog, here.slice(0, 30), {
      onEdit: (record) => open(record.type, record),
      onDelete: ctx.remove,
      onAction: ctx.createAction,
    }),
    button("Done", ctx.close, "button button-wide"),
  );
}

/**
 * The user's records, newest first: visits folded into one line per station, each other
 * record's "Edit" and "Delete" behind a tap on it (a glove never hits them by mistake).
 * `grouped` heads each station's records with its code and name (the home screen).
 * `onAction(observation)`: an observation's "Create action", behind the same tap.
 */
export function recentList(catalog, records, { onEdit, onDelete, onAction, grouped = false } = {}) {
  if (!records.length) return h("p", { class: "muted", text: "Nothing recorded yet." });
  const tz = catalog.settings?.timezone;
  const groups = groupRecent(records);
  const handlers = { onEdit, onDelete, onAction };
  const list = (items) => h("ul", { class: "records" }, items.map((item) => recordItem(catalog, item, tz, handlers)));
  if (!grouped) return list(groups.flatMap((g) => g.items));
  return h(
    "div",
    { class: "recent-groups" },
    groups.map((group) => {
      const station = group.station ? findStation(catalog, group.station) : null;
      return h(
        "section",
        { class: "recent-group" },
        h("h3", {}, group.station ? h("span", { class: "code", text: group.station }) : "No station", station ? ` ${station.name}` : ""),
        list(group.items),
      );
    }),
  );
}

/** The buttons behind a tap on a record: "Edit" and "Delete" where the list has them,
 * and an observation's "Create action". */
function recordButtons(record, { onEdit, onDelete, onAction }) {
  const act = (fn) => (event) => {
    fold(event); // acting folds the record again: only one left open stays open through a redraw
    fn(record);
  };
  const editable = EDITABLE_TYPES.includes(record.type);
  const actionable = record.type === "observation" && record.state !== "rejected" && onAction;
  return [
    editable && onEdit ? button("Edit", act(onEdit)) : null,
    editable && onDelete ? button("Delete", act(onDelete)) : null,
    actionable ? button("Create action", act(onAction), "button button-primary") : null,
  ].filter(Boolean);
}

function recordItem(catalog, item, tz, handlers) {
  const { record } = item;
  const status = statusOf(record);
  const text = item.visits ? `Visited ${record.station}${item.visits > 1 ? ` ×${item.visits}` : ""}` : describeRecord(catalog, record);
  const meta = `${plantTime(record.observed_at, tz)} · ${status}`;
  const buttons = item.visits ? [] : recordButtons(record, handlers);
  const body = [h("p", { class: "record-text", text }), h("p", { class: "muted record-meta", text: meta })];
  if (!buttons.length) return h("li", { class: `record record-${status}` }, body);
  return h(
    "li",
    { class: `record record-${status}` },
    h(
      "details",
      { class: "record-more", "data-record": record.id },
      h("summary", {}, body),
      h("div", { class: "record-actions" }, buttons),
    ),
  );
}

function fold(event) {
  const details = event?.target?.closest?.("details");
  if (details) details.open = false;
}
