// The user's records as the screens show them: the outbox version wins over the synced one.
import * as outbox from "./outbox.js";

export async function myRecords(user) {
  if (!user) return [];
  const { synced, pending } = await outbox.recordsFor(user.id);
  const byId = new Map();
  for (const record of synced) byId.set(record.id, record);
  for (const record of pending) byId.set(record.id, record); // a pending edit shows over its synced version
  return [...byId.values()].sort((a, b) => b.observed_at.localeCompare(a.observed_at));
}

export function statusOf(record) {
  if (record.synced) return "synced";
  return record.state || "pending";
}
