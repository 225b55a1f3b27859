// The phone's IndexedDB (through idb), its stores, and the catalog and meta in it:
//   outbox   records not yet answered by the server (pending, rejected, conflict)  } outbox.js
//   photos   photo blobs waiting for upload                                        } outbox.js
//   records  the user's records the server has (from push answers and pull)       } outbox.js
//   catalog  what pull sends, one entry per kind
//   meta     device id, cursor, clock offset, signed-in user, last sync, walk
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
    terminated() {
      // The browser closed the connection (a full disk does: "Connection is closing
      // because of: IO error"): the next save opens a new one instead of failing for good.
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
