// What a first visit downloads, from the release build in dist/: index.html, every file
// it names (the wasm, its JS glue, the stylesheet, the icon, the manifest) and the
// service worker it registers, raw and gzipped (level 9, as a static host compresses
// them), and what each other page adds.
// Fails when the start page's wasm, gzipped, exceeds the budget in wasm-budget.txt.
//
//   node scripts/size-report.mjs [DIST]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const root = new URL('..', import.meta.url).pathname;
const budgetText = readFileSync(join(root, 'wasm-budget.txt'), 'utf8');
const budgetLine = budgetText.split('\n').find((l) => l.trim() && !l.trim().startsWith('#'));
const budget = Number(budgetLine?.trim());
if (!Number.isInteger(budget) || budget <= 0) {
  console.error(`wasm-budget.txt: expected one whole number of bytes, found ${JSON.stringify(budgetLine)}`);
  process.exit(2);
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const named = new Set();
for (const m of html.matchAll(/(?:href|src|module_or_path:)\s*=?\s*["']\/?([^"'?#]+\.(?:wasm|js|css|svg|webmanifest))["']/g)) {
  named.add(m[1].replace(/^.*\//, ''));
}
const sizes = (file) => {
  const bytes = readFileSync(join(dist, file));
  return { file, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
};
if (existsSync(join(dist, 'sw.js'))) named.add('sw.js');
const files = [sizes('index.html'), ...[...named].sort().map(sizes)];
const total = files.reduce((s, f) => ({ raw: s.raw + f.raw, gz: s.gz + f.gz }), { raw: 0, gz: 0 });
const wasm = files.find((f) => f.file.endsWith('.wasm'));
if (!wasm) {
  console.error(`${dist}/index.html names no .wasm file`);
  process.exit(2);
}
const fmt = (n) => n.toLocaleString('en-US');
console.log(`first download (start page): ${fmt(total.gz)} bytes gzipped, ${fmt(total.raw)} raw`);
for (const f of files) console.log(`  ${f.file}: ${fmt(f.gz)} gzipped (${fmt(f.raw)} raw)`);

// Pages are listed from the router, so that a split shows up here as soon as it happens.
const app = readFileSync(join(root, 'src', 'app.rs'), 'utf8');
const routes = [...app.matchAll(/<Route path=path!\("([^"]+)"\)/g)].map((m) => m[1]);
const chunks = readdirSync(dist).filter((f) => f.endsWith('.wasm') && f !== wasm.file);
if (chunks.length === 0) {
  console.log(`each other page (${routes.filter((r) => r !== '/').join(', ')}) adds 0 bytes: every page is in the one module the start page fetched`);
} else {
  for (const c of chunks.map(sizes)) console.log(`  chunk ${c.file}: ${fmt(c.gz)} gzipped (${fmt(c.raw)} raw), fetched by the page that needs it`);
}
const verdict = `start page wasm: ${fmt(wasm.gz)} bytes gzipped; budget ${fmt(budget)} (wasm-budget.txt)`;
if (wasm.gz > budget) {
  console.error(`OVER BUDGET: ${verdict}`);
  process.exit(1);
}
console.log(`within budget: ${verdict}`);
