// Journey: pages arrive when they are first opened. The start page downloads one wasm
// module; every other page fetches its group's modules the first time one of its pages
// opens, says what is opening while they arrive, and takes the keyboard focus to its
// heading when they have; a group whose modules cannot be fetched says so on the page,
// the rest of the app keeps working, and the next visit to the page tries again.
import { test, expect } from '@playwright/test';

// The service worker fetches every module on its own install, past page.route; these
// journeys are about what the page itself fetches.
test.use({ serviceWorkers: 'block' });

function wasmRequests(page) {
  const names = [];
  page.on('request', (r) => {
    const name = new URL(r.url()).pathname.split('/').pop();
    if (name.endsWith('.wasm')) names.push(name);
  });
  return names;
}

test('the start page fetches one module, and a page fetches only its own group', async ({ page }) => {
  const wasm = wasmRequests(page);
  await page.goto('/');
  await expect(page.getByTestId('start-exercise')).toBeVisible();
  expect(wasm).toHaveLength(1);
  expect(wasm[0]).toMatch(/^event-dojo-[0-9a-f]+_bg\.wasm$/);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels lab' }).click();
  await expect(page.locator('main h1')).toHaveText('Channels lab');
  const lab = wasm.slice(1);
  expect(lab.filter((n) => n.startsWith('split_channel_pages-'))).toHaveLength(1);
  expect(lab.filter((n) => n.startsWith('split_') && !n.startsWith('split_channel_pages-'))).toEqual([]);

  // The sandbox is in the lab's group: nothing more to fetch.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pattern sandbox' }).click();
  await expect(page.locator('main h1')).toHaveText('Pattern sandbox');
  expect(wasm.length).toBe(1 + lab.length);
});

test('while a page\'s modules arrive it says what is opening, then its heading takes the focus', async ({ page }) => {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/split_learn_pages-*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto('/');
  await expect(page.getByTestId('start-exercise')).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Learn' }).click();
  await expect(page.getByTestId('page-loading')).toHaveText('Opening the exercises…');
  // Longer than the focus helper's usual second of looking for a heading.
  await page.waitForTimeout(1500);
  release();
  await expect(page.locator('main h1')).toHaveText('Learn');
  await expect(page.getByTestId('page-loading')).toHaveCount(0);
  await expect(page.locator('main h1')).toBeFocused();
});

test('a page whose modules cannot be fetched says so, and opens on the next visit', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/split_workshop_pages-*.wasm', (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  await expect(page.getByTestId('start-exercise')).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Workshop' }).click();
  const alert = page.locator('main').getByRole('alert');
  await expect(alert).toContainText('Could not open the workshop');
  await expect(alert).toContainText("This page's code did not arrive");

  // The app is still alive: another page opens, and so does the workshop once the
  // network is back.
  await nav.getByRole('link', { name: 'Event store' }).click();
  await expect(page.locator('main h1')).toHaveText('Event store');
  await page.unroute('**/split_workshop_pages-*.wasm');
  await nav.getByRole('link', { name: 'Workshop' }).click();
  await expect(page.locator('main h1')).toHaveText('Workshop');
  expect(errors).toEqual([]);
});
