// Which moves of an action the signed-in user may make, as the server's rules would judge
// them (floorwalk/actions/state.py and rules.py, docs/actions.md): the phone shows only
// the buttons that fit. The server stays the authority: an update it refuses waits under
// "Needs attention" like any rejected record. Plain functions, tested in node.

/** What each status may become, by the move asked for (state.MOVES). */
export const MOVES = {
  open: ["in_progress", "done", "cancelled"],
  in_progress: ["done", "cancelled"],
  done: ["verified", "reopened"],
  verified: ["reopened"],
  cancelled: ["reopened"],
};
export const CLOSED = ["verified", "cancelled"];
export const PENDING = ["open", "in_progress"];
const RESULT = { reopened: "open" };
// Moves the owner may make; every other move needs whoever steers the action.
const OWNER_MOVES = ["in_progress", "done"];
const SEES_EVERYTHING = ["manager", "admin"];

/** The status a move leaves the action in. */
export function resultOf(move) {
  return RESULT[move] ?? move;
}

/** Whether `move` fits an action that is `status` now (state.fits). */
export function fits(status, move) {
  return (MOVES[status] || []).includes(move);
}

/** Open or in progress after its due day (due today is not overdue yet). */
export function isOverdue(status, due, today) {
  return PENDING.includes(status) && due < today;
}

const idOf = (ref) => (ref && typeof ref === "object" ? ref.id : ref) ?? null;

/** permissions.may_steer_action: the creator, the area's supervisors, managers, admins.
 * `user`: {id, role, areas: [area ids]}. */
export function maySteer(user, action) {
  if (SEES_EVERYTHING.includes(user.role) || user.id === idOf(action.created_by)) return true;
  const areas = new Set(user.areas || []);
  return user.role === "supervisor" && (action.area_ids || []).some((a) => areas.has(a));
}

/** permissions.may_see_action: the owner, and whoever steers it (they start and finish it). */
export function mayWork(user, action) {
  return user.id === idOf(action.owner) || maySteer(user, action);
}

/** rules.move_problem is None: the move fits the status, the user may make it, and a
 * verification needs someone other than whoever marked it done. */
export function mayMove(user, action, move) {
  if (!fits(action.status, move)) return false;
  if (OWNER_MOVES.includes(move) ? !mayWork(user, action) : !maySteer(user, action)) return false;
  return !(move === "verified" && user.id === idOf(action.done_by));
}

/** The moves the user may make now, in the state machine's order. */
export function movesFor(user, action) {
  return (MOVES[action.status] || []).filter((move) => mayMove(user, action, move));
}
