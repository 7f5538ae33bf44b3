// The service worker: keeps the app shell (the page, its scripts, styles, icons and manifest) in a cache, so
// the client opens at once and, offline, still opens to say there is no connection. The server writes the
// shell's version (a hash of every file in it) and its file list into this script as it serves it: any change
// to the client changes this file, so the browser installs the new worker, which fills a new cache and deletes
// the old ones. API calls and the game's WebSocket never go through the cache.

const VERSION = "__SHELL_VERSION__";
const SHELL = "__SHELL_FILES__".split(" ");
const CACHE = `checkgame-shell-${VERSION}`;
const PAGES = /^\/(join\/[A-Za-z0-9]{6})?$/; // the page's own addresses: "/" and shareable join links

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("checkgame-shell-") && name !== CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Every address of the page is the same file: answer with the cached one.
  const key = request.mode === "navigate" && PAGES.test(url.pathname) ? "/" : url.pathname;
  if (!SHELL.includes(key)) return; // /api/, /ws, /admin…: straight to the network, never cached
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(key);
    return cached || fetch(request);
  }));
});
