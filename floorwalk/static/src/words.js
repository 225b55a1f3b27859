// Words a person reads, in one place: those that depend on a number ("1 person", "2 people",
// "1 min ago") and every problem said in plain words with what to do about it.

const IRREGULAR = { person: "people", entry: "entries", photo: "photos" };

/** "1 record", "3 records"; `many` for the words English does not make with an s. */
export function plural(n, one, many = IRREGULAR[one] ?? `${one}s`) {
  return `${n} ${Number(n) === 1 ? one : many}`;
}

/** A value with its unit, agreeing with the number: "1 person", "2 people", "1 bin". */
export function withUnit(value, unit) {
  if (!unit) return String(value);
  if (Number(value) !== 1) return `${value} ${unit}`;
  if (unit === "people") return `${value} person`;
  if (/^[a-z]{3,}s$/i.test(unit)) return `${value} ${unit.slice(0, -1)}`;
  return `${value} ${unit}`;
}

/** How long ago `iso` was, as a person says it: "just now", "4 min ago", "2 h ago". */
export function ago(iso, now = new Date()) {
  const seconds = Math.max(0, (now - new Date(iso)) / 1000);
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return plural(Math.round(hours / 24), "day") + " ago";
}

// Problems ------------------------------------------------------------------------------

export const STORAGE_FULL =
  "This phone's storage is full: sync, or delete old photos and files you no longer need, then save again. Nothing was lost from before.";
export const SERVER_PROBLEM = "The server had a problem; your records are kept and will be sent again.";
export const NO_NETWORK = "Offline: records are kept on this phone.";
export const NO_SERVER = "Cannot reach the server; retrying.";

// The same problems in the words that fit the status line under "N pending" on a phone;
// the whole sentence is the line's title and in docs/pwa.md.
const BRIEF = { [NO_NETWORK]: "Offline", [NO_SERVER]: "No server", [SERVER_PROBLEM]: "Server error" };

/** A sync problem in a word or two, for the one-line status note. */
export const brief = (problem) => BRIEF[problem] ?? problem;

// A phone whose disk is full refuses a write before any quota does: Chromium aborts the
// transaction with DataError "Failed to write blobs (IOError)" for a photo and UnknownError
// "... FILE_ERROR_NO_SPACE ..." for a record (seen on a full disk, docs/pwa.md).
const NO_SPACE = /^Failed to write blobs|FILE_ERROR_NO_SPACE|No space left/;

/** IndexedDB's "full" as each browser says it, or wrapped by a transaction's abort. */
function isQuota(error) {
  const errors = [error, error?.inner, error?.cause];
  const names = errors.map((each) => each?.name);
  if (names.some((name) => name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED")) return true;
  return error?.code === 22 || errors.some((each) => NO_SPACE.test(each?.message ?? ""));
}

/** What a person reads when saving on the phone failed. */
export function saveProblem(error) {
  if (isQuota(error)) return STORAGE_FULL;
  return "This phone could not save that. Try again; if it happens again, restart the app (records saved before are kept).";
}

/**
 * Why a sync failed: no network on the phone, no server answering, or a server that
 * answered with an error (`status`, 5xx). The coordinator can act on the first (walk to
 * where there is coverage); the records are kept in every case.
 */
export function syncProblem(status, online = true) {
  if (!online) return NO_NETWORK;
  if (status) return SERVER_PROBLEM; // 5xx: the ones a sync retries
  return NO_SERVER;
}

/** What a person reads when the camera does not start, with what to do instead. */
export function cameraProblem(error) {
  const name = error?.name || "";
  if (name === "NotAllowedError" || name === "SecurityError")
    return "The camera is not allowed for floorwalk. Allow it in the browser's site settings, or type the station code.";
  if (name === "NotFoundError" || name === "OverconstrainedError")
    return "This phone has no camera floorwalk can use. Type the station code instead.";
  if (name === "NotReadableError" || name === "AbortError")
    return "Another app is using the camera. Close it and try again, or type the station code.";
  return "The camera did not start. Try again, or type the station code.";
}
