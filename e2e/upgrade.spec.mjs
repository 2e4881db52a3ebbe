// Schema upgrades across tabs: an upgrade blocked by another tab's older connection says
// so and finishes when that tab lets go; a tab asked to let go for an upgrade closes its
// connection and says to reload.
import { test, expect } from '@playwright/test';

// A page of the app's origin that does not run the app.
const BARE = '/index.html?bare';

async function bare(context) {
  const page = await context.newPage();
  await page.route('**/index.html?bare', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bare</title>' }));
  await page.goto(BARE);
  return page;
}

test('an upgrade blocked by an older tab waits with a clear message, then finishes', async ({ context }) => {
  const old = await bare(context);
  // An older build's tab: the version 1 layout, kept open.
  await old.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('event-dojo', 1);
    open.onupgradeneeded = () => {
      const events = open.result.createObjectStore('events', { keyPath: 'globalposition' });
      events.createIndex('stream_version', ['streamid', 'streamversion'], { unique: true });
      open.result.createObjectStore('streams');
      open.result.createObjectStore('meta');
    };
    open.onsuccess = () => { window.oldDb = open.result; resolve(); };
    open.onerror = () => reject(open.error);
  }));
  const app = await context.newPage();
  await app.goto('/');
  await expect(app.getByTestId('error-view')).toContainText('Waiting for another Event Dojo tab');
  await expect(app.getByTestId('error-view')).toContainText('Close or reload the other Event Dojo tabs');
  await old.evaluate(() => window.oldDb.close());
  await expect(app.getByTestId('log-empty')).toBeVisible();
});

test('a tab asked to let go for an upgrade closes its connection and says to reload', async ({ context }) => {
  const app = await context.newPage();
  await app.goto('/');
  await expect(app.getByTestId('log-empty')).toBeVisible();
  const newer = await bare(context);
  // A newer build's tab: its upgrade is blocked, so it asks the others to let go.
  const result = await newer.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('event-dojo', 99);
    open.onblocked = () => new BroadcastChannel('event-dojo.store').postMessage('upgrade');
    open.onsuccess = () => { open.result.close(); resolve('opened'); };
    open.onerror = () => resolve(`failed: ${open.error}`);
  }));
  expect(result).toBe('opened');
  await expect(app.getByTestId('error-view')).toContainText('Event Dojo was updated in another tab');
  await expect(app.getByTestId('error-view')).toContainText('Reload this tab to carry on');
});
