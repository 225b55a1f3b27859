// The service worker, its update prompt, and the install button or iOS hint.
import { button, h, replace } from "./dom.js";

export function registerWorker(noticeEl) {
  if (!("serviceWorker" in navigator)) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) location.reload();
  });
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then((registration) => {
    const offer = (worker) => {
      // The outbox lives in IndexedDB, which a new version never drops: reloading is safe.
      const prompt = h(
        "div",
        { class: "notice update", role: "alert" },
        h("p", { text: "A new version is ready" }),
        button("Reload", () => {
          reloading = true;
          worker.postMessage({ type: "SKIP_WAITING" });
        }, "button button-primary"),
      );
      noticeEl.before(prompt);
    };
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
      });
    });
    // Look for a new version each time the app comes back to the front.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") registration.update().catch(() => {});
    });
  }).catch(() => {});
}

let deferredPrompt = null;
let iosHint = false;

/**
 * The install button (Android's `beforeinstallprompt`) or the "Add to Home Screen" hint
 * (iOS Safari) live in the home screen's `#install-slot`, drawn only once someone has
 * signed in; they stay away while a form is open (the in-place sign-in included).
 */
export function installControls() {
  const standalone = matchMedia("(display-mode: standalone)").matches || navigator.standalone;
  if (standalone) return;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferredPrompt = event;
    showInstall();
  });
  iosHint = /iphone|ipad|ipod/i.test(navigator.userAgent);
  const watch = (el) => new MutationObserver(showInstall).observe(el, { childList: true, subtree: true });
  watch(document.getElementById("app")); // the home screen is redrawn often
  watch(document.getElementById("notices")); // the in-place sign-in comes and goes
}

const formOpen = () => document.querySelector("form.capture, #notices form") !== null;

function showInstall() {
  const slot = document.getElementById("install-slot");
  if (!slot) return;
  if (formOpen()) {
    if (slot.childElementCount) replace(slot);
  } else if (slot.childElementCount) {
    return;
  } else if (deferredPrompt) {
    replace(slot, button("Install app", async () => {
      const event = deferredPrompt;
      deferredPrompt = null;
      replace(slot);
      event.prompt();
      await event.userChoice.catch(() => null);
    }));
  } else if (iosHint) {
    replace(slot, h("span", { class: "install-hint", text: "To install: tap Share, then “Add to Home Screen”." }));
  }
}
