// A minimal static file server for the built app, bound to 127.0.0.1. Unknown paths
// without a file extension fall back to index.html so client-side routes survive a
// reload, as they do under `trunk serve`. An optional third argument serves the app under
// that sub-path only (as a static host would for `trunk build --public-url /sub/path/`).
// With GZIP=1 in the environment it compresses what it sends, as a static host does, to
// browsers that accept gzip (scripts/slow-network.mjs measures over that).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(process.argv[2] || 'dist');
const port = Number(process.argv[3] || 4173);
const prefix = (process.argv[4] || '/').replace(/\/?$/, '/');
const gzip = process.env.GZIP === '1';
// Compressed once per file, so the clock a client sees is the network's, not zlib's.
const compressed = new Map();
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon',
};

function packed(file, body) {
  if (!compressed.has(file)) compressed.set(file, gzipSync(body, { level: 9 }));
  return compressed.get(file);
}

createServer(async (req, res) => {
  const full = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (!(full + '/').startsWith(prefix)) { res.writeHead(404).end('not found'); return; }
  const path = '/' + full.slice(prefix.length);
  let file = normalize(join(root, path));
  if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
  if (path.endsWith('/')) file = join(file, 'index.html');
  try {
    const body = await readFile(file);
    const headers = { 'content-type': types[extname(file)] || 'application/octet-stream' };
    if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' }).end(packed(file, body));
      return;
    }
    res.writeHead(200, headers).end(body);
  } catch {
    if (extname(path)) { res.writeHead(404).end('not found'); return; }
    const body = await readFile(join(root, 'index.html'));
    res.writeHead(200, { 'content-type': types['.html'] }).end(body);
  }
}).listen(port, '127.0.0.1', () => console.log(`serving ${root} on http://127.0.0.1:${port}/`));
