// Requests to floorwalk's API: JSON in and out, the error shape
// {"error": {"code", "message"}} as an HttpError, the CSRF token on every write (a 400
// "csrf" refreshes the session and retries once), and a 401 reported to whoever listens.

export class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

let csrf = globalThis.document?.querySelector('meta[name="csrf-token"]')?.content || "";
// Set by session.js: how to get a fresh token, and what a 401 means to the app.
const hooks = { refreshSession: async () => {}, unauthorized: () => {} };

export function configure(options) {
  Object.assign(hooks, options);
}

export function setCsrfToken(token) {
  csrf = token;
}

export async function request(method, path, { json, body, type, retryCsrf = true } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrf;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (type) headers["Content-Type"] = type;
  const response = await fetch(path, { method, headers, body, credentials: "same-origin" });
  let answer = null;
  if ((response.headers.get("Content-Type") || "").includes("json")) answer = await response.json();
  if (response.ok) return { status: response.status, body: answer };
  if (response.status === 400 && answer?.error?.code === "csrf" && retryCsrf) {
    await hooks.refreshSession();
    return request(method, path, { json, body, type, retryCsrf: false });
  }
  if (response.status === 401) hooks.unauthorized();
  throw new HttpError(response.status, answer);
}

/** A GET whose answer is only looked at: no error thrown, no 401 reported. */
export async function peek(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  return { status: response.status, body: response.ok ? await response.json() : null };
}
