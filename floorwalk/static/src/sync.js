// The sync engine (DESIGN §3): photos up, records pushed in batches, the catalog pulled.
// The outbox is the source of truth: a record leaves it only when the server has answered
// it with anything but "rejected"; network errors and 5xx answers retry with backoff.
import * as store from "./store.js";
import { isoLocal } from "./time.js";

export const APP_VERSION = document.documentElement.dataset.appVersion || "0.0.0";
export const SCHEMA = 1;
const BATCH = 200;
const PERIOD_MS = 60_000;
const CATALOG_KEYS = {
  areas: "id",
  categories: "key",
  stations: "code",
  metrics: "key",
  employees: "badge",
  routes: "id",
};
const SINGLETONS = ["me", "settings", "min_app", "plan"];

class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

export const state = {
  user: null,
  csrf: document.querySelector('meta[name="csrf-token"]')?.content || "",
  pending: 0,
  attention: [],
  lastSync: null,
  needsSignIn: false,
  updateNeeded: false,
  busy: false,
  error: "",
};

const listeners = new Set();
export function subscribe(fn) {
  listeners.add(fn);
  fn(state);
  return () => listeners.delete(fn);
}
function emit() {
  for (const fn of listeners) fn(state);
}

// HTTP ----------------------------------------------------------------------------------

async function request(method, path, { json, body, type, retryCsrf = true } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = state.csrf;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (type) headers["Content-Type"] = type;
  const response = await fetch(path, { method, headers, body, credentials: "same-origin" });
  let answer = null;
  if ((response.headers.get("Content-Type") || "").includes("json")) answer = await response.json();
  if (response.ok) return { status: response.status, body: answer };
  if (response.status === 400 && answer?.error?.code === "csrf" && retryCsrf) {
    await refreshSession();
    return request(method, path, { json, body, type, retryCsrf: false });
  }
  if (response.status === 401) {
    state.needsSignIn = true;
    emit();
  }
  throw new HttpError(response.status, answer);
}

function acceptSession(body) {
  state.user = body.user;
  state.csrf = body.csrf_token;
  state.needsSignIn = false;
  return Promise.all([store.setMeta("user", body.user), store.setMeta("signedOut", false)]);
}

/** A fresh CSRF token (and who is signed in) before each sync. */
export async function refreshSession() {
  const { body } = await request("GET", "/api/v1/session", { retryCsrf: false });
  await acceptSession(body);
}

export async function signIn(username, password) {
  const { body } = await request("POST", "/api/v1/session", { json: { username, password } });
  const previous = state.user;
  await acceptSession(body);
  await store.setMeta("signOutPending", false); // this sign-in replaced that session
  if (previous && previous.id !== body.user.id) await store.setMeta("cursor", null);
  await refreshCounts();
  syncSoon();
  return body.user;
}

/** Sign out as DESIGN §3 says for shared phones: unsynced records (outbox and their
 * photos) stay, for their author alone; what the server has of the user goes, with the
 * employee list. Offline too: the server's session is ended at the next chance. */
export async function signOut() {
  if (state.user) await store.clearSynced(state.user.id);
  await store.clearCatalog(["employees", "me"]);
  await store.setMeta("cursor", null);
  await store.setMeta("user", null);
  await store.setMeta("lastSync", null);
  await store.setMeta("signOutPending", true);
  await store.setMeta("signedOut", true);
  Object.assign(state, { user: null, pending: 0, attention: [], lastSync: null, error: "" });
  state.needsSignIn = true;
  emit();
  await endServerSession().catch(() => {});
}

/** Ends the session a sign-out left on the server (the phone may have been offline). Its
 * CSRF token is fetched apart: adopting the session again would sign the user back in. */
async function endServerSession() {
  if (!(await store.getMeta("signOutPending"))) return;
  const end = () => request("DELETE", "/api/v1/session", { json: {}, retryCsrf: false });
  try {
    await end();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    if (error.code === "csrf") {
      const { body } = await fetchJson("/api/v1/session");
      if (body?.csrf_token) {
        state.csrf = body.csrf_token;
        await end();
      }
    }
    // 401: the server had ended it already.
  }
  await store.setMeta("signOutPending", false);
}

async function fetchJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  return { status: response.status, body: response.ok ? await response.json() : null };
}

// Counts ----------------------------------------------------------------------------------

export async function refreshCounts() {
  const mine = state.user ? await store.outboxFor(state.user.id) : [];
  state.pending = mine.filter((r) => r.state === "pending").length;
  state.attention = mine.filter((r) => r.state !== "pending");
  emit();
}

// Capture ---------------------------------------------------------------------------------

/** Save a record offline first; sync right away when the network is there. */
export async function capture(record) {
  const offset = await store.getMeta("offset_ms", null);
  const entry = await store.saveToOutbox({
    id: store.newId(),
    author: state.user.id,
    version: 1,
    walk: null,
    observed_at: isoLocal(),
    offset_ms: offset,
    ...record,
  });
  await refreshCounts();
  if (navigator.onLine) syncSoon();
  else registerBackgroundSync();
  return entry;
}

function registerBackgroundSync() {
  navigator.serviceWorker?.ready
    .then((registration) => registration.sync?.register("floorwalk-sync"))
    .catch(() => {});
}

const PUSH_FIELDS = ["id", "type", "station", "author", "version", "observed_at", "offset_ms", "walk", "data"];

/** The record as a push sends it: the protocol's fields only (a record from pull also
 * carries the server's status, corrected time, day and shift, which a push refuses). */
export function pushRecord(entry) {
  const record = Object.fromEntries(PUSH_FIELDS.filter((k) => k in entry).map((k) => [k, entry[k]]));
  if (entry.deleted) record.deleted = true;
  return record;
}

/** The push body of everything this user has pending, for the JSON export. */
export async function exportBody() {
  const mine = state.user ? await store.outboxFor(state.user.id) : [];
  return {
    device: await store.deviceId(),
    app: APP_VERSION,
    schema: SCHEMA,
    sent_at: isoLocal(),
    records: mine.map(pushRecord),
  };
}

// The sync run ----------------------------------------------------------------------------

let running = null;
let again = false;
let failures = 0;
let retryTimer = null;

export function syncSoon() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await syncOnce();
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

async function syncOnce() {
  clearTimeout(retryTimer);
  state.busy = true;
  state.error = "";
  emit();
  try {
    await endServerSession();
    await refreshSession();
    await uploadPhotos();
    await pushPending();
    await pull();
    failures = 0;
    state.lastSync = new Date().toISOString();
    await store.setMeta("lastSync", state.lastSync);
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      state.error = "Sign in again to sync. Your records are kept on this phone.";
    } else if (!(error instanceof HttpError) || error.status >= 500) {
      failures += 1;
      // Exponential backoff with jitter, so a whole shift coming back online at once
      // does not hit the server in lockstep.
      const base = Math.min(300_000, 2_000 * 2 ** Math.min(failures, 8));
      retryTimer = setTimeout(syncSoon, base / 2 + Math.random() * base);
      state.error = failureMessage(error);
    } else {
      state.error = error.message;
    }
  } finally {
    state.busy = false;
    await refreshCounts();
  }
}

/** No network on the phone, a server nobody answers for, or a server that answered with
 * an error: the coordinator can act on the first (walk to where there is coverage). */
function failureMessage(error) {
  if (!navigator.onLine) return "Offline: records are kept on this phone.";
  if (error instanceof HttpError) return "The server is not answering; retrying.";
  return "Cannot reach the server; retrying.";
}

async function uploadPhotos() {
  for (const photo of await store.photosToUpload(state.user.id)) {
    try {
      await request("PUT", `/api/v1/photos/${photo.id}`, {
        body: photo.blob,
        type: photo.blob.type || "image/jpeg",
      });
    } catch (error) {
      // 409/413/415/422 will never change by retrying; the record says what happened.
      if (!(error instanceof HttpError) || error.status === 401 || error.status >= 500) throw error;
    }
    await store.removePhoto(photo.id);
  }
}

async function pushPending() {
  const device = await store.deviceId();
  for (;;) {
    const pending = (await store.outboxFor(state.user.id)).filter((r) => r.state === "pending");
    if (!pending.length) return;
    const batch = pending.slice(0, BATCH);
    const sentAt = Date.now();
    const { body } = await request("POST", "/api/v1/sync/push", {
      json: {
        device,
        app: APP_VERSION,
        schema: SCHEMA,
        sent_at: isoLocal(new Date(sentAt)),
        records: batch.map(pushRecord),
      },
    });
    if (body.server_time) {
      const midpoint = (sentAt + Date.now()) / 2;
      // The phone's clock minus the server's: what the server takes off observed_at.
      await store.setMeta("offset_ms", Math.round(midpoint - Date.parse(body.server_time)));
    }
    await applyResults(batch, body.results || []);
    if (batch.length < BATCH) return;
  }
}

async function applyResults(batch, results) {
  const sent = new Map(batch.map((r) => [r.id, r]));
  for (const result of results) {
    const record = sent.get(result.id);
    if (!record) continue;
    const current = await store.outboxEntry(result.id);
    // Edited again while the push was on its way: the newer version goes next time.
    if (!current || current.version !== record.version) continue;
    if (["created", "duplicate", "updated"].includes(result.status)) {
      await store.markSynced(record);
    } else if (result.status === "rejected") {
      await store.updateOutbox({ ...current, state: "rejected", errors: result.errors || {} });
    } else if (result.status === "stale" || result.status === "conflict") {
      await store.updateOutbox({
        ...current,
        state: "conflict",
        conflict: result.status,
        server: result.server,
      });
    }
  }
}

/** "Keep mine": saved again at the server's version + 1. */
export async function keepMine(entry) {
  const version = (entry.server?.version || entry.version) + 1;
  await store.saveToOutbox({ ...pushRecord(entry), version });
  await refreshCounts();
  syncSoon();
}

/** "Use the server's" (or discard a rejected record): the outbox lets go of it. */
export async function useServers(entry) {
  await store.removeFromOutbox(entry.id);
  const record = entry.server?.record;
  if (record) await store.putSynced([{ ...record, version: entry.server.version }]);
  await refreshCounts();
}

export async function pull() {
  const cursor = await store.getMeta("cursor");
  let body;
  try {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    ({ body } = await request("GET", `/api/v1/sync/pull${query}`));
  } catch (error) {
    if (error instanceof HttpError && error.status === 410 && cursor) {
      await store.setMeta("cursor", null);
      return pull();
    }
    throw error;
  }
  await applyPull(body, body.full ?? !cursor);
}

export async function applyPull(body, full) {
  const entries = {};
  for (const [kind, key] of Object.entries(CATALOG_KEYS)) {
    if (!(kind in body)) continue;
    const map = full ? {} : await store.getCatalog(kind, {});
    for (const item of body[kind] || []) map[item[key]] = item;
    for (const gone of body.removed?.[kind] || []) delete map[gone];
    entries[kind] = map;
  }
  for (const kind of SINGLETONS) if (kind in body) entries[kind] = body[kind];
  await store.putCatalog(entries);
  if (full && state.user) await store.clearSynced(state.user.id);
  if (body.records) await store.putSynced(body.records);
  if (body.removed?.records) await store.removeSynced(body.removed.records);
  if (body.cursor) await store.setMeta("cursor", body.cursor);
  state.updateNeeded = needsUpdate(body.min_app);
  emit();
}

function needsUpdate(minApp) {
  return Boolean(minApp) && olderThan(APP_VERSION, minApp);
}

function olderThan(version, minimum) {
  const parts = (v) => String(v).split(".").map((n) => parseInt(n, 10) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
  }
  return false;
}

// Triggers --------------------------------------------------------------------------------

export async function start() {
  state.user = await store.getMeta("user");
  state.lastSync = await store.getMeta("lastSync");
  // Signed out on this phone: the next person signs in here, offline reloads included.
  state.needsSignIn = !state.user && Boolean(await store.getMeta("signedOut"));
  state.updateNeeded = needsUpdate(await store.getCatalog("min_app"));
  await refreshCounts();
  window.addEventListener("online", () => syncSoon());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncSoon();
  });
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "sync") syncSoon();
  });
  setInterval(() => {
    if (document.visibilityState === "visible") syncSoon();
  }, PERIOD_MS);
  navigator.storage?.persist?.().catch(() => {});
  return syncSoon();
}
