// The count sheet's rules as plain functions: what each kind of metric asks for, which
// values are numbers at all, and which are far from what this station usually reads.

export const MAX_VALUE = 1_000_000_000;

/** What to enter, per kind of metric (DESIGN §4). */
export const HINTS = {
  tally: "How many since your last count",
  counter: "The reading on the counter",
  gauge: "How many there are now",
};

export const hintFor = (kind) => HINTS[kind] || HINTS.tally;

/** Gauges may read fractions; tallies and counters are whole numbers. */
export const inputModeFor = (kind) => (kind === "gauge" ? "decimal" : "numeric");

/** A typed value: `{ empty }`, `{ value }` or `{ error }` (a value the server must never get). */
export function checkValue(text) {
  const typed = String(text ?? "").trim().replace(",", ".");
  if (typed === "") return { empty: true };
  const value = Number(typed);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(typed) || !Number.isFinite(value)) return { error: "Enter a number." };
  if (value < 0) return { error: "Enter 0 or more." };
  if (value > MAX_VALUE) return { error: "Enter at most 1,000,000,000." };
  return { value };
}

/** The values of this station and metric in the phone's own recent records, newest first. */
export function recentValues(records, station, metric, limit = 20) {
  return records
    .filter((r) => r.type === "count" && !r.deleted && r.station === station && r.data?.metric === metric)
    .sort((a, b) => b.observed_at.localeCompare(a.observed_at))
    .slice(0, limit)
    .map((r) => Number(r.data.value))
    .filter(Number.isFinite);
}

/**
 * A warning (never a block) when `value` is far from the usual: more than ten times the
 * median of at least three recent values, or under a tenth of it. Null when it looks usual
 * or there is too little history to tell.
 */
export function rangeWarning(value, history) {
  if (history.length < 3) return null;
  const sorted = [...history].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const usual = `${sorted[0]}–${sorted[sorted.length - 1]}`;
  if (value > Math.max(median, 1) * 10 || (median >= 10 && value < median / 10)) {
    return `Far from the usual here (${usual}). Check it; it saves as typed.`;
  }
  return null;
}
