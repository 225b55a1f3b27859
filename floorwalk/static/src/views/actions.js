// Actions on the phone (DESIGN §9): "My actions" and "To verify" on the home screen, one
// action's screen with the moves the user may make, the "Create action" form and the
// "Mark done" form. Each saves a record through onSave (edits.js: the outbox first).
import { button, field, h, replace } from "../dom.js";
import { movesFor } from "../action-rules.js";
import { ownersFor, priorityFor } from "../actions.js";
import { areaName, findStation } from "../catalog.js";
import { addDays, dayWords, plantTime } from "../time.js";
import { withSpeech } from "../speech.js";
import { plural } from "../words.js";
import { formWith, photoPicker } from "./forms.js";

export const MAX_TITLE = 200;
const MAX_TEXT = 4000;
const PRIORITIES = ["low", "medium", "high", "critical"];
const STATUS_WORDS = {
  open: "Open",
  in_progress: "In progress",
  done: "Done, to verify",
  verified: "Verified",
  cancelled: "Cancelled",
};
// The buttons of each move, in the order a person meets them; going back is not primary.
const MOVE_BUTTONS = [
  ["in_progress", "Start", "button button-primary button-tile"],
  ["done", "Mark done", "button button-primary button-tile"],
  ["verified", "Verify", "button button-primary button-tile"],
  ["reopened", "Reopen", "button button-tile"],
];
// What each update did, in the action's history.
const DONE_WORDS = {
  in_progress: "Started",
  done: "Marked done",
  verified: "Verified",
  reopened: "Reopened",
  cancelled: "Cancelled",
};
const capital = (word) => word[0].toUpperCase() + word.slice(1);

/** "Overdue since Mon 30 Nov", "Due today", "Due tomorrow", "Due Fri 4 Dec". */
export function dueWords(action, today) {
  if (action.overdue) return `Overdue: was due ${dayWords(action.due)}`;
  if (action.due === today) return "Due today";
  if (action.due === addDays(today, 1)) return "Due tomorrow";
  return `Due ${dayWords(action.due)}`;
}

function statusWords(action) {
  const words = STATUS_WORDS[action.status] || action.status;
  return action.local ? `${words} · not synced yet` : words;
}

function actionItem(catalog, action, today, open) {
  const station = action.station ? findStation(catalog, action.station) : null;
  return h(
    "li",
    { class: `action-item${action.overdue ? " action-overdue" : ""}` },
    h(
      "button",
      { type: "button", class: "action-open", onclick: () => open(action.id) },
      h("span", { class: "action-title", text: action.title }),
      h(
        "span",
        { class: "action-meta" },
        action.station ? h("span", { class: "code", text: action.station }) : null,
        station ? ` ${station.name} · ` : action.station ? " · " : "",
        h("span", { class: "action-due", text: dueWords(action, today) }),
      ),
      h("span", { class: `action-status status-${action.status}`, text: `${statusWords(action)} · ${capital(action.priority)}` }),
    ),
  );
}

/** A list of actions on the home screen, each one tap from its screen; none: no list. */
export function actionsPanel(catalog, { title, id, actions, today, open, empty }) {
  if (!actions.length && !empty) return null;
  return h(
    "section",
    { class: "actions-panel", "aria-labelledby": id },
    h("h2", { id, text: title }),
    actions.length
      ? h("ul", { class: "action-list" }, actions.map((a) => actionItem(catalog, a, today, open)))
      : h("p", { class: "muted", text: empty }),
  );
}

function detail(term, value) {
  return value ? [h("dt", { text: term }), h("dd", {}, value)] : [];
}

function updateItem(update, tz) {
  const what = [DONE_WORDS[update.status] || update.status, update.owner ? "new owner" : null,
    update.due ? `due ${dayWords(update.due)}` : null, update.comment].filter(Boolean).join(": ");
  const count = update.photos?.length || 0;
  const photos = count ? ` · ${plural(count, "photo")}` : "";
  return h(
    "li",
    { class: "record" },
    h("p", { class: "record-text", text: what || "Photos" }),
    h("p", { class: "muted record-meta", text: `${update.author.username} · ${plantTime(update.at, tz)}${photos}${update.local ? " · not synced yet" : ""}` }),
    // The server's photos, to check the fix before verifying it (online; a photo still
    // on the phone that took it is counted, not shown).
    count && !update.local
      ? h("ul", { class: "thumbs", "aria-label": "Photos of the fix" }, update.photos.map((id, i) =>
          h("li", { class: "thumb" }, h("a", { href: `/photos/${id}`, target: "_blank", rel: "noopener" },
            h("img", { src: `/photos/${id}/thumb`, alt: `Photo ${i + 1} of the fix`, loading: "lazy" })))))
      : null,
  );
}

/**
 * One action: what it is, its history, and the buttons of the moves the user may make.
 * ctx: { catalog, action, user ({id, role, areas: [ids]}), today, move(move), done(), back() }
 */
export function actionView(ctx) {
  const { catalog, action, today } = ctx;
  const tz = catalog.settings?.timezone;
  const station = action.station ? findStation(catalog, action.station) : null;
  const moves = new Set(movesFor(ctx.user, action));
  const formSlot = h("div", { class: "form-slot" });
  const buttons = h(
    "div",
    { class: "capture-actions action-moves" },
    MOVE_BUTTONS.filter(([move]) => moves.has(move)).map(([move, text, cls]) =>
      button(text, () => (move === "done" ? openDone() : ctx.move(move)), cls),
    ),
  );
  function openDone() {
    buttons.hidden = true;
    const close = () => {
      replace(formSlot);
      buttons.hidden = false;
    };
    replace(formSlot, doneForm(ctx.done, close));
    formSlot.querySelector("textarea")?.focus();
  }
  return h(
    "section",
    { class: "action-screen", "aria-labelledby": "action-heading" },
    h("h1", { id: "action-heading", text: action.title }),
    h("p", { class: `action-due-line${action.overdue ? " action-overdue" : ""}`, text: dueWords(action, today) }),
    h(
      "dl",
      { class: "action-details" },
      detail("Status", statusWords(action)),
      detail("Priority", capital(action.priority)),
      detail("Station", station ? `${station.code} ${station.name} (${areaName(catalog, station)})` : action.station),
      detail("Owner", action.owner.username),
      detail("Created by", `${action.created_by.username || "you"} · ${plantTime(action.created_at, tz)}`),
      detail("Details", action.text),
    ),
    buttons.children.length ? buttons : h("p", { class: "muted", text: "Nothing for you to do on this action now." }),
    formSlot,
    action.updates.length ? [h("h2", { text: "History" }), h("ul", { class: "records" }, action.updates.map((u) => updateItem(u, tz)))] : null,
    button("Back", ctx.back, "button button-wide"),
  );
}

/** "Mark done": a comment and photos of the fix, saved as one action_update. */
function doneForm(onDone, onCancel) {
  const comment = h("textarea", { name: "comment", rows: 3, maxlength: MAX_TEXT });
  const photos = photoPicker();
  return formWith(
    "Mark done",
    "Save",
    () => onDone(comment.value.trim(), photos.taken()),
    onCancel,
    withSpeech(field("Comment", comment), comment),
    photos.el,
  );
}

/** Who may own it, as "maria" or "maria · Press Shop": typed or picked, then resolved. */
function ownerPicker(catalog, users, areaId) {
  const owners = ownersFor(users, areaId);
  const listId = "owner-list";
  const areaNames = (u) => (u.areas || []).map((a) => catalog.areas[a]?.name).filter(Boolean).join(", ");
  const input = h("input", { name: "owner", list: listId, autocomplete: "off", autocapitalize: "none", placeholder: "Type a name" });
  const datalist = h("datalist", { id: listId }, owners.map((u) => h("option", { value: u.username, label: areaNames(u) || u.role })));
  const matching = () => {
    const wanted = input.value.trim().toLowerCase();
    if (!wanted) return [];
    const exact = owners.find((u) => u.username.toLowerCase() === wanted);
    return exact ? [exact] : owners.filter((u) => u.username.toLowerCase().includes(wanted));
  };
  const resolve = () => {
    const matches = matching();
    return matches.length === 1 ? matches[0] : null;
  };
  // Who a few typed letters name, said at once: a gloved hand need not finish the name.
  const hint = h("p", { class: "muted hint owner-hint", "aria-live": "polite" });
  const say = () => {
    const matches = matching();
    const one = matches.length === 1 ? matches[0] : null;
    hint.textContent = one
      ? `Owner: ${one.username}${areaNames(one) ? ` (${areaNames(one)})` : ""}`
      : matches.length > 1 ? `${matches.length} people match: keep typing or pick one.`
        : input.value.trim() ? "No one by that name." : "The station's area first.";
  };
  input.addEventListener("input", say);
  say();
  const el = field("Owner", input);
  el.append(hint);
  return { el: [el, datalist], resolve };
}

/** "Due": a date, with one-tap "Today", "Tomorrow", "Next week" in the plant's days. */
function duePicker(today, initial) {
  const input = h("input", { name: "due", type: "date", min: today, value: initial });
  const shortcuts = [["Today", 0], ["Tomorrow", 1], ["Next week", 7]].map(([text, days]) => {
    const day = addDays(today, days);
    const b = button(text, () => {
      input.value = day;
      mark();
    }, "button due-shortcut");
    b.dataset.day = day;
    return b;
  });
  const mark = () => {
    for (const b of shortcuts) b.setAttribute("aria-pressed", String(b.dataset.day === input.value));
  };
  input.addEventListener("change", mark);
  mark();
  const el = h("div", { class: "field due-field" }, field("Due", input), h("div", { class: "due-shortcuts", role: "group", "aria-label": "Due date shortcuts" }, shortcuts));
  return { el, value: () => input.value };
}

/**
 * "Create action" from an observation (or from nothing): title from its text, its
 * station, its severity's priority; the owner from pull's users, the station's area first.
 * onSave({station, data}) saves the action record.
 */
export function actionForm({ catalog, users, observation, today }, onSave, onCancel) {
  const d = observation?.data || {};
  const title = h("textarea", { name: "title", rows: 2, maxlength: MAX_TITLE });
  title.value = (d.text || "").replace(/\s+/g, " ").trim().slice(0, MAX_TITLE);
  const stations = Object.values(catalog.stations).sort((a, b) => a.code.localeCompare(b.code));
  const station = h("select", { name: "station" }, h("option", { value: "" }, "No station"),
    stations.map((s) => h("option", { value: s.code, selected: s.code === observation?.station }, `${s.code} ${s.name}`)));
  const areaOf = () => findStation(catalog, station.value)?.area ?? null;
  const ownerSlot = h("div", { class: "owner-slot" });
  let owner = ownerPicker(catalog, users, areaOf());
  replace(ownerSlot, owner.el);
  station.addEventListener("change", () => {
    const typed = ownerSlot.querySelector("input").value;
    owner = ownerPicker(catalog, users, areaOf());
    replace(ownerSlot, owner.el);
    ownerSlot.querySelector("input").value = typed;
  });
  const due = duePicker(today, addDays(today, 1));
  const priority = h("select", { name: "priority" });
  for (const p of PRIORITIES) priority.append(h("option", { value: p, selected: p === priorityFor(d.severity ?? "medium") }, capital(p)));
  const text = h("textarea", { name: "text", rows: 3, maxlength: MAX_TEXT });
  return formWith(
    "Create action",
    "Save action",
    () => {
      const chosen = owner.resolve();
      if (!title.value.trim()) throw new Error("Give the action a title.");
      if (!chosen) throw new Error("Pick the owner from the list.");
      if (!due.value() || due.value() < today) throw new Error("Pick a due date from today on.");
      const data = { title: title.value.replace(/\s+/g, " ").trim(), owner: chosen.id, due: due.value(), priority: priority.value };
      if (text.value.trim()) data.text = text.value.trim();
      if (observation) data.observation = observation.id;
      return onSave({ station: station.value || null, data });
    },
    onCancel,
    field("Title", title),
    field("Station", station),
    ownerSlot,
    due.el,
    field("Priority", priority),
    withSpeech(field("Details (optional)", text), text),
  );
}
