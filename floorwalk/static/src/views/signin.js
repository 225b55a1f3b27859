// Signing in without leaving the page (a session that ended, or after a sign-out on a
// shared phone, offline too): the outbox stays as it is.
import { field, h } from "../dom.js";

export function signInForm(username, onSignIn) {
  const user = h("input", { name: "username", autocomplete: "username", autocapitalize: "none", value: username || "" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    { class: "form card signin", novalidate: true, "aria-label": username ? "Sign in again" : "Sign in" },
    username
      ? [h("h2", { text: "Your session has ended" }),
         h("p", { class: "muted", text: "Sign in again to sync. Records on this phone are kept." })]
      : h("h2", { text: "Sign in" }),
    field("Username", user),
    field("Password", password),
    error,
    h("button", { type: "submit", class: "button button-primary button-wide" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await onSignIn(user.value.trim(), password.value);
    } catch (problem) {
      error.textContent = navigator.onLine ? problem.message : "No network. Try again when online.";
    }
  });
  return form;
}
