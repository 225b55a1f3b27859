// The phone app: one page whose screens are drawn from IndexedDB, so it works offline.
import { button, field, h, replace } from "./dom.js";
import { findStation, hasCatalog, loadCatalog, today } from "./catalog.js";
import { movesFor } from "./action-rules.js";
import { deriveActions, myActions } from "./actions.js";
import { myRecords } from "./records.js";
import * as edits from "./edits.js";
import * as outbox from "./outbox.js";
import { codeFromPath, codeFromQr } from "./qr.js";
import { confirmScan, scan } from "./scanner.js";
import * as session from "./session.js";
import { state, subscribe } from "./state.js";
import * as store from "./store.js";
import * as sync from "./sync.js";
import { isoLocal } from "./time.js";
import { syncStatus } from "./status.js";
import { plural, saveProblem } from "./words.js";
import { actionForm, actionView, actionsPanel } from "./views/actions.js";
import { downscale } from "./views/forms.js";
import { attentionView } from "./views/attention.js";
import { signInForm } from "./views/signin.js";
import { recentList, stationView } from "./views/station.js";
import { nextStop, routeStops, walkPanel, walkSummary } from "./views/walk.js";
import { installControls, registerWorker } from "./install.js";

const main = document.getElementById("app");
const statusEl = document.getElementById("sync-status");
const statusBox = document.getElementById("sync-box");
const statusIcon = document.getElementById("sync-icon");
const bellEl = document.getElementById("bell");
const bellCount = document.getElementById("bell-count");
const lastSyncEl = document.getElementById("last-sync");
const noticeEl = document.getElementById("notices");
let screen = { name: "home" };
let summary = null;
let drawn = 0; // draws started, so that only the latest lands
let openForm = null; // "Station code" and "Open", made once
const KEPT = 'input[name="code"], select[name="route"], .count-sheet input'; // focus and choice survive a redraw

// Sync status ---------------------------------------------------------------------------

document.getElementById("sync-now").addEventListener("click", () => sync.syncSoon());

let lastDrawn = "";
let signInEl = null;
const updateNotice = h("p", { class: "notice", role: "alert", hidden: true });
noticeEl.append(updateNotice);
subscribe((s) => {
  drawStatus(s);
  updateNotice.hidden = !s.updateNeeded;
  updateNotice.textContent = s.pending
    ? `Update needed — your ${s.pending} pending ${s.pending === 1 ? "record is" : "records are"} kept.`
    : "Update needed: reload the app when it offers a new version.";
  // One form, kept while it is needed: redrawing it would lose what was typed.
  if (s.needsSignIn && !signInEl) {
    signInEl = signInForm(s.user?.username, signIn);
    noticeEl.append(signInEl);
    [...signInEl.querySelectorAll("input")].find((input) => !input.value)?.focus();
  } else if (!s.needsSignIn && signInEl) {
    signInEl.remove();
    signInEl = null;
  }
  // Redraw when what the screens show may have changed (a sync ended, counts moved).
  const drawn = JSON.stringify([s.pending, s.attention.map((a) => a.id + a.state), s.lastSync, s.user?.id]);
  if (drawn !== lastDrawn && !formOpen()) {
    lastDrawn = drawn;
    render({ background: true });
  }
});

/** The status of DESIGN §4: its words, and its state by colour and icon (walk.css). */
function drawStatus(s) {
  const shown = syncStatus(s, navigator.onLine);
  statusBox.dataset.state = shown.state;
  statusIcon.textContent = shown.icon;
  statusEl.textContent = shown.text;
  lastSyncEl.textContent = shown.note;
  lastSyncEl.title = shown.detail;
  drawBell(s.user ? s.unread : 0);
}

/** The bell (DESIGN §9): the unread count from the last pull; it opens the inbox page. */
function drawBell(unread) {
  bellCount.hidden = !unread;
  bellCount.textContent = unread > 99 ? "99+" : String(unread);
  bellEl.setAttribute("aria-label", `Notifications, ${unread} unread`);
}
setInterval(() => drawStatus(state), 30_000); // "Last sync 3 min ago" keeps counting
window.addEventListener("online", () => drawStatus(state));
window.addEventListener("offline", () => drawStatus(state));

// A form being filled in is never redrawn away by a sync (it may have opened while that
// draw was on its way); the next change redraws once it has closed.
function formOpen() {
  return main.querySelector("form.capture") !== null;
}

async function signIn(username, password) {
  await session.signIn(username, password, sync.syncSoon, sync.APP_VERSION);
  render();
}

// Screens -------------------------------------------------------------------------------

/** Draws the current screen. Draws overlap (each waits on IndexedDB): only the latest
 * one lands, and what was typed (and which record was opened) survives a redraw. */
async function render({ background = false } = {}) {
  const ticket = ++drawn;
  const view = await draw();
  if (ticket !== drawn) return;
  if (background && formOpen()) {
    lastDrawn = "";
    return;
  }
  keepTyped(() => {
    // The one "Station code" form moves into a view only as that view lands: moved into
    // a draw a newer one overtook, it would stay out of the page until the next draw,
    // and a tap on Open in between would reach nothing.
    view.querySelector?.(".open-form-slot")?.replaceWith(stationCodeForm());
    replace(main, view);
  });
  if (view.dataset?.edit === screen.edit) delete screen.edit;
}


function keepTyped(redraw) {
  const before = new Map([...main.querySelectorAll(KEPT)].map((el) => [el.name, el.value]));
  const focused = main.contains(document.activeElement) ? document.activeElement.name : null;
  // A record opened to reach Edit or Delete stays open when a sync redraws the list.
  const opened = new Set([...main.querySelectorAll("details[data-record][open]")].map((el) => el.dataset.record));
  redraw();
  for (const el of main.querySelectorAll("details[data-record]")) {
    if (opened.has(el.dataset.record)) el.open = true;
  }
  for (const el of main.querySelectorAll(KEPT)) {
    if (before.has(el.name)) el.value = before.get(el.name);
    // The count sheet checks a value kept across a redraw again (its range warning).
    if (el.value && el.closest(".count-sheet")) el.dispatchEvent(new Event("change"));
    if (focused && el.name === focused) el.focus();
  }
}

async function draw() {
  const catalog = await loadCatalog();
  const user = state.user;
  if (!user) {
    const text = state.needsSignIn
      ? "Records not yet on the server stay on this phone, for the person who made them."
      : navigator.onLine ? "Connecting…" : "Sign in once with a network to use the app.";
    return h("p", { class: "muted signed-out", text });
  }
  const records = await myRecords(user);
  if (screen.name === "action" || screen.name === "action-new") {
    const view = actionScreen(catalog, records, user);
    if (view) return view;
  }
  if (screen.name === "station") {
    const station = findStation(catalog, screen.code);
    if (station) {
      // A rejected record's "Fix" opens its form once; later draws show the station.
      const edit = records.find((r) => r.id === screen.edit) || null;
      const next = screen.saved ? await nextOnWalk(catalog, records, station.code) : null;
      const view = stationView({
        catalog, station, records, edit, save, saveCounts, remove, scanNext: startScan, close: goHome, createAction,
        next: next && { ...next, open: () => openStation(next.code) },
      });
      if (edit) view.dataset.edit = edit.id;
      return view;
    }
    // Kept as the screen: once the catalog arrives, the next draw shows the station.
    return homeView(catalog, records, user, missingStation(catalog, screen.code));
  }
  return homeView(catalog, records, user, screen.error);
}

function missingStation(catalog, code) {
  return hasCatalog(catalog)
    ? `No station with code ${code}.`
    : "The station list has not been loaded yet: connect once to sync.";
}

/** "Station code" and "Open": one form for the life of the page, so that a redraw (a
 * sync ending) never swaps the field out from under someone typing in it. A home view
 * holds its slot; render puts the form there when the view lands. */
function stationCodeForm() {
  if (openForm) return openForm;
  const code = h("input", { name: "code", autocapitalize: "characters", autocomplete: "off", spellcheck: "false" });
  openForm = h(
    "form",
    { class: "open-form", novalidate: true, "aria-label": "Open a station" },
    field("Station code", code),
    h("button", { type: "submit", class: "button button-primary" }, "Open"),
  );
  openForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const wanted = codeFromQr(code.value) || code.value.trim();
    if (wanted && (await openStation(wanted))) code.value = "";
  });
  return openForm;
}

async function homeView(catalog, records, user, error) {
  const walk = await currentWalk();
  const visited = walk ? visitedOn(walk, records) : new Set();
  return h(
    "div",
    { class: "home" },
    h("h1", { class: "visually-hidden", text: "Walk" }),
    error ? h("p", { class: "error", role: "alert", text: error }) : null,
    summary,
    button("Scan station", startScan, "button button-primary button-scan"),
    h("div", { class: "open-form-slot" }), // stationCodeForm(), placed by render
    attentionView(catalog, state.attention, {
      keepMine: edits.keepMine,
      useServers: edits.useServers,
      discard,
      fix,
    }),
    actionPanels(catalog, records, user),
    handoverLink(user),
    walkPanel(catalog, walk, visited, { start: startWalk, end: endWalk, open: openStation }),
    h("h2", { text: "My recent records" }),
    recentList(catalog, records.filter((r) => !r.deleted && !NOT_RECENT.includes(r.type)).slice(0, 40), {
      grouped: true,
      onAction: createAction,
    }),
    h(
      "div",
      { class: "app-actions" },
      button("Export pending", exportPending),
      button("Sign out", signOut),
      // Sessions on every device, "Sign out of all devices", the password: a page online.
      h("a", { class: "button", href: "/account", text: "Account" }),
      // The pages (summary, follow-up, admin), for an app installed without an address bar.
      h("a", { class: "button", href: "/summary", text: "Summary" }),
      h("span", { id: "install-slot" }),
    ),
    h("p", { class: "muted version", text: `${user.username} · app ${sync.APP_VERSION}` }),
  );
}

// Those who take a shift over (and may write its note, DESIGN §10): the last shift's
// handover one tap from the app's home, as from the pages' home. A page, read online.
const TAKES_SHIFTS_OVER = ["supervisor", "manager", "admin"];

function handoverLink(user) {
  if (!TAKES_SHIFTS_OVER.includes(user.role)) return null;
  return h("p", {}, h("a", { class: "button", href: "/handover", text: "Last shift's handover" }));
}

// Actions -------------------------------------------------------------------------------

const NOT_RECENT = ["walk", "action", "action_update"]; // actions have lists of their own

/** The actions the phone knows: pull's, with the user's own unanswered records on top. */
function knownActions(catalog, records) {
  return deriveActions(catalog.actions, records, {
    users: catalog.users, stations: catalog.stations, me: state.user, today: today(catalog),
  });
}

/** The signed-in user as the action rules need them: with their area ids (pull's users). */
function actingUser(catalog, user) {
  return { ...user, areas: catalog.users[user.id]?.areas || [] };
}

function actionPanels(catalog, records, user) {
  const actions = knownActions(catalog, records);
  const day = today(catalog);
  const me = actingUser(catalog, user);
  const mine = myActions(actions, user.id);
  const toVerify = [...actions.values()]
    .filter((a) => a.status === "done" && movesFor(me, a).includes("verified"))
    .sort((a, b) => a.due.localeCompare(b.due));
  return [
    actionsPanel(catalog, { title: "My actions", id: "my-actions", actions: mine, today: day, open: openAction, empty: "No actions for you." }),
    actionsPanel(catalog, { title: "To verify", id: "to-verify", actions: toVerify, today: day, open: openAction }),
  ];
}

/** One action's screen, or the "Create action" form; null when the action is gone. */
function actionScreen(catalog, records, user) {
  const day = today(catalog);
  const back = () => goBack();
  if (screen.name === "action-new") {
    const observation = records.find((r) => r.id === screen.observation) || null;
    return actionForm({ catalog, users: catalog.users, observation, today: day }, saveAction, back);
  }
  const action = knownActions(catalog, records).get(screen.id);
  if (!action) return null;
  return actionView({
    catalog, action, user: actingUser(catalog, user), today: day, back,
    move: (move) => moveAction(action, move),
    done: (comment, files) => markDone(action, comment, files),
  });
}

/** Opens a screen that "Back" (and the browser's back) leaves for the one before. */
function openScreen(next) {
  screen = { ...next, back: screen };
  history.pushState({ screen }, "", location.pathname);
  window.scrollTo({ top: 0 });
  render();
}

function goBack() {
  if (history.state?.screen) return history.back();
  screen = screen.back || { name: "home" };
  render();
}

function openAction(id) {
  summary = null;
  openScreen({ name: "action", id });
}

/** "Create action" on an observation: its form, prefilled from the observation. */
function createAction(observation) {
  hideToast();
  openScreen({ name: "action-new", observation: observation.id });
}

async function saveAction({ station, data }) {
  try {
    await edits.capture({ type: "action", station, walk: null, data });
  } catch (error) {
    throw new Error(saveProblem(error), { cause: error });
  }
  goBack();
  said("Action saved");
}

/** A move of an action: an action_update record, append-only like every update. */
async function saveUpdate(action, data, message) {
  await edits.capture({ type: "action_update", station: null, walk: null, data: { action: action.id, ...data } });
  await render();
  said(message);
}

const MOVE_WORDS = { in_progress: "Started", verified: "Verified", reopened: "Reopened", cancelled: "Cancelled" };

async function moveAction(action, move) {
  try {
    await saveUpdate(action, { status: move }, MOVE_WORDS[move] || "Saved");
  } catch (error) {
    problem(error);
  }
}

/** "Mark done" with a comment and photos of the fix: the photos wait for upload as an
 * observation's do (sync.js sends them before the records). */
async function markDone(action, comment, files) {
  try {
    const blobs = [];
    for (const file of files) blobs.push(await downscale(file));
    const data = { status: "done", photos: await savePhotos(blobs) };
    if (comment) data.comment = comment;
    await saveUpdate(action, data, "Marked done");
  } catch (error) {
    throw new Error(saveProblem(error), { cause: error }); // said in the form
  }
}

function goHome() {
  screen = { name: "home" };
  history.pushState({}, "", "/walk");
  render();
}

async function openStation(code, { scanned = false } = {}) {
  const catalog = await loadCatalog();
  const station = findStation(catalog, code);
  summary = null;
  if (!station) {
    screen = { name: "home", error: missingStation(catalog, code) };
    return render();
  }
  if (scanned) confirmScan();
  screen = { name: "station", code: station.code };
  if (location.pathname !== `/s/${station.code}`) history.pushState({}, "", `/s/${station.code}`);
  await render();
  // Opening or scanning a station records a visit.
  await capture({ type: "visit", station: station.code, data: {} });
  return true;
}

/** A rejected record: its station, with the record's form open to correct it. */
function fix(entry) {
  screen = { name: "station", code: entry.station, edit: entry.id };
  history.pushState({}, "", `/s/${entry.station}`);
  render();
}

async function discard(entry) {
  if (confirm("Discard this record? It will not reach the server.")) await discardNow(entry);
}

async function discardNow(entry) {
  await edits.useServers(entry);
  render();
}

async function startScan() {
  const code = await scan();
  if (code) await openStation(code, { scanned: true });
}

// Capture -------------------------------------------------------------------------------

// The walk in progress is the signed-in user's: a shared phone has one per user.
const walkKey = () => `walk:${state.user?.id}`;
const currentWalk = () => store.getMeta(walkKey());

async function capture(record) {
  const walk = await currentWalk();
  return edits.capture({ walk: walk?.id ?? null, ...record });
}

/** Photos kept in the outbox until uploaded (before the records that name them); their ids. */
async function savePhotos(blobs) {
  const ids = [];
  for (const blob of blobs) {
    const id = store.newId();
    await outbox.savePhoto(id, blob, state.user.id);
    ids.push(id);
  }
  return ids;
}

async function save(type, data, { record, photos = [] }) {
  try {
    if (photos.length) data.photos.push(...(await savePhotos(photos))); // only forms with photos have the list
    if (record) {
      const entry = await edits.edit(record, { data });
      screen.saved = true;
      await render();
      saved("Saved", () => edits.edit(entry, { data: record.data }));
    } else {
      const entry = await capture({ type, station: screen.code, data });
      screen.saved = true;
      await render();
      const createOne = type === "observation" ? () => createAction(entry) : null;
      saved("Saved", () => edits.remove(entry), createOne);
    }
  } catch (error) {
    throw new Error(saveProblem(error), { cause: error }); // said in the form, which keeps what was typed
  }
}

/** The count sheet: one count record per filled field, saved together (all or none), one
 * redraw, one "Saved". */
async function saveCounts(values) {
  let entries;
  try {
    const walk = (await currentWalk())?.id ?? null;
    entries = await edits.captureAll(values.map((data) => ({ walk, type: "count", station: screen.code, data })));
  } catch (error) {
    problem(error); // nothing was saved: the values stay in the sheet
    return;
  }
  for (const input of main.querySelectorAll(".count-sheet input")) input.value = ""; // saved
  screen.saved = true;
  await render();
  saved(`Saved ${plural(entries.length, "count")}`, async () => {
    for (const entry of entries) await edits.remove(entry);
  });
}

async function remove(record) {
  // The server never stored a rejected record: deleting it is letting it go.
  if (record.state === "rejected") {
    if (confirm("Delete this record? It will not reach the server.")) await discardNow(record);
    return;
  }
  const entry = await edits.remove(record);
  await render();
  saved("Deleted", () => edits.restore(entry));
}

// After a save: said on screen and to screen readers, felt, undoable for a while ---------

const UNDO_MS = 8000;
const toast = document.getElementById("toast");
const announce = document.getElementById("announce");
let toastTimer = 0;

/** `createAction`: a saved observation's "Create action", one tap from the toast. */
function saved(message, undo, createAction = null) {
  const undoButton = button("Undo", async () => {
    hideToast();
    await undo();
    await render();
    announce.textContent = "Undone";
  });
  said(message, undoButton, createAction && button("Create action", createAction, "button button-primary"));
}

/** A message on screen and to screen readers, felt; with `controls` for a while. */
function said(message, ...controls) {
  navigator.vibrate?.(40);
  window.scrollTo({ top: 0 });
  announce.textContent = "";
  setTimeout(() => (announce.textContent = message), 50); // the same words, said again
  clearTimeout(toastTimer);
  const kept = controls.filter(Boolean);
  replace(toast, h("p", { class: "toast-text", text: message }), kept.length ? kept : button("OK", hideToast));
  toast.hidden = false;
  toastTimer = setTimeout(hideToast, UNDO_MS);
}

/** A save that failed (storage full…), said in plain words with what to do. */
function problem(error) {
  clearTimeout(toastTimer);
  const message = saveProblem(error);
  replace(toast, h("p", { class: "toast-text", role: "alert", text: message }), button("OK", hideToast));
  toast.hidden = false;
  toastTimer = setTimeout(hideToast, 3 * UNDO_MS);
}

function hideToast() {
  clearTimeout(toastTimer);
  toast.hidden = true;
  replace(toast);
}

// Walks ---------------------------------------------------------------------------------

/** On a route walk, after a save: the next stop not yet visited, with its name. */
async function nextOnWalk(catalog, records, current) {
  const walk = await currentWalk();
  if (!walk) return null;
  const code = nextStop(routeStops(catalog, walk.route), visitedOn(walk, records), current);
  const station = code ? findStation(catalog, code) : null;
  return station ? { code: station.code, name: station.name } : null;
}

function visitedOn(walk, records) {
  return new Set(records.filter((r) => r.walk === walk.id && r.station && !r.deleted).map((r) => r.station));
}

async function startWalk(route) {
  const started = isoLocal();
  const data = { started_at: started };
  if (route != null) data.route = route;
  const entry = await edits.capture({ type: "walk", station: null, observed_at: started, data });
  await store.setMeta(walkKey(), { id: entry.id, route, started_at: started });
  render();
}

async function endWalk() {
  const walk = await currentWalk();
  if (!walk) return;
  const records = await myRecords(state.user);
  const record = records.find((r) => r.id === walk.id);
  const ended = isoLocal();
  await store.setMeta(walkKey(), null);
  summary = walkSummary(await loadCatalog(), walk, visitedOn(walk, records), () => {
    summary = null;
    render();
  });
  if (record) await edits.edit(record, { data: { ...record.data, ended_at: ended } });
  render();
}

// Export and sign-out -------------------------------------------------------------------

async function exportPending() {
  const body = await sync.exportBody();
  const blob = new Blob([JSON.stringify(body, null, 1)], { type: "application/json" });
  const link = h("a", { href: URL.createObjectURL(blob), download: `floorwalk-pending-${body.sent_at.slice(0, 10)}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

async function signOut() {
  const pending = state.pending + state.attention.length;
  const warning = pending
    ? `${pending} record(s) are not on the server yet. They stay on this phone for you and sync when you sign in again. Sign out?`
    : "Sign out?";
  if (!confirm(warning)) return;
  // The next person signs in here, in place: /login would need the network.
  await session.signOut();
  summary = null;
  screen = { name: "home" };
  history.pushState({}, "", "/walk");
  render();
}

// Start ---------------------------------------------------------------------------------

function screenFromLocation() {
  const code = codeFromPath(location.pathname);
  return code ? { name: "station", code } : { name: "home" };
}

window.addEventListener("popstate", (event) => {
  screen = event.state?.screen ?? screenFromLocation();
  render();
});

/**
 * The label's URL opened the app: that is a visit too, recorded once the user and the
 * station are both known. On a first load both come with a sync, and the first one may
 * fail or end before the catalog arrives: wait for as many as it takes.
 */
function recordLabelVisit(stationCode) {
  let done = false;
  let stop = () => {};
  const attempt = async () => {
    if (done || !state.user || !findStation(await loadCatalog(), stationCode)) return;
    if (done) return; // another attempt got here while the catalog was read
    done = true;
    stop();
    await capture({ type: "visit", station: stationCode, data: {} });
    render();
  };
  stop = subscribe(attempt); // called at once, then at every change of sync state
}

async function boot() {
  screen = screenFromLocation();
  const startPromise = sync.start();
  await render();
  if (screen.name === "station") recordLabelVisit(screen.code);
  await startPromise;
  render();
  if (new URLSearchParams(location.search).has("scan")) startScan();
}

registerWorker(noticeEl);
installControls();
boot();
