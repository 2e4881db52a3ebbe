// Storage failures in a real browser: a full disk (Chromium's quota override), IndexedDB
// missing altogether, damaged records, and a transaction IndexedDB really aborts. Each
// gives a learner-facing message; the app keeps reading where it can, and loses nothing.
import { test, expect } from '@playwright/test';
import { EventStorePage } from './pages/event-store.mjs';
import { savedDocument } from './documents.mjs';

// The service worker's cache of the app (about 3 MB) counts against the same quota these
// tests shrink, so it stays out of them: they are about IndexedDB.
test.use({ serviceWorkers: 'block' });

// Changes the app's database from the page but outside the app, in one read-write
// transaction on `chunks` and `meta` (the page's Content-Security-Policy forbids
// evaluating strings, so each change is named here):
// - 'damage': replaces the event at `position` with broken JSON;
// - 'claim': stores a record far ahead that already claims version 2 of stream `s`.
async function tamper(page, change, position = 0) {
  await page.evaluate(([change, position]) => new Promise((resolve, reject) => {
    const open = indexedDB.open('event-dojo');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['chunks', 'meta'], 'readwrite');
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
      const chunks = tx.objectStore('chunks');
      if (change === 'damage') {
        // The chunk holding the position is the first whose last position is at or after it.
        const cursor = chunks.openCursor(IDBKeyRange.lowerBound(position));
        cursor.onsuccess = () => {
          const chunk = cursor.result.value;
          const lines = chunk.events.split('\n');
          lines[position - chunk.first] = '{"specversion": "1.0", "id":';
          chunk.events = lines.join('\n');
          chunks.put(chunk);
        };
      } else {
        chunks.put({ first: 1000, last: 1000, events: '{}', streams: [['s', 2]], slots: [0] });
      }
    };
  }), [change, position]);
}

async function loadSample(page, size) {
  await page.getByTestId('sample-size').selectOption(String(size));
  await page.getByTestId('sample-load').click();
}

test('a full disk makes the app read-only, keeps reading, keeps the learner\'s drafts, and recovers', async ({ page }) => {
  test.setTimeout(120_000);
  const store = new EventStorePage(page);
  await store.open();
  // The site gets 2 MB: room for 1,000 sample events (about 0.9 MB), not for 10,000.
  // (Chromium caches the space left once a site has written, so the quota is set first.)
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2_000_000 });
  await loadSample(page, 1000);
  await expect(page.getByTestId('log-summary')).toHaveText('1000 events in the store, newest first.', { timeout: 60_000 });

  await loadSample(page, 10000);
  await expect(page.getByTestId('error-view').filter({ hasText: 'The sample history was not loaded' }))
    .toContainText('storage for this site is full, so nothing was written', { timeout: 60_000 });
  const banner = page.getByTestId('read-only');
  await expect(banner).toContainText('Event Dojo is read-only for now');
  await expect(banner).toContainText('export the log as NDJSON');
  await expect(store.submit).toBeDisabled();
  await expect(page.getByTestId('sample-load')).toBeDisabled();
  await expect(page.getByTestId('import-file')).toBeDisabled();
  // Reading still works: the log lists what was stored, in whole batches of 2,000.
  const summary = await page.getByTestId('log-summary').innerText();
  const stored = Number(summary.match(/^(\d+) events/)[1]);
  expect(stored).toBeLessThan(11000);
  expect(stored % 2000).toBe(1000);
  // Moving around the app keeps it read-only (a reload starts writable, and goes
  // read-only again at the first write that does not fit).
  await page.getByRole('link', { name: 'Event console' }).click();
  await expect(page.getByTestId('read-only')).toBeVisible();
  await expect(page.getByTestId('command-submit')).toBeDisabled();
  await expect(page.getByTestId('rm-start')).toContainText(`folded ${stored} events`);

  // A sandbox draft typed while IndexedDB is full survives a reload (kept in localStorage).
  await page.getByRole('link', { name: 'Pattern sandbox' }).click();
  await page.getByTestId('sandbox-pattern').fill('{"source": ["kept.while.full"]}');
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => localStorage.getItem('event-dojo.sandbox'))).toContain('kept.while.full');
  await page.reload();
  await expect(page.getByTestId('sandbox-pattern')).toHaveValue('{"source": ["kept.while.full"]}');

  // Space is freed; the learner tries again and writing works, with no gap in positions.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await page.goto('/store');
  await expect(banner).toHaveCount(0); // a fresh page starts writable
  await store.publish({ stream: 'after-full', type: 'SpaceFreed', data: '{}' });
  await expect(store.status).toHaveText(`Appended to after-full as version 1 at position ${stored + 1}.`);
  // The next sandbox save lands in IndexedDB and the localStorage copy is dropped.
  await page.getByRole('link', { name: 'Pattern sandbox' }).click();
  await expect(page.getByTestId('sandbox-pattern')).toHaveValue('{"source": ["kept.while.full"]}');
  await page.getByTestId('sandbox-pattern').fill('{"source": ["saved.again"]}');
  await expect.poll(() => page.evaluate(() => localStorage.getItem('event-dojo.sandbox'))).toBeNull();
  expect(await savedDocument(page, 'event-dojo.sandbox')).toContain('saved.again');
});

test('the read-only banner clears when the learner tries writing again', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 1000 });
  await store.publish({ stream: 'big', type: 'TooBig', data: JSON.stringify({ blob: 'x'.repeat(150_000) }) });
  await expect(page.getByTestId('read-only')).toContainText('storage for this site is full');
  await expect(store.submit).toBeDisabled();
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await page.getByTestId('read-only-retry').click();
  await expect(page.getByTestId('read-only')).toHaveCount(0);
  await store.publish({ stream: 'big', type: 'TooBig', data: JSON.stringify({ blob: 'x'.repeat(150_000) }) });
  await expect(store.status).toHaveText('Appended to big as version 1 at position 1.');
});

test('without IndexedDB the app says why nothing can be read or saved', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
  });
  await page.goto('/');
  const error = page.getByTestId('error-view');
  await expect(error).toContainText('Could not open the event store');
  await expect(error).toContainText('will not let Event Dojo use IndexedDB here');
  await expect(error).toContainText('Open Event Dojo in an ordinary window');
});

test('a damaged record is named, read around, passed over by the read models and left out of exports', async ({ page }) => {
  test.setTimeout(120_000);
  const store = new EventStorePage(page);
  await store.open();
  await loadSample(page, 1000);
  await expect(page.getByTestId('log-summary')).toHaveText('1000 events in the store, newest first.', { timeout: 60_000 });
  await tamper(page, 'damage', 999);
  await page.reload();
  const damaged = page.getByTestId('damaged-row');
  await expect(damaged).toHaveAttribute('data-position', '999');
  await expect(damaged).toContainText('Damaged record');
  await expect(damaged).toHaveAttribute('title', /the stored event at position 999 is damaged and cannot be read/);
  await expect(page.locator('[data-testid="event-row"][data-position="1000"]')).toBeVisible();
  await expect(page.locator('[data-testid="event-row"][data-position="998"]')).toBeVisible();

  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const file = await (await download).path();
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(999);
  await expect(page.getByTestId('transfer-notice')).toContainText('Left out 1 damaged record that cannot be read (#999).');

  await page.goto('/event/999');
  await expect(page.getByTestId('error-view')).toContainText('position 999 is damaged');
  await page.goto('/console');
  await expect(page.getByTestId('rm-start')).toContainText('Passed over 1 damaged record that cannot be read (#999), so the models lack its effect.');
});

test('a transaction IndexedDB aborts writes nothing and says so', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 's', type: 'First', data: '{}' });
  await expect(store.status).toContainText('position 1.');
  // Behind the app's back, a record far ahead already claims version 2 of stream s.
  await tamper(page, 'claim');
  await store.publish({ stream: 's', type: 'Second', data: '{}' });
  await expect(page.getByTestId('error-view')).toContainText('the browser aborted the transaction, so nothing from it was written');
  // What to do about it is the app's advice, after the engine's message.
  await expect(page.getByTestId('error-view')).toContainText('Try again, and if it keeps failing, export the log');
  await expect(page.getByTestId('read-only')).toHaveCount(0);
  await expect(page.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
});
