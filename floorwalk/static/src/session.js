// Who is signed in: the session check before each sync, sign-in in place, and sign-out
// on a shared phone (DESIGN §3).
import * as api from "./api.js";
import * as outbox from "./outbox.js";
import { emit, refreshCounts, state } from "./state.js";
import * as store from "./store.js";

api.configure({
  refreshSession,
  unauthorized() {
    state.needsSignIn = true;
    emit();
  },
});

function acceptSession(body) {
  state.user = body.user;
  api.setCsrfToken(body.csrf_token);
  state.needsSignIn = false;
  return Promise.all([store.setMeta("user", body.user), store.setMeta("signedOut", false)]);
}

/** A fresh CSRF token (and who is signed in) before each sync. */
export async function refreshSession() {
  const { body } = await api.request("GET", "/api/v1/session", { retryCsrf: false });
  await acceptSession(body);
}

/** Signs in; `afterwards` runs once the user is known (the app syncs then). The session
 * is named by this install and `app`'s version on the account page (DESIGN §7). */
export async function signIn(username, password, afterwards = () => {}, app = undefined) {
  const json = { username, password, device: await store.deviceId(), app };
  const { body } = await api.request("POST", "/api/v1/session", { json });
  const previous = state.user;
  await acceptSession(body);
  await store.setMeta("signOutPending", false); // the server ended that session at this sign-in
  if (previous && previous.id !== body.user.id) {
    await store.setMeta("cursor", null);
    await store.clearCatalog(["actions"]); // the other user's actions are not this one's
  }
  await refreshCounts();
  afterwards();
  return body.user;
}

/** Sign out as DESIGN §3 says for shared phones: unsynced records (outbox and their
 * photos) stay, for their author alone; what the server has of the user goes, with the
 * employee list, the actions and the users. Offline too: the server's session is ended
 * at the next chance. */
export async function signOut() {
  if (state.user) await outbox.clearSynced(state.user.id);
  await store.clearCatalog(["employees", "me", "actions", "users"]);
  await store.setMeta("cursor", null);
  await store.setMeta("user", null);
  await store.setMeta("lastSync", null);
  await store.setMeta("signOutPending", true);
  await store.setMeta("signedOut", true);
  Object.assign(state, { user: null, pending: 0, attention: [], lastSync: null, error: "" });
  state.needsSignIn = true;
  emit();
  await endServerSession().catch(() => {});
}

/** Ends the session a sign-out left on the server (the phone may have been offline). Its
 * CSRF token is fetched apart: adopting the session again would sign the user back in. */
export async function endServerSession() {
  if (!(await store.getMeta("signOutPending"))) return;
  const end = () => api.request("DELETE", "/api/v1/session", { json: {}, retryCsrf: false });
  try {
    await end();
  } catch (error) {
    if (!(error instanceof api.HttpError)) throw error;
    if (error.code === "csrf") {
      const { body } = await api.peek("/api/v1/session");
      if (body?.csrf_token) {
        api.setCsrfToken(body.csrf_token);
        await end();
      }
    }
    // 401: the server had ended it already.
  }
  await store.setMeta("signOutPending", false);
}

/** The user and sign-in state this phone kept, read once at start. */
export async function restore() {
  state.user = await store.getMeta("user");
  state.lastSync = await store.getMeta("lastSync");
  // Signed out on this phone: the next person signs in here, offline reloads included.
  state.needsSignIn = !state.user && Boolean(await store.getMeta("signedOut"));
}
