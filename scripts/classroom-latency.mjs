// Measures classroom mode with two headless Chromium browsers and the classroom broker
// on loopback (after `trunk build --release`): the time from a publish click in one
// browser to the event showing in the other, and how long 100 events that waited in the
// outbox take to go out once the broker is back. Prints measurements; asserts nothing.
//
//   node scripts/classroom-latency.mjs
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { freePort, startBroker, stop } from '../e2e/processes.mjs';

const appPort = await freePort();
const brokerPort = await freePort();
const dataDir = mkdtempSync(joinPath(tmpdir(), 'dojo-latency-'));
const server = spawn('node', ['e2e/serve.mjs', 'dist', String(appPort)], { stdio: 'ignore' });
let broker = await startBroker(brokerPort, dataDir);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
await new Promise(r => setTimeout(r, 800));
async function join(page, learner, store) {
  await page.goto(`http://127.0.0.1:${appPort}/classroom`);
  await page.getByTestId('room-broker').fill(`ws://127.0.0.1:${brokerPort}/`);
  await page.getByTestId('room-name').fill('m');
  await page.getByTestId('room-learner').fill(learner);
  await page.getByTestId('room-team').fill('red');
  if (store) await page.getByTestId('room-store-received').check();
  await page.getByTestId('room-join').click();
  await page.waitForSelector('[data-testid=room-status][data-state=connected]');
}
const a = await (await browser.newContext()).newPage();
const b = await (await browser.newContext()).newPage();
await join(b, 'bob', true); await join(a, 'alice', false);
await a.getByRole('link', { name: 'Event store' }).click();
const lat = [];
for (let i = 0; i < 30; i++) {
  await a.getByTestId('publish-stream').fill(`customer-${i}`);
  await a.getByTestId('publish-type').fill('CustomerRegistered');
  const t0 = Date.now();
  await a.getByTestId('publish-submit').click();
  await b.waitForFunction((n) => document.querySelectorAll('[data-testid=room-message]').length === n, i + 1, { polling: 'raf' });
  lat.push(Date.now() - t0);
}
lat.sort((x, y) => x - y);
console.log(`publish click -> shown in the other browser: median ${lat[15]} ms, p90 ${lat[27]} ms, max ${lat[29]} ms (30 events)`);
await stop(broker, 'SIGKILL');
await a.waitForSelector('[data-testid=room-status][data-state=waiting]');
for (let i = 0; i < 100; i++) {
  await a.getByTestId('publish-stream').fill(`quote-${i}`);
  await a.getByTestId('publish-type').fill('QuoteRequested');
  await a.getByTestId('publish-submit').click();
  await a.waitForFunction((n) => document.querySelector('[data-testid=publish-status]')?.textContent.includes(`quote-${n} `), i);
}
const t0 = Date.now();
broker = await startBroker(brokerPort, dataDir);
const up = Date.now() - t0;
await a.getByRole('link', { name: 'Classroom', exact: true }).click();
await a.getByTestId('room-retry').click().catch(() => {});
const t1 = Date.now();
await a.waitForFunction(() => document.querySelector('[data-testid=room-outbox]')?.textContent.includes('empty'), null, { timeout: 60000 });
const flushed = Date.now() - t1;
await b.waitForFunction(() => document.querySelectorAll('[data-testid=room-message]').length === 130, null, { timeout: 60000 });
const delivered = Date.now() - t1;
console.log(`broker restart took ${up} ms; 100 events in the outbox: empty ${flushed} ms after "Try now", all 130 in the other browser after ${delivered} ms`);
await b.getByRole('link', { name: 'Event store' }).click();
console.log(`the other browser's event store: ${await b.getByTestId('log-summary').textContent()}`);
await browser.close(); server.kill(); await stop(broker);
rmSync(dataDir, { recursive: true, force: true });
