// The catalog as the screens read it: loaded from IndexedDB once per screen.
import * as store from "./store.js";
import { productionDay } from "./time.js";

const KINDS = ["areas", "categories", "stations", "metrics", "employees", "routes"];

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

export function areaName(catalog, station) {
  const area = station.area ?? station.area_id;
  if (area && typeof area === "object") return area.name;
  return catalog.areas[area]?.name || (typeof area === "string" ? area : "");
}

const metricKey = (m) => m.metric ?? m.key;

/** The metrics expected at a station, with today's target (the plan's, else standing). */
export function stationMetrics(catalog, station) {
  return (station.metrics || []).map((entry) => {
    const key = metricKey(entry);
    const metric = catalog.metrics[key] || { key, label: key, unit: "", kind: "tally" };
    return { ...metric, key, target: planTarget(catalog, station.code, key) ?? entry.target ?? null,
             min_level: entry.min_level ?? null };
  });
}

function planTarget(catalog, code, key) {
  const plan = catalog.plan;
  const rows = Array.isArray(plan) ? plan : plan?.targets || [];
  const row = rows.find((r) => r.station === code && r.metric === key && !r.shift);
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
      return `${metric?.label || d.metric}: ${d.value}${metric?.unit ? ` ${metric.unit}` : ""}`;
    }
    case "observation":
      return `${catalog.categories[d.category]?.label || d.category} (${d.severity}): ${d.text}`;
    case "employee_note":
      return `${catalog.employees[d.employee]?.name || d.employee} — ${d.kind}: ${d.text}`;
    case "walk":
      return d.ended_at ? "Walk" : "Walk (in progress)";
    default:
      return record.type;
  }
}
