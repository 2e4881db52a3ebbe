// A minimal static file server for the built app, bound to 127.0.0.1. Unknown paths
// without a file extension fall back to index.html so client-side routes survive a
// reload, as they do under `trunk serve`. An optional third argument serves the app under
// that sub-path only (as a static host would for `trunk build --public-url /sub/path/`).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const root = resolve(process.argv[2] || 'dist');
const port = Number(process.argv[3] || 4173);
const prefix = (process.argv[4] || '/').replace(/\/?$/, '/');
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon',
};

createServer(async (req, res) => {
  const full = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (!(full + '/').startsWith(prefix)) { res.writeHead(404).end('not found'); return; }
  const path = '/' + full.slice(prefix.length);
  let file = normalize(join(root, path));
  if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
  if (path.endsWith('/')) file = join(file, 'index.html');
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' }).end(body);
  } catch {
    if (extname(path)) { res.writeHead(404).end('not found'); return; }
    const body = await readFile(join(root, 'index.html'));
    res.writeHead(200, { 'content-type': types['.html'] }).end(body);
  }
}).listen(port, '127.0.0.1', () => console.log(`serving ${root} on http://127.0.0.1:${port}/`));
