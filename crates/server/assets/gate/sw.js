// The gate page's service worker: keeps the page of each gate and its assets so that a phone
// opened once with network keeps working with none. The API is never cached here: the page
// keeps the key set and the revocation list itself, and queues passages in IndexedDB.

const CACHE = 'gridwatch-gate-v1';
const ASSETS = [
  '/assets/app.css',
  '/assets/gate/gate.css',
  '/assets/gate/gate.js',
  '/assets/gate/queue.js',
  '/assets/gate/verify.js',
  '/assets/gate/camera.js',
  '/assets/gate/icon.svg',
  '/assets/vendor/noble-ed25519/index.js',
  '/assets/vendor/jsqr/jsQR.js',
  '/assets/vendor/cborg/cborg.js',
  '/assets/vendor/cborg/lib/0uint.js',
  '/assets/vendor/cborg/lib/1negint.js',
  '/assets/vendor/cborg/lib/2bytes.js',
  '/assets/vendor/cborg/lib/3string.js',
  '/assets/vendor/cborg/lib/4array.js',
  '/assets/vendor/cborg/lib/5map.js',
  '/assets/vendor/cborg/lib/6tag.js',
  '/assets/vendor/cborg/lib/7float.js',
  '/assets/vendor/cborg/lib/bl.js',
  '/assets/vendor/cborg/lib/byte-utils.js',
  '/assets/vendor/cborg/lib/common.js',
  '/assets/vendor/cborg/lib/decode.js',
  '/assets/vendor/cborg/lib/encode.js',
  '/assets/vendor/cborg/lib/is.js',
  '/assets/vendor/cborg/lib/jump.js',
  '/assets/vendor/cborg/lib/tagged.js',
  '/assets/vendor/cborg/lib/token.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

const GATE_PAGE = /^\/gates\/\d+\/(scan|manifest\.webmanifest)$/;

/** The network first, the kept copy when there is none; a sign-in page is never kept. */
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok && !res.redirected) await cache.put(request.url.split('?')[0], res.clone());
    return res;
  } catch (e) {
    const kept = await cache.match(request.url.split('?')[0]);
    if (kept) return kept;
    throw e;
  }
}

/** The kept copy at once, refreshed from the network behind it for the next time. */
async function keptThenRefreshed(event) {
  const cache = await caches.open(CACHE);
  const fresh = fetch(event.request)
    .then((res) => (res.ok ? cache.put(event.request, res.clone()).then(() => res) : res));
  const kept = await cache.match(event.request);
  if (kept) {
    event.waitUntil(fresh.catch(() => {}));
    return kept;
  }
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (GATE_PAGE.test(url.pathname)) event.respondWith(networkFirst(event.request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(keptThenRefreshed(event));
});
