// Journey: export the log as NDJSON (CloudEvents or PutEvents entries), then import it
// into a fresh browser profile; a file with a bad line names it and imports nothing.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { EventStorePage } from './pages/event-store.mjs';

async function exportAs(page, format) {
  await page.getByTestId('export-format').selectOption(format);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

test('the log exports as NDJSON and imports into a fresh profile; a bad line imports nothing', async ({ page, browser, baseURL }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'customer-1', type: 'CustomerRegistered', data: '{"name": "Ada"}' });
  await expect(store.status).toContainText('Appended');
  await store.publish({ stream: 'customer-1', type: 'AddressChanged', data: '{"postcode": "G2 3BB"}' });
  await expect(page.getByTestId('log-summary')).toHaveText('2 events in the store, newest first.');

  const cloud = await exportAs(page, 'cloudevents');
  expect(cloud.name).toBe('event-dojo-events.ndjson');
  const lines = cloud.text.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.type, l.streamid, l.streamversion, l.globalposition])).toEqual([
    ['CustomerRegistered', 'customer-1', 1, 1], ['AddressChanged', 'customer-1', 2, 2]]);
  await expect(page.getByTestId('transfer-notice')).toHaveText('Exported 2 events as CloudEvents to event-dojo-events.ndjson.');
  const put = await exportAs(page, 'put-events');
  const entry = JSON.parse(put.text.split('\n')[1]);
  expect(entry).toMatchObject({ Source: lines[1].source, DetailType: 'AddressChanged', Detail: '{"postcode":"G2 3BB"}', EventBusName: 'default' });

  // A fresh profile: nothing stored yet.
  const fresh = await browser.newContext({ baseURL });
  const other = await fresh.newPage();
  await new EventStorePage(other).open();
  await expect(other.getByTestId('log-empty')).toBeVisible();
  const [first, second] = cloud.text.trim().split('\n');
  const broken = `${first}\n${second.replace('"type":"AddressChanged",', '')}\n`;
  await other.getByTestId('import-file').setInputFiles({ name: 'broken.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(broken) });
  await expect(other.getByTestId('error-view')).toContainText('broken.ndjson: line 2, (event): An event needs `type` (at the event).');
  await expect(other.getByTestId('error-view')).toContainText('Nothing was imported.');
  await expect(other.getByTestId('log-empty')).toBeVisible();
  await other.getByTestId('import-file').setInputFiles({ name: 'put.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(put.text) });
  await expect(other.getByTestId('error-view')).toContainText('line 1, DetailType: this is an EventBridge PutEvents entry');
  await other.getByTestId('import-file').setInputFiles({ name: 'events.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(cloud.text) });
  await expect(other.getByTestId('transfer-notice')).toHaveText('Imported 2 events from events.ndjson at positions 1 to 2.');
  await expect(other.getByTestId('log-summary')).toHaveText('2 events in the store, newest first.');
  await expect(other.getByTestId('event-type').first()).toHaveText('AddressChanged');

  // Imports are idempotent: the same file again adds nothing and says so; a file that
  // mixes present and new events adds only the new ones.
  await other.getByTestId('import-file').setInputFiles({ name: 'events.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(cloud.text) });
  await expect(other.getByTestId('transfer-notice')).toHaveText(
    'Nothing was imported from events.ndjson: all 2 of its events are already in the log (the same source and id), so the log is unchanged.');
  const third = JSON.stringify({ ...lines[1], id: 'a-new-id', type: 'PolicyRenewed' });
  await other.getByTestId('import-file').setInputFiles({ name: 'mixed.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${cloud.text.trim()}\n${third}\n`) });
  await expect(other.getByTestId('transfer-notice')).toHaveText(
    'Imported 1 event from mixed.ndjson at positions 3 to 3. 2 events in it have the same source and id as events already in the log (or earlier in the file) and were not added again.');
  await expect(other.getByTestId('log-summary')).toHaveText('3 events in the store, newest first.');
  await expect(other.getByTestId('event-type').first()).toHaveText('PolicyRenewed');
  await fresh.close();
});

test('a large import shows its progress, and cancelling it imports nothing', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  const line = (i) => JSON.stringify({ id: `e${i}`, source: 'dojo.test', specversion: '1.0', type: 'QuoteIssued',
    data: { premium: i, note: 'x'.repeat(200) }, streamid: `quote-${i % 500}`, streamversion: 1, globalposition: i });
  const big = Array.from({ length: 40000 }, (_, i) => line(i + 1)).join('\n');
  await page.getByTestId('import-file').setInputFiles({ name: 'big.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(big) });
  await expect(page.getByTestId('transfer-progress')).toContainText('Checking big.ndjson');
  await page.getByTestId('transfer-cancel').click();
  await expect(page.getByTestId('error-view')).toContainText('Import of big.ndjson cancelled. Nothing was imported.');
  await expect(page.getByTestId('log-empty')).toBeVisible();
  await page.getByTestId('import-file').setInputFiles({ name: 'big.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(big) });
  await expect(page.getByTestId('transfer-notice')).toHaveText('Imported 40000 events from big.ndjson at positions 1 to 40000.', { timeout: 120_000 });
  await expect(page.getByTestId('log-summary')).toHaveText('40000 events in the store, newest first.');
  // An export of them can be cancelled too: no file is offered.
  let downloads = 0;
  page.on('download', () => { downloads += 1; });
  await page.getByTestId('export').click();
  await expect(page.getByTestId('transfer-progress')).toContainText('Exporting');
  await page.getByTestId('transfer-cancel').click();
  await expect(page.getByTestId('error-view')).toContainText('Export cancelled. No file was saved.');
  expect(downloads).toBe(0);
});

test('the log exports as PutEvents requests of at most ten entries', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await page.getByTestId('sample-load').click();
  await expect(page.getByTestId('log-summary')).toHaveText('1000 events in the store, newest first.', { timeout: 60_000 });
  await page.getByTestId('export-format').selectOption('put-events-batches');
  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('event-dojo-put-events-batches.ndjson');
  const { readFileSync } = await import('node:fs');
  const requests = readFileSync(await file.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(requests).toHaveLength(100);
  expect(requests.every((r) => Array.isArray(r) && r.length === 10)).toBe(true);
  expect(requests[0][0]).toMatchObject({ DetailType: 'CustomerRegistered', EventBusName: 'default' });
  await expect(page.getByTestId('transfer-notice')).toHaveText(
    'Exported 1000 events as PutEvents requests (100, up to 10 entries each) to event-dojo-put-events-batches.ndjson.');
});

test('one size limit: an event over 256 KiB is refused by hand with its size, and a file over 200 MiB is refused unread', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'big-1', type: 'Padded', data: JSON.stringify({ pad: 'x'.repeat(270 * 1024) }) });
  await expect(page.getByTestId('error-view')).toContainText(
    /event "[^"]+" is \d{6} bytes as a CloudEvents line, and an event may have at most 262,144 bytes \(256 KiB\)/);
  await expect(page.getByTestId('log-empty')).toBeVisible();
  // Just under the limit is stored.
  await store.publish({ stream: 'big-1', type: 'Padded', data: JSON.stringify({ pad: 'x'.repeat(250 * 1024) }) });
  await expect(store.status).toContainText('version 1 at position 1');
  // A file of 200 MiB and one byte, made in the page, is refused before it is read.
  await page.evaluate(() => {
    const input = document.querySelector('[data-testid="import-file"]');
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(200 * 1024 * 1024 + 1)], 'huge.ndjson'));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await expect(page.getByTestId('error-view')).toContainText('huge.ndjson is 209715201 bytes (200.0 MiB); an import takes at most 209715200 bytes (200 MiB). Nothing was imported.');
  await expect(page.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
  // Quotes cost 2 bytes in a CloudEvents line and 4 in a PutEvents entry's Detail: this
  // event is stored, but no PutEvents request can hold it, so the export leaves it out.
  await store.publish({ stream: 'big-2', type: 'Quoted', data: JSON.stringify({ q: '"'.repeat(120 * 1024) }) });
  await expect(store.status).toContainText('version 1 at position 2');
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('export-format').selectOption('put-events-batches').then(() => page.getByTestId('export').click())]);
  const requests = readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(requests).toHaveLength(1);
  expect(requests.every((r) => Buffer.byteLength(r) <= 262144)).toBe(true);
  await expect(page.getByTestId('transfer-notice')).toContainText(
    /Exported 1 event as PutEvents requests \(1, up to 10 entries each\) to event-dojo-put-events-batches\.ndjson\. Left out 1 event too large for EventBridge: [^ ]+ \(\d{6} bytes as a PutEvents request of its own/);
});
