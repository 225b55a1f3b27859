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

export function installControls() {
  const standalone = matchMedia("(display-mode: standalone)").matches || navigator.standalone;
  if (standalone) return;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferredPrompt = event;
    showInstall();
  });
  if (/iphone|ipad|ipod/i.test(navigator.userAgent)) {
    const hint = h("p", { class: "notice", text: "To install: tap Share, then “Add to Home Screen”." });
    document.getElementById("notices").after(hint);
  }
}

function showInstall() {
  const slot = document.getElementById("install-slot");
  if (!slot || !deferredPrompt) return;
  replace(slot, button("Install app", async () => {
    const event = deferredPrompt;
    deferredPrompt = null;
    replace(slot);
    event.prompt();
    await event.userChoice.catch(() => null);
  }));
}

// The home screen is redrawn often; put the button back each time it is.
new MutationObserver(() => {
  const slot = document.getElementById("install-slot");
  if (slot && !slot.childElementCount) showInstall();
}).observe(document.getElementById("app"), { childList: true });
