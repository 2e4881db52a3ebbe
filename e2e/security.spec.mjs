// Hosting security: the release build carries a Content-Security-Policy that the whole
// app runs under without a single violation, and an event whose payload holds markup is
// shown as inert text everywhere it appears.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { EventStorePage } from './pages/event-store.mjs';

// Records CSP violations and any sign that injected markup ran.
async function watch(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    window.__pwned = 0;
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}

const MARKUP = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2"><b id="bold">bold</b>';

test('the built page declares a policy that allows only what the app needs', () => {
  const html = readFileSync('dist/index.html', 'utf8');
  const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
  expect(policy).toBeTruthy();
  expect(policy).toContain("default-src 'self'");
  expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
  expect(policy).not.toContain("'unsafe-eval'");
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(policy).toContain("object-src 'none'");
  // The classroom's broker: any wss:// one, or ws:// on this machine (the README's broker).
  expect(policy).toContain("connect-src 'self' https: wss: ws://127.0.0.1:* ws://localhost:*");
  expect(policy).not.toMatch(/connect-src[^;]* ws: /);
  // The policy comes before any script, so it governs them all.
  expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
});

test('markup in an event is inert text in the log, the event page, the console and the sandbox, with no policy violations', async ({ page }) => {
  await watch(page);
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'customer-x', type: 'CustomerRegistered', data: JSON.stringify({ name: MARKUP, customerId: 'x' }) });
  await expect(store.status).toContainText('position 1.');

  await page.getByTestId('filter-text').fill('onerror');
  await page.getByTestId('filter-apply').click();
  await expect(page.getByTestId('log-summary')).toHaveText('1 of 1 events match, newest first.');
  await page.getByTestId('event-type').click();
  await expect(page.getByText('<script>window.__pwned = 1</script>', { exact: false })).toBeVisible();
  await page.getByRole('link', { name: 'Pattern sandbox' }).click();
  await expect(page.getByTestId('sandbox-pattern')).toBeVisible();
  await page.getByRole('link', { name: 'Event console' }).click();
  await expect(page.getByTestId('rm-start')).toBeVisible();
  await page.getByRole('link', { name: 'Workshop' }).click();
  await page.getByRole('link', { name: 'Channels lab' }).click();
  await page.getByRole('link', { name: 'Learn' }).click();
  await page.getByRole('link', { name: 'Event store' }).click();
  await expect(page.getByTestId('log-summary')).toBeVisible();

  expect(await page.evaluate(() => window.__pwned)).toBe(0);
  expect(await page.locator('img[src="x"], #bold').count()).toBe(0);
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
});

test('markup in an imported NDJSON line stays text too', async ({ page }) => {
  await watch(page);
  const store = new EventStorePage(page);
  await store.open();
  const line = JSON.stringify({ specversion: '1.0', id: 'evil-1', source: 'dojo.test', type: 'ThingHappened',
    subject: MARKUP, data: { html: MARKUP }, streamid: 'evil', streamversion: 1, globalposition: 1 });
  await page.getByTestId('import-file').setInputFiles({ name: 'evil.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(line + '\n') });
  await expect(page.getByTestId('transfer-notice')).toHaveText('Imported 1 event from evil.ndjson at positions 1 to 1.');
  await page.getByTestId('event-type').click();
  await expect(page.getByText('evil-1')).toBeVisible();
  expect(await page.evaluate(() => window.__pwned)).toBe(0);
  expect(await page.locator('img[src="x"], #bold').count()).toBe(0);
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
});
