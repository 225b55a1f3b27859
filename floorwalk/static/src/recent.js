// "My recent records" as a person reads them: grouped by station, visits folded into one
// line per station ("Visited PRS-02 ×3"). A plain function, tested in tests/js.

/**
 * records: newest first. Returns groups in the order of each station's newest record:
 * [{ station, items: [{ record } | { visits: n, record (the newest visit) }] }].
 */
export function groupRecent(records) {
  const groups = new Map();
  for (const record of records) {
    const key = record.station ?? "";
    if (!groups.has(key)) groups.set(key, { station: record.station ?? null, items: [], visits: null });
    const group = groups.get(key);
    if (record.type === "visit") {
      if (group.visits) group.visits.visits += 1;
      else {
        group.visits = { visits: 1, record };
        group.items.push(group.visits);
      }
    } else {
      group.items.push({ record });
    }
  }
  return [...groups.values()].map(({ station, items }) => ({ station, items }));
}
