// The sync status of DESIGN §4 as a plain function of the state: the words, the state
// (drawn by colour and icon in walk.css) and the one-line note under them.
import { NO_NETWORK, ago, brief, plural } from "./words.js";

const ICONS = { synced: "✓", pending: "↑", syncing: "↻", offline: "⊘", attention: "!", never: "…", signedout: "–" };

/**
 * s: state.js's state; online: navigator.onLine. "All synced" only once a sync has
 * finished since sign-in (`lastSync`), "Not synced yet" before.
 */
export function syncStatus(s, online = true, now = new Date()) {
  const last = s.lastSync ? `Last sync ${ago(s.lastSync, now)}` : "Not synced yet";
  let text;
  if (!s.user && s.needsSignIn) text = "Signed out";
  else if (s.pending) text = `${s.pending} pending`;
  else if (s.lastSync) text = "All synced";
  else text = "Not synced yet";
  const attention = s.attention?.length || 0;
  if (attention && s.user) text += ` · ${plural(attention, "needs", "need")} attention`;
  let state;
  if (!s.user && s.needsSignIn) state = "signedout";
  else if (s.busy) state = "syncing";
  else if (attention || s.needsSignIn) state = "attention";
  else if (!online || s.error) state = "offline"; // no network, or no server answering
  else if (s.pending) state = "pending";
  else if (s.lastSync) state = "synced";
  else state = "never";
  // The note fits one line of a phone's header: the problem in a word or two; `detail`
  // says it in a sentence (the line's title).
  const problem = s.error || (online ? "" : NO_NETWORK);
  const line = (words) => (s.busy ? "Syncing…" : [words, last].filter(Boolean).join(" · "));
  return { text, state, icon: ICONS[state], note: line(brief(problem)), detail: line(problem) };
}
