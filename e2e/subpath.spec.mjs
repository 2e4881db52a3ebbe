// Static hosting under a sub-path: the build made with `--public-url /dojo/sub/`, served
// only under /dojo/sub/, runs the smoke journey: every asset loads, navigation and links
// stay under the sub-path, a deep link survives a reload, and data is kept.
import { test, expect } from '@playwright/test';
import { subPort } from '../playwright.config.mjs';

const root = `http://127.0.0.1:${subPort}/dojo/sub/`;

test('the app works when hosted under a sub-path', async ({ page }) => {
  const failed = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  await page.goto(root);
  // The start page's links stay under the sub-path.
  await expect(page.getByTestId('start-exercise')).toHaveAttribute('href', '/dojo/sub/learn/events-and-commands');
  await page.getByTestId('way-store').click();
  await expect(page).toHaveURL(`${root}store`);
  await expect(page.getByTestId('log-empty')).toBeVisible();

  // Publish, then follow the row's link to the event page.
  await page.getByTestId('publish-stream').fill('customer-sub');
  await page.getByTestId('publish-type').fill('CustomerRegistered');
  await page.getByTestId('publish-submit').click();
  await expect(page.getByTestId('publish-status')).toHaveText('Appended to customer-sub as version 1 at position 1.');
  await page.getByTestId('event-type').click();
  await expect(page).toHaveURL(`${root}event/1`);
  await expect(page.getByText('"streamid": "customer-sub"')).toBeVisible();

  // A deep link survives a reload, and the data is still there.
  await page.reload();
  await expect(page.getByText('"streamid": "customer-sub"')).toBeVisible();

  // The navigation, the level map and an exercise's links stay under the sub-path.
  for (const [name, path] of [['Event console', 'console'], ['Pattern sandbox', 'sandbox'], ['Channels lab', 'lab'], ['Workshop', 'workshop'], ['Learn', 'learn']]) {
    await page.getByRole('link', { name }).click();
    await expect(page).toHaveURL(`${root}${path}`);
  }
  const first = page.locator('a[href^="/dojo/sub/learn/"]').first();
  await first.click();
  await expect(page).toHaveURL(new RegExp(`^${root}learn/`));
  await page.getByTestId('back-to-map').click();
  await expect(page).toHaveURL(`${root}learn`);
  await page.getByRole('link', { name: 'Event store' }).click();
  await expect(page).toHaveURL(`${root}store`);
  await expect(page.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
  expect(failed).toEqual([]);
});
