// Trunk post-build hook: gives a release build's index.html a Content-Security-Policy
// that allows what Event Dojo needs and nothing else. Trunk's loader is an inline module
// script, so the policy names it by its SHA-256 hash rather than allowing inline scripts.
// Debug builds (`trunk serve`) get no policy: trunk injects its own reload script there.
//
// What the app needs:
//   script-src  its own module, the inline loader (by hash), and compiling its wasm;
//   style-src   its stylesheet, and the style attributes it sets (virtual list rows);
//   img-src     its favicon, and images in exercise packs (https);
//   connect-src its own files (the wasm), exercise packs fetched from https addresses,
//               and the classroom broker's WebSocket: any wss:// broker, a ws:// one on
//               this machine (127.0.0.1 or localhost, as the README's classroom broker),
//               and the one EVENT_DOJO_BROKER names at build time (for example
//               ws://192.168.1.20:8883 for an instructor's laptop on the room's LAN).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const file = join(process.env.TRUNK_STAGING_DIR, 'index.html');
const html = readFileSync(file, 'utf8');

const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map(([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
if (hashes.length === 0) {
  console.error('csp: no inline loader script found in index.html');
  process.exit(1);
}
const broker = process.env.EVENT_DOJO_BROKER ? ` ${process.env.EVENT_DOJO_BROKER}` : '';
const policy = [
  "default-src 'self'",
  `script-src 'self' ${hashes.join(' ')} 'wasm-unsafe-eval'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  `connect-src 'self' https: wss: ws://127.0.0.1:* ws://localhost:*${broker}`,
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
const charset = /<meta charset="utf-8"\s*\/?>/i;
if (!charset.test(html)) {
  console.error('csp: index.html has no <meta charset="utf-8"> to put the policy after');
  process.exit(1);
}
writeFileSync(file, html.replace(charset, (m) => `${m}\n    ${meta}`));
console.log(`csp: policy written with ${hashes.length} script hash(es)`);
