// Time to a usable page on a slow network: serves dist/ gzip-compressed on 127.0.0.1 (as
// a static host would), then opens the start page and the learn map in headless Chromium
// with DevTools' "Fast 3G" network emulation (1.44 Mbit/s down, 675 kbit/s up, 562.5 ms
// round trip) and a 4x CPU slowdown, through the Chrome DevTools Protocol. For each page
// it reports, over RUNS runs (default 3), the median and range of the time from
// navigation until the page accepts input:
//   cold: a fresh browser profile (no HTTP cache, no service worker);
//   warm: a second visit in the same profile, once the service worker controls the page.
// Usage, after `trunk build --release`:  node scripts/slow-network.mjs [RUNS] [DIST_DIR]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';

const runs = Number(process.argv[2] || 3);
const dist = process.argv[3] || 'dist';
const port = 4194;
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 };
const CPU_SLOWDOWN = 4;

// What "accepts input" means on each page: its main control is on screen and live.
const PAGES = [
  {
    name: 'start page',
    slug: 'start',
    path: '/',
    ready: async (page) => {
      await page.getByTestId('start-exercise').waitFor({ state: 'visible', timeout: 120_000 });
      await page.locator('#boot').waitFor({ state: 'detached', timeout: 120_000 });
    },
  },
  {
    name: 'learn map',
    slug: 'learn',
    path: '/learn',
    ready: async (page) => {
      await page.getByTestId('learn-summary').waitFor({ state: 'visible', timeout: 120_000 });
      await page.waitForFunction(() => {
        const map = document.querySelector('.learn-map');
        return map && !map.hasAttribute('inert');
      }, null, { timeout: 120_000 });
    },
  },
];

async function timed(context, url, ready) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  await ready(page);
  const ms = await page.evaluate(() => performance.now());
  return { page, ms, bytes };
}

const server = spawn('node', ['e2e/serve.mjs', dist, String(port)], {
  stdio: 'ignore',
  env: { ...process.env, GZIP: '1' },
});
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
try {
  for (const target of PAGES) {
    const cold = [];
    const warm = [];
    let coldBytes = 0;
    let warmBytes = 0;
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const url = `http://127.0.0.1:${port}${target.path}`;
      const first = await timed(context, url, target.ready);
      cold.push(first.ms);
      coldBytes = first.bytes;
      // The service worker installs on the first visit; the second is served from it.
      await first.page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      await first.page.close();
      const second = await timed(context, url, target.ready);
      if (!(await second.page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) {
        throw new Error(`${target.name}: the second visit was not served by the service worker`);
      }
      warm.push(second.ms);
      warmBytes = second.bytes;
      await context.close();
    }
    for (const [kind, times, bytes] of [['cold', cold, coldBytes], ['warm', warm, warmBytes]]) {
      const line = {
        bench: `app/usable/fast-3g-cpu-4x/${target.slug}/${kind}`,
        value: Math.round(median(times)), unit: 'ms',
        min: Math.round(Math.min(...times)), max: Math.round(Math.max(...times)),
        runs, network_bytes: bytes,
      };
      results.push(line);
      console.error(`${target.name}, ${kind}: median ${line.value} ms (${line.min}–${line.max} ms over ${runs} runs), ${bytes} bytes over the network`);
    }
  }
} finally {
  await browser.close();
  server.kill();
}
for (const line of results) console.log(JSON.stringify(line));
