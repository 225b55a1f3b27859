// Everything the phone keeps, in IndexedDB through idb:
//   outbox   records not yet answered by the server (pending, rejected, conflict)
//   photos   photo blobs waiting for upload
//   records  the user's records the server has (from push answers and pull)
//   catalog  what pull sends, one entry per kind
//   meta     device id, cursor, clock offset, signed-in user, last sync
// Upgrades only ever add stores: the outbox survives every new version of the app.
import { openDB } from "idb";
import { v7 as uuidv7 } from "uuid";

const DB_NAME = "floorwalk";
const DB_VERSION = 1;
let dbPromise;

export function db() {
  dbPromise ??= openDB(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        const outbox = database.createObjectStore("outbox", { keyPath: "id" });
        outbox.createIndex("author", "author");
        database.createObjectStore("photos", { keyPath: "id" });
        const records = database.createObjectStore("records", { keyPath: "id" });
        records.createIndex("author", "author");
        database.createObjectStore("catalog");
        database.createObjectStore("meta");
      }
    },
    blocked() {},
    blocking() {
      // A newer app version wants to upgrade: let it, and reload into it.
      dbPromise?.then((d) => d.close());
      dbPromise = undefined;
    },
  });
  return dbPromise;
}

export async function getMeta(key, fallback = null) {
  const value = await (await db()).get("meta", key);
  return value === undefined ? fallback : value;
}

export async function setMeta(key, value) {
  return (await db()).put("meta", value, key);
}

/**
 * A new id for a record or a photo: a UUIDv7, which starts with its creation time, so the
 * server's indexes take new records at their end instead of at random pages (a push into
 * a year of records stays as fast as into an empty table; docs/sync.md "Push speed").
 */
export function newId() {
  return uuidv7();
}

export async function deviceId() {
  let id = await getMeta("device");
  if (!id) {
    id = crypto.randomUUID();
    await setMeta("device", id);
  }
  return id;
}

// The catalog ------------------------------------------------------------------------

export async function getCatalog(kind, fallback = null) {
  const value = await (await db()).get("catalog", kind);
  return value === undefined ? fallback : value;
}

export async function putCatalog(entries) {
  const tx = (await db()).transaction("catalog", "readwrite");
  await Promise.all([...Object.entries(entries).map(([k, v]) => tx.store.put(v, k)), tx.done]);
}

export async function clearCatalog(kinds) {
  const tx = (await db()).transaction("catalog", "readwrite");
  await Promise.all([...kinds.map((k) => tx.store.delete(k)), tx.done]);
}

// Records -----------------------------------------------------------------------------

/** Save a record in the outbox (a new one, or a new version of one). */
export async function saveToOutbox(record) {
  const entry = { ...record, state: "pending", errors: null, server: null };
  await (await db()).put("outbox", entry);
  return entry;
}

export async function outboxFor(author) {
  return (await db()).getAllFromIndex("outbox", "author", author);
}

export async function outboxEntry(id) {
  return (await db()).get("outbox", id);
}

export async function updateOutbox(entry) {
  return (await db()).put("outbox", entry);
}

export async function removeFromOutbox(id) {
  return (await db()).delete("outbox", id);
}

/** The server has this version: it leaves the outbox and joins the user's history. */
export async function markSynced(record) {
  const tx = (await db()).transaction(["outbox", "records"], "readwrite");
  const { state, errors, server, ...plain } = record;
  await Promise.all([
    tx.objectStore("outbox").delete(record.id),
    tx.objectStore("records").put({ ...plain, synced: true }),
    tx.done,
  ]);
}

export async function syncedFor(author) {
  return (await db()).getAllFromIndex("records", "author", author);
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

export async function clearSynced(author) {
  const tx = (await db()).transaction("records", "readwrite");
  for (const key of await tx.store.index("author").getAllKeys(author)) await tx.store.delete(key);
  await tx.done;
}

// Photos ------------------------------------------------------------------------------

export async function savePhoto(id, blob, author) {
  return (await db()).put("photos", { id, blob, author });
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

