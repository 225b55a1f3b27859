// The service worker: precaches the shell's assets (Workbox injectManifest), answers
// pages network-first with the cached shell offline, and never touches IndexedDB.
import { cleanupOutdatedCaches, precacheAndRoute } from "workbox-precaching";
import { registerRoute } from "workbox-routing";
import { codeFromPath } from "./qr.js";

const SHELL_CACHE = "floorwalk-shell";
const SHELL_URL = "/walk";

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

// Keep a copy of the shell from the start, so that the app opens offline even if no page
// was loaded through this worker yet. A redirect (signed out) is not the shell.
async function cacheShell() {
  try {
    const response = await fetch(SHELL_URL, { credentials: "same-origin" });
    if (response.ok && !response.redirected) await (await caches.open(SHELL_CACHE)).put(SHELL_URL, response);
  } catch {
    // offline: the page itself will be cached on the next visit
  }
}

self.addEventListener("install", (event) => event.waitUntil(cacheShell()));
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// /walk and /s/<code> are the same page: the app reads the path. One copy serves both.
const isAppPage = ({ request, url }) =>
  request.mode === "navigate" && (url.pathname === SHELL_URL || codeFromPath(url.pathname) !== null);

registerRoute(isAppPage, async ({ request }) => {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(SHELL_URL, response.clone());
    }
    return response;
  } catch (error) {
    const shell = await cache.match(SHELL_URL);
    if (shell) return shell;
    throw error;
  }
});

// Background Sync: wake an open app to push its outbox.
self.addEventListener("sync", (event) => {
  if (event.tag !== "floorwalk-sync") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then((clients) => {
      for (const client of clients) client.postMessage({ type: "sync" });
    }),
  );
});
