// Trunk post-build hook: cuts the app's wasm into the start page's main module and one
// lazily loaded module per page, so a first visit downloads only the shell and the start
// page. trunk cannot split wasm itself (trunk-rs/trunk#1022): the cut needs the linker's
// relocations, which only the module cargo wrote still has (`--emit-relocs`, set in
// .cargo/config.toml). So this hook redoes the last steps on cargo's output:
//
//   1. wasm-split-cli (crates.io: wasm_split_cli_support) cuts the module at the split
//      points that Leptos's `#[lazy]` left (one per page, src/app.rs): a main module, a
//      module per page, chunks of code that several pages share, and __wasm_split.js,
//      which fetches a page's modules the first time the page opens;
//   2. wasm-bindgen makes the main module's JS glue, as trunk did for the whole module;
//   3. in a release build, binaryen (the npm package trunk's wasm-opt comes from)
//      optimises every module for size, in this one process (the store worker's too);
//   4. every file gets a name with its content's hash (the service worker serves them
//      from its cache first), and trunk's files are replaced under trunk's own names,
//      with their integrity hashes in index.html brought up to date.
//
// The service worker finds the page modules through the scripts that name them, so an
// offline reload of any page works; scripts/size-report.mjs reads the same names for
// each page's added bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
const release = process.env.TRUNK_PROFILE === 'release';
if (!staging) {
  console.error('split: run me as a trunk post_build hook (TRUNK_STAGING_DIR is not set)');
  process.exit(2);
}
const targetDir = process.env.CARGO_TARGET_DIR ?? join(source, 'target');
const input = join(targetDir, 'wasm32-unknown-unknown', release ? 'release' : 'debug', 'event-dojo.wasm');

const glue = readdirSync(staging).find((f) => /^event-dojo-[0-9a-f]+\.js$/.test(f));
if (!glue) {
  console.error(`split: trunk left no event-dojo-<hash>.js in ${staging}`);
  process.exit(2);
}
const stem = glue.slice(0, -'.js'.length);
const work = mkdtempSync(join(tmpdir(), 'event-dojo-split-'));
// A wasm module without its `linking` and `reloc.*` custom sections (what
// `--emit-relocs` adds for wasm-split-cli).
function withoutRelocations(bytes) {
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = leb();
    const body = at;
    at = body + size;
    if (id === 0) {
      const nameAt = at;
      at = body;
      const nameLength = leb();
      const name = bytes.subarray(at, at + nameLength).toString('latin1');
      at = nameAt;
      if (name === 'linking' || name.startsWith('reloc.')) continue;
    }
    kept.push(bytes.subarray(start, at));
  }
  return Buffer.concat(kept);
}

const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });

try {
  const cut = join(work, 'cut');
  run('wasm-split-cli', [input, cut, '--out-name', stem, '--target', 'web']);
  const bound = join(work, 'bound');
  run('wasm-bindgen', ['--target', 'web', '--keep-lld-exports', '--no-demangle', '--no-typescript',
    ...(release ? [] : ['--keep-debug']), '--out-dir', bound, '--out-name', stem, join(cut, `${stem}.wasm`)]);

  const modules = new Map([[`${stem}_bg.wasm`, readFileSync(join(bound, `${stem}_bg.wasm`))]]);
  for (const f of readdirSync(cut).filter((f) => f.endsWith('.wasm') && f !== `${stem}.wasm`)) {
    modules.set(f, readFileSync(join(cut, f)));
  }
  // In a release build, binaryen (the npm package trunk's wasm-opt comes from) optimises
  // every module for size, in this one process.
  let optimise = (bytes) => bytes;
  if (release) {
    const { default: binaryen } = await import(join(source, 'node_modules/binaryen/index.js'));
    const F = binaryen.Features;
    // What the Rust toolchain's wasm32 target emits, and every browser Event Dojo supports.
    const features = F.MVP | F.MutableGlobals | F.NontrappingFPToInt | F.SignExt | F.BulkMemory
      | F.BulkMemoryOpt | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong;
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(2); // wasm-opt -Oz
    optimise = (bytes, keepExport = () => true) => {
      const module = binaryen.readBinary(bytes);
      module.setFeatures(features);
      const exports = [...Array(module.getNumExports()).keys()]
        .map((i) => binaryen.getExportInfo(module.getExportByIndex(i)).name);
      for (const name of exports.filter((n) => !keepExport(n))) module.removeExport(name);
      module.optimize();
      const out = Buffer.from(module.emitBinary());
      module.dispose();
      return out;
    };
  }
  for (const [name, bytes] of modules) modules.set(name, optimise(bytes));

  const hash = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
  const outputs = new Map();
  let link = readFileSync(join(cut, '__wasm_split.js'), 'utf8');
  for (const [name, bytes] of modules) {
    if (name === `${stem}_bg.wasm`) continue;
    const hashed = `${name.slice(0, -'.wasm'.length)}-${hash(bytes)}.wasm`;
    const literal = `"./${name}"`;
    if (!link.includes(literal)) throw new Error(`__wasm_split.js does not name ${name}`);
    link = link.replaceAll(literal, `"./${hashed}"`);
    outputs.set(hashed, bytes);
  }
  const linkName = `__wasm_split-${hash(link)}.js`;
  let main = readFileSync(join(bound, `${stem}.js`), 'utf8');
  // Only the import statements change: the wasm still names its import module
  // "./__wasm_split.js", and the glue's imports object must keep that key.
  if (!main.includes('from "./__wasm_split.js"')) throw new Error(`${stem}.js does not import __wasm_split.js`);
  main = main.replaceAll('from "./__wasm_split.js"', `from "./${linkName}"`);
  outputs.set(linkName, Buffer.from(link));
  outputs.set(glue, Buffer.from(main));
  outputs.set(`${stem}_bg.wasm`, modules.get(`${stem}_bg.wasm`));
  for (const [name, bytes] of outputs) writeFileSync(join(staging, name), bytes);

  // trunk's preload links carry integrity hashes of the files it wrote; the glue and the
  // main module changed, and the split loader is part of the first download, so it is
  // preloaded beside them.
  const indexFile = join(staging, 'index.html');
  let html = readFileSync(indexFile, 'utf8');
  for (const name of [glue, `${stem}_bg.wasm`]) {
    const link = new RegExp(`(href="[^"]*${name.replace(/[.]/g, '\\.')}"[^>]*integrity=")[^"]*"`);
    html = html.replace(link, `$1${sri(outputs.get(name))}"`);
  }
  const preload = html.match(/<link rel="modulepreload" href="([^"]*)event-dojo-[0-9a-f]+\.js"/);
  if (!preload) throw new Error('index.html has no modulepreload link for the glue');
  html = html.replace(preload[0],
    `<link rel="modulepreload" href="${preload[1]}${linkName}" crossorigin="anonymous" integrity="${sri(outputs.get(linkName))}">${preload[0]}`);

  // The workers (idb/src/bin: store_worker, for sample loads, imports and read-model
  // folds; run_worker, for the workshop's runs). trunk writes a worker under fixed
  // names, since a page names its worker's script at runtime; here each gets hashed
  // names like every other file (so the service worker may serve it from its cache
  // first), a loader that starts it, and a <meta name="store-worker"> (or "run-worker")
  // in index.html that tells the page, and the service worker, where that loader is. Its
  // wasm still carries the linker's relocations, which binaryen cannot read, so they go
  // first; of its exports only those its glue calls stay, so the optimiser drops
  // whatever nothing can reach.
  const workerBytes = [];
  for (const worker of ['store_worker', 'run_worker']) {
    const workerGlue = readFileSync(join(staging, `${worker}.js`));
    const workerWasm = optimise(withoutRelocations(readFileSync(join(staging, `${worker}_bg.wasm`))),
      (name) => workerGlue.includes(`wasm.${name}`));
    const workerGlueName = `${worker}-${hash(workerGlue)}.js`;
    const workerWasmName = `${worker}-${hash(workerWasm)}_bg.wasm`;
    const workerLoader = Buffer.from(
      `importScripts("./${workerGlueName}");wasm_bindgen({ module_or_path: "./${workerWasmName}" });\n`);
    const workerLoaderName = `${worker}-${hash(workerLoader)}_loader.js`;
    for (const f of [`${worker}.js`, `${worker}_bg.wasm`, `${worker}_loader.js`]) {
      rmSync(join(staging, f), { force: true });
    }
    writeFileSync(join(staging, workerGlueName), workerGlue);
    writeFileSync(join(staging, workerWasmName), workerWasm);
    writeFileSync(join(staging, workerLoaderName), workerLoader);
    if (!html.includes('</head>')) throw new Error('index.html has no </head> for the worker\'s meta');
    const meta = worker.replace('_', '-');
    html = html.replace('</head>', `  <meta name="${meta}" content="${workerLoaderName}" />\n  </head>`);
    workerBytes.push(`the ${meta.replace('-', ' ')} ${workerWasm.length} bytes`);
  }
  writeFileSync(indexFile, html);

  const pages = (link.match(/export const __wasm_split_load_/g) ?? []).length;
  const total = [...outputs].filter(([n]) => n.endsWith('.wasm')).reduce((s, [, b]) => s + b.length, 0);
  console.log(`split: ${stem}_bg.wasm ${outputs.get(`${stem}_bg.wasm`).length} bytes for the start page; `
    + `${pages} lazily loaded groups of pages in ${outputs.size - 3} more modules (${total} bytes of wasm in all); `
    + workerBytes.join(', '));
} finally {
  rmSync(work, { recursive: true, force: true });
}
