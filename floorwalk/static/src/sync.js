// The sync run (DESIGN §3): its triggers, one run at a time with backoff and jitter, and
// its steps: end a signed-out session, check the session, photos up, records pushed in
// batches, the catalog pulled. What each answer does is decided in decisions.js.
// The outbox is the source of truth: a record leaves it only when the server has answered
// it with anything but "rejected"; network errors and 5xx answers retry with backoff.
import { HttpError, request } from "./api.js";
import {
  CATALOG_KEYS,
  backoffMs,
  mergeCatalog,
  morePending,
  nextBatch,
  needsUpdate,
  pullFailure,
  pullIsFull,
  pullPath,
  pushBody,
  resultOutcome,
  retries,
  unsentCount,
} from "./decisions.js";
import * as edits from "./edits.js";
import * as outbox from "./outbox.js";
import * as session from "./session.js";
import { emit, refreshCounts, state } from "./state.js";
import * as store from "./store.js";
import { isoLocal } from "./time.js";
import { syncProblem } from "./words.js";

export const APP_VERSION = globalThis.document?.documentElement.dataset.appVersion || "0.0.0";
export const SCHEMA = 1;
const PERIOD_MS = 60_000;

/** After a save: sync now when the phone has a network, else when it has one again. */
export function requestSync() {
  if (navigator.onLine) syncSoon();
  else registerBackgroundSync();
}

edits.wire({ requestSync });

function registerBackgroundSync() {
  navigator.serviceWorker?.ready
    .then((registration) => registration.sync?.register("floorwalk-sync"))
    .catch(() => {});
}

/** The push body of everything this user has, for the JSON export. */
export async function exportBody() {
  const mine = state.user ? await outbox.outboxFor(state.user.id) : [];
  return pushBody({
    device: await store.deviceId(),
    app: APP_VERSION,
    schema: SCHEMA,
    sentAt: isoLocal(),
    records: mine,
  });
}

// The run ---------------------------------------------------------------------------------

let running = null;
let again = false;
let failures = 0;
let retryTimer = null;

/** Runs a sync, or another right after the one running. */
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
    await session.endServerSession();
    await session.refreshSession();
    await uploadPhotos();
    await pushPending();
    await pull();
    failures = 0;
    state.lastSync = new Date().toISOString();
    await store.setMeta("lastSync", state.lastSync);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : undefined;
    if (status === 401) {
      state.error = "Sign in again to sync. Your records are kept on this phone.";
    } else if (retries(status)) {
      failures += 1;
      retryTimer = setTimeout(syncSoon, backoffMs(failures));
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
  return syncProblem(error instanceof HttpError ? error.status : undefined, navigator.onLine);
}

async function uploadPhotos() {
  for (const photo of await outbox.photosToUpload(state.user.id)) {
    try {
      await request("PUT", `/api/v1/photos/${photo.id}`, {
        body: photo.blob,
        type: photo.blob.type || "image/jpeg",
      });
    } catch (error) {
      // 409/413/415/422 will never change by retrying; the record says what happened.
      if (!(error instanceof HttpError) || error.status === 401 || error.status >= 500) throw error;
    }
    await outbox.removePhoto(photo.id);
  }
}

async function pushPending() {
  const device = await store.deviceId();
  for (;;) {
    const entries = await outbox.outboxFor(state.user.id);
    const batch = nextBatch(entries);
    if (!batch.length) return;
    const sentAt = Date.now();
    const { body } = await request("POST", "/api/v1/sync/push", {
      json: pushBody({
        device,
        app: APP_VERSION,
        schema: SCHEMA,
        sentAt: isoLocal(new Date(sentAt)),
        records: batch,
        pending: unsentCount(entries, batch),
      }),
    });
    if (body.server_time) {
      const midpoint = (sentAt + Date.now()) / 2;
      // The phone's clock minus the server's: what the server takes off observed_at.
      await store.setMeta("offset_ms", Math.round(midpoint - Date.parse(body.server_time)));
    }
    await applyResults(batch, body.results || []);
    if (!morePending(batch)) return;
  }
}

async function applyResults(batch, results) {
  const sent = new Map(batch.map((r) => [r.id, r]));
  for (const result of results) {
    const record = sent.get(result.id);
    if (!record) continue;
    // Edited again while the push was on its way: the newer version goes next time.
    await outbox.applyAnswer(record, (current) => resultOutcome(result, record, current));
  }
}

export async function pull() {
  const cursor = await store.getMeta("cursor");
  let body;
  const mine = state.user ? await outbox.outboxFor(state.user.id) : [];
  const path = pullPath({ cursor, device: await store.deviceId(), app: APP_VERSION, pending: unsentCount(mine) });
  try {
    ({ body } = await request("GET", path));
  } catch (error) {
    if (error instanceof HttpError && pullFailure(error.status, cursor) === "snapshot") {
      await store.setMeta("cursor", null);
      return pull();
    }
    throw error;
  }
  await applyPull(body, pullIsFull(body, cursor));
}

async function applyPull(body, full) {
  const previous = {};
  if (!full) {
    for (const kind of Object.keys(CATALOG_KEYS)) {
      if (kind in body) previous[kind] = await store.getCatalog(kind, {});
    }
  }
  await store.putCatalog(mergeCatalog(previous, body, full));
  if (full && state.user) await outbox.replaceSynced(state.user.id, body.records || []);
  else if (body.records) await outbox.putSynced(body.records);
  if (body.removed?.records) await outbox.removeSynced(body.removed.records);
  if (body.cursor) await store.setMeta("cursor", body.cursor);
  state.updateNeeded = needsUpdate(APP_VERSION, body.min_app);
  if (body.notifications) state.unread = body.notifications.unread;
  emit();
}

// Triggers --------------------------------------------------------------------------------

export async function start() {
  await session.restore();
  state.updateNeeded = needsUpdate(APP_VERSION, await store.getCatalog("min_app"));
  state.unread = (await store.getCatalog("notifications", null))?.unread || 0;
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
