// Words that depend on a number, in one place: "1 person", "2 people", "1 min ago".

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
