// Killing the browser in the middle of writing. Chromium is started on a profile of its
// own, killed with SIGKILL (no chance to tidy up) while the app writes, and started again
// on the same profile: every event the app had committed is there, and no batch is there
// in part. An import is one transaction (all of it or none); a sample load and the
// write-behind queue commit batches, so what survives is whole batches, in order: the
// front of the history, with no gap.
import { test, expect, chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config from '../playwright.config.mjs';
import { WorkshopPage } from './pages/workshop.mjs';
import { inspectStore } from './stored.mjs';

const launch = (profile) => chromium.launchPersistentContext(profile, { ...config.use.launchOptions, baseURL: config.use.baseURL });

/** SIGKILL for every process of the browser running on `profile` (its path is in each command line). */
function killBrowser(profile) {
  try {
    execFileSync('pkill', ['-KILL', '-f', profile]);
  } catch {
    // pkill exits 1 when nothing matched: the browser was already gone.
  }
}

/** The browser on `profile`, on the event store page. */
async function openStore(profile) {
  const context = await launch(profile);
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto('/store');
  return { context, page };
}

/** Kills the browser, and opens it again on the same profile. */
async function killAndReopen(context, profile) {
  killBrowser(profile);
  await context.close().catch(() => {});
  return openStore(profile);
}

let profile;
test.beforeEach(() => { profile = mkdtempSync(join(tmpdir(), 'dojo-crash-')); });
test.afterEach(() => { killBrowser(profile); rmSync(profile, { recursive: true, force: true }); });

test('killing the browser during a large import leaves all of it or none of it', async () => {
  test.setTimeout(180_000);
  let { context, page } = await openStore(profile);
  // One event committed before the import.
  await page.getByTestId('publish-stream').fill('customer-1');
  await page.getByTestId('publish-type').fill('CustomerRegistered');
  await page.getByTestId('publish-submit').click();
  await expect(page.getByTestId('publish-status')).toContainText('position 1.');
  const line = (i) => JSON.stringify({ id: `big-${i}`, source: 'dojo.crash', specversion: '1.0', type: 'QuoteIssued',
    data: { premium: i, note: 'x'.repeat(200) }, streamid: `quote-${i % 500}`, streamversion: 1, globalposition: i });
  const big = Array.from({ length: 40000 }, (_, i) => line(i + 1)).join('\n');
  await page.getByTestId('import-file').setInputFiles({ name: 'big.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(big) });
  await expect(page.getByTestId('transfer-progress')).toContainText('big.ndjson');
  // Past checking, into writing, when the browser can manage it: then it is killed.
  await page.waitForTimeout(1500);
  const finished = await page.getByTestId('transfer-notice').count();
  ({ context, page } = await killAndReopen(context, profile));
  const after = await inspectStore(page);
  const imported = after.ids.filter((id) => id.startsWith('big-')).length;
  console.log(`killed ${finished ? 'after' : 'during'} the import: ${imported} of its 40000 events were committed`);
  expect([0, 40000]).toContain(imported);
  if (finished) expect(imported).toBe(40000);
  expect(after).toMatchObject({ count: 1 + imported, head: 1 + imported, identities: 1 + imported, gapless: true, streamsGapless: true });
  expect(after.ids[0]).not.toMatch(/^big-/);
  await expect(page.getByTestId('log-summary')).toHaveText(`${1 + imported} event${imported ? 's' : ''} in the store, newest first.`);
  // The store takes the same file again: what is there is recognised, the rest added.
  await page.getByTestId('import-file').setInputFiles({ name: 'big.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(big) });
  await expect(page.getByTestId('transfer-notice')).toContainText(imported ? 'Nothing was imported from big.ndjson' : 'Imported 40000 events from big.ndjson', { timeout: 120_000 });
  await expect(page.getByTestId('log-summary')).toHaveText('40001 events in the store, newest first.');
  await context.close();
});

test('killing the browser during a sample load keeps every committed batch and no part of one', async () => {
  test.setTimeout(180_000);
  const BATCH = 2000;
  let { context, page } = await openStore(profile);
  await page.getByTestId('sample-size').selectOption('100000');
  await page.getByTestId('sample-load').click();
  // Wait until a few batches are committed, and note how many the page had reported.
  await expect.poll(async () => {
    const text = await page.getByTestId('sample-progress').textContent().catch(() => '0 of');
    return Number(text.split(' of ')[0]);
  }, { timeout: 60_000 }).toBeGreaterThanOrEqual(3 * BATCH);
  const reported = Number((await page.getByTestId('sample-progress').textContent()).split(' of ')[0]);
  ({ context, page } = await killAndReopen(context, profile));
  const after = await inspectStore(page);
  console.log(`killed during a sample load: the page had reported ${reported} events; ${after.count} were committed`);
  // Every batch the page reported as written is there; whole batches only.
  expect(after.count).toBeGreaterThanOrEqual(reported);
  expect(after.count % BATCH).toBe(0);
  expect(after.count).toBeLessThan(100000);
  expect(after).toMatchObject({ head: after.count, identities: after.count, gapless: true, streamsGapless: true });
  await expect(page.getByTestId('log-summary')).toHaveText(`${after.count} events in the store, newest first.`);
  // Writing carries on where it stopped.
  await page.getByTestId('publish-stream').fill('customer-after-crash');
  await page.getByTestId('publish-type').fill('CustomerRegistered');
  await page.getByTestId('publish-submit').click();
  await expect(page.getByTestId('publish-status')).toContainText(`position ${after.count + 1}.`);
  await context.close();
});

test('killing the browser while the write-behind queue saves a run keeps a gapless front of the run', async () => {
  test.setTimeout(180_000);
  let { context, page } = await openStore(profile);
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('callback-hotspot', 'notification');
  // A slow machine: the save spans many frames, so the kill lands in the middle of it.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 40 });
  await page.getByTestId('save-run').click();
  const progress = page.getByTestId('save-progress');
  await expect(progress).toHaveText(/^[1-9]\d* of \d+$/, { timeout: 60_000 });
  const [reported, total] = (await progress.textContent()).split(' of ').map(Number);
  ({ context, page } = await killAndReopen(context, profile));
  const after = await inspectStore(page);
  // The run's events are named run-<run>-<position in the run>, in the order they were queued.
  const saved = after.ids.map((id) => Number(id.split('-').at(-1)));
  console.log(`killed while saving a run: the page had reported ${reported} of ${total}; ${after.count} were committed`);
  expect(after.count).toBeGreaterThanOrEqual(reported);
  expect(after.count).toBeLessThanOrEqual(total);
  expect(saved).toEqual(Array.from({ length: after.count }, (_, i) => i + 1));
  expect(after).toMatchObject({ head: after.count, identities: after.count, gapless: true, streamsGapless: true });
  await context.close();
});
