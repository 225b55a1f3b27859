// The user's records on the phone, in IndexedDB (store.js opens it): the outbox (records
// not yet answered by the server: pending, rejected, conflict), the photos waiting for
// upload, and the records the server has. Only edits.js puts a new version in the outbox.
import { db } from "./store.js";

/** Save records in the outbox (new ones, or new versions), pending, in one transaction:
 * all of them, or none. */
export async function saveAllToOutbox(records) {
  const entries = records.map((record) => ({ ...record, state: "pending", errors: null, server: null }));
  const tx = (await db()).transaction("outbox", "readwrite");
  const requests = [tx.done];
  try {
    for (const entry of entries) requests.push(tx.store.put(entry));
    await Promise.all(requests);
  } catch (error) {
    for (const request of requests) request.catch(() => {}); // each fails with the abort
    const why = tx.error ?? error; // the browser's reason (storage full…), when it aborted
    try {
      tx.abort(); // a put refused: the ones before it go too
    } catch {
      // the transaction had ended already (aborted by the browser: storage full)
    }
    throw why;
  }
  return entries;
}

export async function outboxFor(author) {
  return (await db()).getAllFromIndex("outbox", "author", author);
}

export async function outboxEntry(id) {
  return (await db()).get("outbox", id);
}

export async function removeFromOutbox(id) {
  return (await db()).delete("outbox", id);
}

/** A push's answer for the version it sent, applied in one transaction with the check
 * it rests on: `decide(current)` (decisions.resultOutcome) sees the outbox entry as it is
 * when the answer is written — "synced" moves the sent version to the history, "update"
 * stores the entry it gives, "keep" leaves the outbox alone. A newer version saved while
 * the push was on its way (an edit, an Undo) is never deleted or overwritten by the
 * answer for the older one; read in one transaction and written in the next, it could
 * be, and the edit was lost (CI once caught an undone deletion staying deleted). */
export async function applyAnswer(sent, decide) {
  const tx = (await db()).transaction(["outbox", "records"], "readwrite");
  const pending = tx.objectStore("outbox");
  const outcome = decide(await pending.get(sent.id));
  const writes = [tx.done];
  if (outcome.action === "synced") {
    writes.push(pending.delete(sent.id), tx.objectStore("records").put(historyCopy(sent)));
  } else if (outcome.action === "update") {
    writes.push(pending.put(outcome.entry));
  }
  await Promise.all(writes);
  return outcome;
}

function historyCopy(record) {
  const synced = { ...record, synced: true };
  for (const outboxOnly of ["state", "errors", "server"]) delete synced[outboxOnly];
  return synced;
}

export async function syncedFor(author) {
  return (await db()).getAllFromIndex("records", "author", author);
}

/** The author's records on this phone, the synced history and the outbox, read in one
 * transaction: a record the sync moves from one to the other (``applyAnswer``) is then in
 * exactly one of them, where two reads could find it in neither and a draw lose it. */
export async function recordsFor(author) {
  const tx = (await db()).transaction(["records", "outbox"]);
  const [synced, pending] = await Promise.all([
    tx.objectStore("records").index("author").getAll(author),
    tx.objectStore("outbox").index("author").getAll(author),
    tx.done,
  ]);
  return { synced, pending };
}

/** What pull says the server has. The outbox is left alone: a pending local edit is what
 * the app shows until the server has answered it, so pull never overwrites it. */
export async function putSynced(records) {
  const tx = (await db()).transaction("records", "readwrite");
  await Promise.all([...records.map((r) => tx.store.put({ ...r, synced: true })), tx.done]);
}

export async function removeSynced(ids) {
  const tx = (await db()).transaction("records", "readwrite");
  await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
}

/** A full pull: the author's history replaced by ``records`` in one transaction, so that
 * a draw meanwhile finds the old history or the new one, never none. */
export async function replaceSynced(author, records) {
  const tx = (await db()).transaction("records", "readwrite");
  for (const key of await tx.store.index("author").getAllKeys(author)) await tx.store.delete(key);
  await Promise.all([...records.map((r) => tx.store.put({ ...r, synced: true })), tx.done]);
}

export async function clearSynced(author) {
  return replaceSynced(author, []);
}

// Photos ------------------------------------------------------------------------------

/** Save a photo waiting for upload. A refused write fails with why the browser refused
 * it (storage full…), not with the "aborted" every request of the transaction gets. */
export async function savePhoto(id, blob, author) {
  const tx = (await db()).transaction("photos", "readwrite");
  tx.store.put({ id, blob, author }).catch(() => {}); // fails with the abort: tx.done says why
  await tx.done;
}

export async function photosToUpload(author) {
  const all = await (await db()).getAll("photos");
  return all.filter((p) => p.author === author);
}

export async function removePhoto(id) {
  return (await db()).delete("photos", id);
}

export async function getPhoto(id) {
  return (await db()).get("photos", id);
}

