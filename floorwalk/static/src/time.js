// Times as the protocol wants them: RFC 3339 with the phone's own offset, milliseconds.

const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, "0");

export function isoLocal(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** The named parts of `instant` as a clock of `locale` with `options` shows it. */
function clockParts(instant, locale, options) {
  const parts = new Intl.DateTimeFormat(locale, options).formatToParts(instant);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** The production day (YYYY-MM-DD) of an instant, in the plant's time zone and day start. */
export function productionDay(instant, timezone, dayStart = "06:00") {
  const parts = clockParts(instant, "en-CA", {
    timeZone: timezone || undefined,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  return `${parts.hour}:${parts.minute}` < dayStart ? addDays(day, -1) : day;
}

/** A YYYY-MM-DD day `days` after `day`. */
export function addDays(day, days) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** An instant as the plant's clock reads it ("Mon 30 Nov 23:45"), as on the summaries. */
export function plantTime(iso, timezone) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const parts = clockParts(d, "en-GB", {
    timeZone: timezone || undefined,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.hour}:${parts.minute}`;
}

/** A production day as the plant says it: "Mon 30 Nov" (a date, so no time zone shift). */
export function dayWords(day) {
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  const parts = clockParts(date, "en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" });
  return `${parts.weekday} ${parts.day} ${parts.month}`;
}
