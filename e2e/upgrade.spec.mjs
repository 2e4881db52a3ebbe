// Schema upgrades across tabs: an upgrade blocked by another tab's older connection says
// so and finishes when that tab lets go; a tab asked to let go for an upgrade closes its
// connection and says to reload.
import { test, expect } from '@playwright/test';

// The service worker fetches pages itself, past `page.route`, so with it a "bare" page
// would run the app after all: these tests are about IndexedDB, and it stays out.
test.use({ serviceWorkers: 'block' });

// A page of the app's origin that does not run the app.
const BARE = '/index.html?bare';

async function bare(context) {
  const page = await context.newPage();
  await page.route('**/index.html?bare', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bare</title>' }));
  await page.goto(BARE);
  return page;
}

// An older build's database: the version 1 layout, holding `events` events of two
// streams one record each, left open (as `window.oldDb`) when `keepOpen`.
async function version1(page, { events = 0, keepOpen = false } = {}) {
  await page.evaluate(({ events, keepOpen }) => new Promise((resolve, reject) => {
    const open = indexedDB.open('event-dojo', 1);
    open.onupgradeneeded = () => {
      const store = open.result.createObjectStore('events', { keyPath: 'globalposition' });
      store.createIndex('stream_version', ['streamid', 'streamversion'], { unique: true });
      open.result.createObjectStore('streams');
      open.result.createObjectStore('meta');
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['events', 'streams', 'meta'], 'readwrite');
      const versions = {};
      for (let p = 1; p <= events; p++) {
        const stream = p % 2 ? 'customer-old' : 'quote-old';
        const v = (versions[stream] = (versions[stream] ?? 0) + 1);
        const envelope = JSON.stringify({ specversion: '1.0', id: `old-${p}`, source: 'dojo.v1', type: 'OldThing', subject: stream,
          time: '2026-01-01T00:00:00Z', datacontenttype: 'application/json', data: { n: p }, streamid: stream, streamversion: v, globalposition: p });
        tx.objectStore('events').put({ globalposition: p, streamid: stream, streamversion: v, envelope });
      }
      for (const [s, v] of Object.entries(versions)) tx.objectStore('streams').put(v, s);
      if (events) tx.objectStore('meta').put(events, 'head');
      tx.oncomplete = () => {
        if (keepOpen) window.oldDb = db; else db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  }), { events, keepOpen });
}

test('an upgrade blocked by an older tab waits with a clear message, then finishes', async ({ context }) => {
  const old = await bare(context);
  // An older build's tab: the version 1 layout, kept open.
  await version1(old, { keepOpen: true });
  const app = await context.newPage();
  await app.goto('/store');
  await expect(app.getByTestId('error-view')).toContainText('Waiting for another Event Dojo tab');
  await expect(app.getByTestId('error-view')).toContainText('Close or reload the other Event Dojo tabs');
  await old.evaluate(() => window.oldDb.close());
  await expect(app.getByTestId('log-empty')).toBeVisible();
});

// The app on its event store page, open and idle.
async function appOnStore(context) {
  const app = await context.newPage();
  await app.goto('/store');
  await expect(app.getByTestId('log-empty')).toBeVisible();
  return app;
}

// A newer build's tab opening the database at a higher version; when `announce`, it asks
// the other tabs (over the app's channel) to let go once its upgrade is blocked. Resolves
// to 'opened', or to 'opened after being blocked' when it had to wait.
async function openNewer(context, { announce }) {
  const newer = await bare(context);
  return newer.evaluate((announce) => new Promise((resolve) => {
    const open = indexedDB.open('event-dojo', 99);
    let blocked = false;
    open.onblocked = () => {
      blocked = true;
      if (announce) new BroadcastChannel('event-dojo.store').postMessage('upgrade');
    };
    open.onsuccess = () => { open.result.close(); resolve(blocked ? 'opened after being blocked' : 'opened'); };
    open.onerror = () => resolve(`failed: ${open.error}`);
  }), announce);
}

test('a tab asked to let go for an upgrade closes its connection and says to reload', async ({ context }) => {
  const app = await appOnStore(context);
  expect(await openNewer(context, { announce: true })).toMatch(/^opened/);
  await expect(app.getByTestId('error-view')).toContainText('Event Dojo was updated in another tab');
  await expect(app.getByTestId('error-view')).toContainText('Reload this tab to carry on');
});

test('a newer tab\'s upgrade does not wait for a message: this tab lets go on the versionchange event alone', async ({ context }) => {
  const app = await appOnStore(context);
  // No message on the channel: only the database's own versionchange event, and the
  // newer tab is never even blocked.
  expect(await openNewer(context, { announce: false })).toBe('opened');
  await expect(app.getByTestId('error-view')).toContainText('Event Dojo was updated in another tab');
  // Nothing can be written any more, so nothing offers to: the write buttons are off,
  // and no second, read-only banner offers a retry that cannot succeed.
  await expect(app.getByTestId('sample-load')).toBeDisabled();
  await expect(app.getByTestId('publish-submit')).toBeDisabled();
  await expect(app.getByTestId('read-only')).toHaveCount(0);
});

test('events an older build stored one per record are moved into chunks when the app opens', async ({ context }) => {
  const old = await bare(context);
  await version1(old, { events: 250 });
  const app = await context.newPage();
  await app.goto('/store');
  await expect(app.getByTestId('log-summary')).toHaveText('250 events in the store, newest first.');
  await expect(app.locator('[data-testid="event-row"][data-position="250"]')).toContainText('quote-old · v125');
  await app.goto('/event/1');
  await expect(app.getByText('"id": "old-1"')).toBeVisible();
  // The stream carries on at the version after the old ones.
  await app.goto('/store');
  await app.getByTestId('publish-stream').fill('quote-old');
  await app.getByTestId('publish-type').fill('NewThing');
  await app.getByTestId('publish-expected').fill('125');
  await app.getByTestId('publish-submit').click();
  await expect(app.getByTestId('publish-status')).toHaveText('Appended to quote-old as version 126 at position 251.');
  // The old stores were emptied in the same transaction that filled the chunks.
  const left = await app.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('event-dojo');
    open.onsuccess = () => {
      const count = open.result.transaction('events').objectStore('events').count();
      count.onsuccess = () => { open.result.close(); resolve(count.result); };
    };
  }));
  expect(left).toBe(0);
});
