// What a first visit downloads, from the release build in dist/: index.html, every file
// it names (the start page's wasm, its JS glue and split loader, the stylesheet, the
// icon, the manifest) and the service worker it registers, raw and gzipped (level 9, as
// a static host compresses them), what each other page adds, and the store worker.
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

// What each other page adds: the wasm modules its group's split loader fetches (its own
// module and the chunks it shares with other groups), read from the split loader that
// scripts/split.mjs wrote, and the routes of each group from the router.
const app = readFileSync(join(root, 'src', 'app.rs'), 'utf8');
const routesOf = new Map();
for (const [, path, variant] of app.matchAll(/<Route path=path!\("([^"]+)"\) view=lazily\(Page::(\w+)\)\/>/g)) {
  routesOf.set(variant, [...(routesOf.get(variant) ?? []), path]);
}
const groups = new Map();
for (const [, group, body] of app.matchAll(/^ {4}(\w+_pages) \{\n([\s\S]*?)\n {4}\}/gm)) {
  groups.set(group, [...body.matchAll(/(\w+) =>/g)].flatMap(([, variant]) => routesOf.get(variant) ?? []));
}
const loaderFile = [...named].find((f) => /^__wasm_split-[0-9a-f]+\.js$/.test(f));
if (!loaderFile || groups.size === 0) {
  console.error(`${dist}: no split loader among the files index.html names, or no lazily loaded group in src/app.rs`);
  process.exit(2);
}
const loader = readFileSync(join(dist, loaderFile), 'utf8');
const fetched = /makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"/.source;
const chunkFile = new Map([...loader.matchAll(new RegExp(`const (__chunk_\\d+) = ${fetched}`, 'g'))].map(([, v, f]) => [v, f]));
const shared = new Map();
const pages = [...loader.matchAll(new RegExp(`export const __wasm_split_load_(\\w+?)(?:_\\d+)? = wrapAsyncCb\\(${fetched}[\\s\\S]*?\\n, \\[([^\\]]*)\\]`, 'g'))]
  .map(([, group, own, deps]) => {
    const chunks = deps.split(',').map((d) => d.trim()).filter(Boolean).map((d) => chunkFile.get(d));
    for (const c of chunks) shared.set(c, (shared.get(c) ?? 0) + 1);
    return { group, files: [own, ...chunks] };
  });
if (pages.length !== groups.size) {
  console.error(`the split loader has ${pages.length} lazily loaded groups, src/app.rs names ${groups.size}`);
  process.exit(2);
}
console.log('each other page adds, the first time a page of its group opens:');
for (const { group, files: parts } of pages) {
  const s = parts.map(sizes).reduce((t, f) => ({ raw: t.raw + f.raw, gz: t.gz + f.gz }), { raw: 0, gz: 0 });
  const alsoLoaded = parts.filter((f) => (shared.get(f) ?? 0) > 1).length;
  console.log(`  ${(groups.get(group) ?? []).join(', ')}: ${fmt(s.gz)} bytes gzipped (${fmt(s.raw)} raw) in ${parts.length} wasm files, ${alsoLoaded} of them shared with other pages`);
}
// The workers: each one's loader, as index.html's meta names it, and the script and
// wasm the loader names.
for (const [meta, when] of [
  ['store-worker', "a sample load, an import or the console's read models start"],
  ['run-worker', 'the workshop runs a scenario'],
]) {
  const workerLoader = html.match(new RegExp(`<meta name="${meta}" content="([^"]+)"`))?.[1];
  if (!workerLoader) continue;
  const parts = [workerLoader, ...[...readFileSync(join(dist, workerLoader), 'utf8').matchAll(/"\.\/([^"]+)"/g)].map((m) => m[1])];
  const s = parts.map(sizes).reduce((t, f) => ({ raw: t.raw + f.raw, gz: t.gz + f.gz }), { raw: 0, gz: 0 });
  console.log(`the ${meta.replace('-', ' ')}, fetched when ${when}: ${fmt(s.gz)} bytes gzipped (${fmt(s.raw)} raw) in ${parts.length} files`);
}
const verdict = `start page wasm: ${fmt(wasm.gz)} bytes gzipped; budget ${fmt(budget)} (wasm-budget.txt)`;
if (wasm.gz > budget) {
  console.error(`OVER BUDGET: ${verdict}`);
  process.exit(1);
}
console.log(`within budget: ${verdict}`);
