// The user's records as the screens show them: the outbox version wins over the synced one.
import * as outbox from "./outbox.js";

export async function myRecords(user) {
  if (!user) return [];
  const byId = new Map();
  for (const record of await outbox.syncedFor(user.id)) byId.set(record.id, record);
  for (const record of await outbox.outboxFor(user.id)) byId.set(record.id, record);
  return [...byId.values()].sort((a, b) => b.observed_at.localeCompare(a.observed_at));
}

export function statusOf(record) {
  if (record.synced) return "synced";
  return record.state || "pending";
}
