// The catalog as the screens read it: loaded from IndexedDB once per screen.
import * as store from "./store.js";
import { productionDay } from "./time.js";
import { withUnit } from "./words.js";

// "actions" and "users": pull's actions the user may see, and whom one may be given to.
const KINDS = ["areas", "categories", "stations", "metrics", "employees", "routes", "actions", "users"];

export async function loadCatalog() {
  const catalog = {};
  for (const kind of KINDS) catalog[kind] = await store.getCatalog(kind, {});
  catalog.settings = await store.getCatalog("settings", {});
  catalog.plan = await store.getCatalog("plan", null);
  return catalog;
}

export function hasCatalog(catalog) {
  return Object.keys(catalog.stations).length > 0;
}

export function findStation(catalog, code) {
  const wanted = String(code).toUpperCase();
  return Object.values(catalog.stations).find((s) => s.code.toUpperCase() === wanted) || null;
}

/** A station's area id: pull sends a number; a catalog stored by an older app may hold
 * the area itself or `area_id`. */
export function areaIdOf(station) {
  const area = station?.area ?? station?.area_id ?? null;
  return area && typeof area === "object" ? area.id : area;
}

/** `items` by name, those `inArea` first: the order of the phone's pickers. */
export function areaFirst(items, inArea, nameOf) {
  const byName = (a, b) => nameOf(a).localeCompare(nameOf(b));
  const here = items.filter(inArea).sort(byName);
  return [...here, ...items.filter((item) => !here.includes(item)).sort(byName)];
}

// Records the phone edits ("Edit", "Fix"); an action or its update never is (append-only).
export const EDITABLE_TYPES = ["count", "observation", "employee_note"];

export function areaName(catalog, station) {
  const area = station.area ?? station.area_id;
  if (area && typeof area === "object") return area.name;
  return catalog.areas[area]?.name || (typeof area === "string" ? area : "");
}

const metricKey = (m) => m.metric ?? m.key;

/** The metrics expected at a station, with today's target (todaysTarget). */
export function stationMetrics(catalog, station, now = new Date()) {
  const day = today(catalog, now);
  return (station.metrics || []).map((entry) => {
    const key = metricKey(entry);
    const metric = catalog.metrics[key] || { key, label: key, unit: "", kind: "tally" };
    return { ...metric, key, target: todaysTarget(catalog.plan, station.code, entry, day),
             min_level: entry.min_level ?? null };
  });
}

/**
 * The target of a station metric for the production day `day`, as the server resolved it:
 * the whole-day entry (shift "") of the plan's `station_targets`; none there means no
 * target today. The phone never works the rule out itself. When the plan is of another
 * day (offline past midnight) or has no `station_targets` (an older server), the
 * station metric's standing target.
 */
export function todaysTarget(plan, code, entry, day) {
  const standing = entry.target ?? null;
  if (!plan || plan.day !== day || !Array.isArray(plan.station_targets)) return standing;
  const key = metricKey(entry);
  const row = plan.station_targets.find((r) => r.station === code && r.metric === key && r.shift === "");
  return row ? row.target : null;
}

export function today(catalog, instant = new Date()) {
  return productionDay(instant, catalog.settings.timezone, catalog.settings.day_start || "06:00");
}

/** Progress of a metric from the records this phone knows of today (its user's own). */
export function progress(catalog, metric, records) {
  const day = today(catalog);
  const values = records
    .filter((r) => r.type === "count" && !r.deleted && r.data?.metric === metric.key)
    .filter((r) => today(catalog, new Date(r.observed_at)) === day)
    .sort((a, b) => a.observed_at.localeCompare(b.observed_at))
    .map((r) => Number(r.data.value));
  if (!values.length) return null;
  if (metric.kind === "tally") return values.reduce((a, b) => a + b, 0);
  if (metric.kind === "counter") return Math.max(...values);
  return values[values.length - 1];
}

export function describeRecord(catalog, record) {
  const d = record.data || {};
  switch (record.type) {
    case "visit":
      return "Visit";
    case "count": {
      const metric = catalog.metrics[d.metric];
      return `${metric?.label || d.metric}: ${withUnit(d.value, metric?.unit)}`;
    }
    case "observation":
      return `${catalog.categories[d.category]?.label || d.category} (${d.severity}): ${d.text}`;
    case "employee_note":
      return `${catalog.employees[d.employee]?.name || d.employee} — ${d.kind}: ${d.text}`;
    case "walk":
      return d.ended_at ? "Walk" : "Walk (in progress)";
    case "action":
      return `Action: ${d.title}`;
    case "action_update":
      return `${catalog.actions?.[d.action]?.title ?? "Action"}: ${[d.status?.replace("_", " "), d.comment].filter(Boolean).join(", ") || "photos"}`;
    default:
      return record.type;
  }
}

/** The employee picker's list: the station's area first, then everyone else, by name. */
export function employeesFor(catalog, station) {
  const area = areaIdOf(station);
  const all = Object.values(catalog.employees).filter((e) => e.active !== false);
  return areaFirst(all, (e) => area != null && e.area === area, (e) => e.name);
}
