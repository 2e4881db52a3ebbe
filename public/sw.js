// Event Dojo's service worker: after the first visit, the app starts and works offline.
//
// On install it reads the app's index.html and caches every file it names (the hashed
// script, wasm, stylesheet, icons and manifest, the store and run workers' loaders),
// and every file those scripts name in turn: the split loader, each page's lazily
// loaded wasm modules, and each worker's script and wasm. Pages are fetched from the network first
// and fall back to the cached index.html, so any route (a deep link included) opens
// offline; the hashed files are served from the cache first, since a name never changes
// its content. Each fresh index.html drops cached files it no longer names, so old
// builds do not pile up. Everything a learner makes lives in IndexedDB, not here.
const CACHE = 'event-dojo';
const scope = new URL(self.registration.scope);
const INDEX = new URL('./', scope).href;

// The same-origin files an index.html refers to, as absolute URLs.
function assetsOf(html) {
  const urls = new Set([INDEX, new URL('manifest.webmanifest', scope).href, new URL('icon.svg', scope).href]);
  for (const [, url] of html.matchAll(/(?:href|src)="([^"]+)"/g)) {
    const absolute = new URL(url, scope);
    if (absolute.origin === scope.origin) urls.add(absolute.href);
  }
  for (const [, url] of html.matchAll(/(?:import [^'"]*from |module_or_path: )'([^']+)'/g)) {
    urls.add(new URL(url, scope).href);
  }
  // The workers' loaders, which the page starts by these names.
  for (const [, url] of html.matchAll(/<meta name="(?:store|run)-worker" content="([^"]+)"/g)) {
    urls.add(new URL(url, scope).href);
  }
  return [...urls];
}

// The same-origin files a script names: its static imports, the modules it fetches
// with `new URL("./…", import.meta.url)`, as the split loader fetches each page's wasm,
// and what the worker's loader imports and instantiates.
function namedBy(script, url) {
  const urls = [];
  for (const [, path] of script.matchAll(/(?:from |new URL\(|importScripts\(|module_or_path: )"(\.\/[^"]+)"/g)) {
    const absolute = new URL(path, url);
    if (absolute.origin === scope.origin) urls.push(absolute.href);
  }
  return urls;
}

async function remember(html) {
  const cache = await caches.open(CACHE);
  const wanted = new Set(assetsOf(html));
  let next = [...wanted].filter((u) => u !== INDEX);
  while (next.length > 0) {
    const found = await Promise.all(next.map(async (u) => {
      let response = await cache.match(u);
      if (!response) {
        response = await fetch(u);
        if (!response.ok) return [];
        await cache.put(u, response.clone());
      }
      return new URL(u).pathname.endsWith('.js') ? namedBy(await response.text(), u) : [];
    }));
    next = [...new Set(found.flat())].filter((u) => !wanted.has(u));
    for (const u of next) wanted.add(u);
  }
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const response = await fetch(INDEX, { cache: 'no-cache' });
    const html = await response.clone().text();
    await (await caches.open(CACHE)).put(INDEX, response);
    await remember(html);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scope.origin || !url.href.startsWith(scope.href)) return;
  if (request.mode === 'navigate') {
    event.respondWith((async () => {
      try {
        const response = await fetch(request);
        if (response.ok) {
          // Caching is best effort: a full quota must not break loading the page.
          const copy = response.clone();
          event.waitUntil((async () => {
            const html = await copy.clone().text();
            await (await caches.open(CACHE)).put(INDEX, copy);
            await remember(html);
          })().catch(() => {}));
        }
        return response;
      } catch {
        const cached = await caches.match(INDEX);
        return cached ?? Response.error();
      }
    })());
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request);
    if (cached) return cached;
    const response = await fetch(request);
    if (response.ok && url.pathname !== new URL('sw.js', scope).pathname) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {}));
    }
    return response;
  })());
});
