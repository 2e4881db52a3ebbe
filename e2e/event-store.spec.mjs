// Journey: a learner publishes events, sees them in the log, reloads, and still sees them.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';
import { EventStorePage } from './pages/event-store.mjs';
import { tabUntil } from './keys.mjs';

test('published events are listed newest first and survive a reload', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await expect(page.getByTestId('log-empty')).toBeVisible();

  await store.publish({ stream: 'customer-1', type: 'CustomerRegistered', data: '{"name":"Ada"}' });
  await expect(store.status).toContainText('version 1 at position 1');
  await store.publish({ stream: 'customer-1', type: 'AddressChanged', data: '{"postcode":"EH1 1AA"}', expected: '1' });
  await expect(store.status).toContainText('version 2 at position 2');
  await expect(store.rows).toHaveCount(2);
  expect(await store.eventTypes()).toEqual(['AddressChanged', 'CustomerRegistered']);

  await page.reload();
  await expect(store.rows).toHaveCount(2);
  expect(await store.eventTypes()).toEqual(['AddressChanged', 'CustomerRegistered']);
  await expect(page.getByTestId('log-summary')).toHaveText('2 events in the store, newest first.');
});

test('malformed JSON gets an inline error and appends nothing', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'customer-2', type: 'CustomerRegistered', data: '{"name": Ada}' });
  await expect(store.dataError).toContainText('is not valid JSON: `Ada` at line 1, column 10 is not a JSON value: text needs double quotes');
  // A bad literal is named on its own line, not the next.
  await store.publish({ stream: 'customer-2', type: 'CustomerRegistered', data: '{\n  "a": 1,\n  "ok": tru\n}' });
  await expect(store.dataError).toContainText('is not valid JSON: `tru` at line 3, column 9 is not a JSON value');
  await expect(store.data).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('log-empty')).toBeVisible();
  await expect(store.rows).toHaveCount(0);

  await store.publish({ stream: '', type: 'CustomerRegistered', data: '{}' });
  await expect(page.getByTestId('publish-stream-error')).toContainText('is required');
  await page.reload();
  await expect(page.getByTestId('log-empty')).toBeVisible();
});

test('a stale expected version is refused with both versions named', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'quote-9', type: 'QuoteRequested', data: '{}' });
  await expect(store.rows).toHaveCount(1);
  await store.publish({ stream: 'quote-9', type: 'QuoteIssued', data: '{}', expected: '0' });
  await expect(page.getByTestId('error-view')).toContainText(
    'stream "quote-9" was expected at version 0 but is at version 1');
  await expect(store.rows).toHaveCount(1);
});

test('an event has its own page with the full CloudEvents envelope', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'customer-3', type: 'CustomerRegistered', data: '{"name":"Grace"}' });
  await page.getByRole('link', { name: 'CustomerRegistered' }).click();
  await expect(page).toHaveURL(/\/event\/1$/);
  const json = JSON.parse(await page.getByTestId('envelope-json').textContent());
  expect(json).toMatchObject({ specversion: '1.0', type: 'CustomerRegistered', streamid: 'customer-3',
    streamversion: 1, globalposition: 1, data: { name: 'Grace' } });
  await page.reload();
  await expect(page.getByTestId('envelope-json')).toContainText('"Grace"');
});

test('the event store page has no axe violations, empty and with events', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  expect(await axeViolations(page)).toEqual([]);
  await store.publish({ stream: 'customer-4', type: 'CustomerRegistered', data: '{"name":"Lin"}' });
  await store.publish({ stream: 'customer-4', type: 'Nope', data: 'nope' });
  await expect(store.dataError).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});

test('keyboard alone can publish an event', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  // From the top of the page: the skip link, then into the form, with keys only.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(store.stream).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('kb-1');
  await page.keyboard.press('Tab');
  await expect(store.type).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('KeyboardUsed');
  await tabUntil(page, store.submit);
  await page.keyboard.press('Enter');
  await expect(store.rows).toHaveCount(1);
  await expect(store.rows.first()).toContainText('KeyboardUsed');
});

// Samples what the learner sees on every frame: the summary above the log and the rows
// under it, taken together. `seen()` stops and returns the samples.
async function watchSummaryAndRows(page) {
  await page.evaluate(() => {
    window.__frames = [];
    window.__watching = true;
    const sample = () => {
      const summary = document.querySelector('[data-testid="log-summary"]')?.textContent ?? '';
      const rows = [...document.querySelectorAll('[data-testid="event-row"]')];
      window.__frames.push({ summary, types: rows.map((r) => r.querySelector('[data-testid="event-type"]')?.textContent) });
      if (window.__watching) requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  return () => page.evaluate(() => { window.__watching = false; return window.__frames; });
}

test('filters narrow the log by stream, type and text', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'customer-1', type: 'CustomerRegistered', data: '{"name":"Ada"}' });
  await expect(store.status).toContainText('position 1');
  await store.publish({ stream: 'customer-2', type: 'CustomerRegistered', data: '{"name":"Grace"}' });
  await expect(store.status).toContainText('position 2');
  await store.publish({ stream: 'customer-1', type: 'AddressChanged', data: '{"postcode":"G2 3BB"}' });
  await expect(store.status).toContainText('position 3');
  await expect(page.getByTestId('log-summary')).toHaveText('3 events in the store, newest first.');
  const seen = await watchSummaryAndRows(page);
  await page.getByTestId('filter-stream').fill('customer-1');
  await page.getByTestId('filter-apply').click();
  await expect(page.getByTestId('log-summary')).toHaveText('2 of 3 events match, newest first.');
  expect(await store.eventTypes()).toEqual(['AddressChanged', 'CustomerRegistered']);
  await page.getByTestId('filter-stream').fill('');
  await page.getByTestId('filter-text').fill('grace');
  await page.getByTestId('filter-apply').click();
  await expect(page.getByTestId('log-summary')).toHaveText('1 of 3 events match, newest first.');
  await page.getByTestId('filter-clear').click();
  await expect(page.getByTestId('log-summary')).toHaveText('3 events in the store, newest first.');
  // On no frame did the summary count other rows than the list showed.
  const frames = await seen();
  expect(frames.length).toBeGreaterThan(3);
  for (const { summary, types } of frames) {
    const count = Number(/^(\d+)/.exec(summary)?.[1]);
    expect(types.length, `"${summary}" above ${JSON.stringify(types)}`).toBe(count);
  }
});

test('a large log loads in batches, scrolls and seeks', async ({ page }) => {
  test.setTimeout(300_000);
  const store = new EventStorePage(page);
  await store.open();
  await page.getByTestId('sample-size').selectOption('100000');
  const started = Date.now();
  await page.getByTestId('sample-load').click();
  await expect(page.getByTestId('sample-progress')).toBeVisible();
  await expect(page.getByTestId('log-summary')).toHaveText('100000 events in the store, newest first.', { timeout: 280_000 });
  console.log(`loaded 100,000 events in ${Date.now() - started} ms`);
  // Only the rows in view are in the DOM.
  expect(await store.rows.count()).toBeLessThan(40);
  await expect(store.rows.first()).toHaveAttribute('data-position', '100000');
  // Scroll to the very end: the oldest events.
  await page.getByTestId('log-viewport').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.locator('[data-testid="event-row"][data-position="1"]')).toBeVisible();
  // Seek to the middle.
  await page.getByTestId('log-viewport').evaluate((el) => { el.scrollTop = 50000 * 52; });
  await expect(page.locator('[data-testid="event-row"][data-position="50000"]')).toBeVisible();
  const seen = await watchSummaryAndRows(page);
  await page.getByTestId('filter-type').fill('PolicyCancelled');
  await page.getByTestId('filter-apply').click();
  await expect(page.getByTestId('log-summary')).toContainText('of 100000 events match', { timeout: 60_000 });
  // The summary is written from the rows it stands over: once it counts matches, every
  // row shown is one, on every frame.
  for (const { summary, types } of await seen()) {
    if (summary.includes('match')) expect([...new Set(types)], summary).toEqual(['PolicyCancelled']);
  }
  expect([...new Set(await store.eventTypes())]).toEqual(['PolicyCancelled']);
  // The filtered list starts at the newest match, in view, whatever was scrolled before.
  const positions = await store.rows.evaluateAll((rows) => rows.map((r) => Number(r.dataset.position)));
  expect(positions.length).toBeGreaterThan(0);
  expect(await page.getByTestId('log-viewport').evaluate((el) => el.scrollTop)).toBe(0);
  await expect(store.rows.first()).toBeInViewport();
  expect(await store.eventTypes()).toEqual(positions.map(() => 'PolicyCancelled'));
  expect(positions).toEqual([...positions].sort((a, b) => b - a));
  // The newest match is the newest PolicyCancelled in the whole log.
  await page.getByTestId('filter-clear').click();
  await expect(store.rows.first()).toHaveAttribute('data-position', '100000');
  expect(positions[0]).toBeGreaterThan(50000);
});

test('a sample load runs in a worker: the page answers input meanwhile, and cancel keeps whole batches', async ({ page }) => {
  test.setTimeout(120_000);
  const store = new EventStorePage(page);
  await store.open();
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.getByTestId('sample-size').selectOption('1000000');
  await page.getByTestId('sample-load').click();
  await expect(page.getByTestId('sample-progress')).toHaveText(/^([2-9]|\d\d)\d{3} of 1000000$/, { timeout: 60_000 });
  // The page is not busy writing: the publish form works during the load.
  await store.stream.fill('customer-during-load');
  await store.submit.click();
  await expect(page.getByTestId('publish-status')).toContainText('Appended to customer-during-load as version 1');
  await page.getByTestId('sample-cancel').click();
  await expect(page.getByTestId('sample-progress')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('sample-load')).toBeEnabled();
  const summary = await page.getByTestId('log-summary').innerText();
  const count = Number(summary.match(/^(\d+) events/)[1]);
  // Whole batches of 2,000, plus the one event published by hand, and not all of it.
  expect(count % 2000, summary).toBe(1);
  expect(count).toBeLessThan(1000001);
  expect(workers.some((url) => /store_worker-[0-9a-f]+_loader\.js$/.test(url)), workers.join()).toBe(true);
});

test('an event page links its causation and correlation chain', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await page.getByTestId('sample-load').click();
  await expect(page.getByTestId('log-summary')).toHaveText('1000 events in the store, newest first.', { timeout: 60_000 });
  await page.goto('/event/2');
  await expect(page.getByTestId('chain-cause')).toHaveText('#1 CustomerRegistered');
  await expect(page.getByTestId('chain-related')).toContainText('#1 CustomerRegistered');
  await page.getByTestId('chain-cause').getByRole('link').click();
  await expect(page).toHaveURL(/\/event\/1$/);
  await expect(page.getByTestId('chain-cause')).toContainText('(a command or the start of a journey');
});

test.describe('without the service worker, which would serve the store worker from its cache', () => {
  test.use({ serviceWorkers: 'block' });

  test('a store worker that cannot load says so, and the next sample load works', async ({ page }) => {
    const blocked = /store_worker-[0-9a-f]+_loader\.js$/;
    await page.route(blocked, (route) => route.abort());
    await page.goto('/store');
    await page.getByTestId('sample-load').click();
    await expect(page.getByTestId('error-view').filter({ hasText: 'The sample history was not loaded' }))
      .toContainText('the store worker stopped: its script could not be loaded');
    await expect(page.getByTestId('sample-load')).toBeEnabled();
    await expect(page.getByTestId('log-empty')).toBeVisible();
    await page.unroute(blocked);
    await page.getByTestId('sample-load').click();
    await expect(page.getByTestId('log-summary')).toHaveText('1000 events in the store, newest first.', { timeout: 60_000 });
  });
});
