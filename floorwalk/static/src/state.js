// What the screens draw from the session and the sync: who is signed in, the counts of the
// outbox, the last sync and why it failed. Listeners are called at every change.
import { countsOf } from "./decisions.js";
import * as outbox from "./outbox.js";

export const state = {
  user: null,
  pending: 0,
  attention: [],
  lastSync: null,
  needsSignIn: false,
  updateNeeded: false,
  busy: false,
  error: "",
  unread: 0, // the bell: the user's unread notifications as the last pull said (DESIGN §9)
};

const listeners = new Set();

export function subscribe(fn) {
  listeners.add(fn);
  fn(state);
  return () => listeners.delete(fn);
}

export function emit() {
  for (const fn of listeners) fn(state);
}

/** The signed-in user's pending and needs-attention counts, from the outbox. */
export async function refreshCounts() {
  Object.assign(state, countsOf(state.user ? await outbox.outboxFor(state.user.id) : []));
  emit();
}
