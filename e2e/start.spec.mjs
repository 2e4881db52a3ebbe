// Journey: a first visit. Before the app has arrived a loading screen says what is
// happening; the start page says what Event Dojo is and where to begin, by keyboard; once
// the learner has begun, it offers to carry on; the prefilled sample event is one the
// read models understand.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';
import { EventStorePage } from './pages/event-store.mjs';
import { savedDocument } from './documents.mjs';
import { tabUntil } from './keys.mjs';

test('a loading screen shows until the app has arrived, then gives way to it', async ({ page }) => {
  // Hold the wasm back, as a slow network would.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto('/', { waitUntil: 'commit' });
  const boot = page.locator('#boot');
  await expect(boot).toContainText('Event Dojo is loading');
  await expect(boot).toHaveAttribute('role', 'status');
  release();
  await expect(page.getByTestId('start-exercise')).toBeVisible();
  await expect(boot).toHaveCount(0);
});

test('the start page says what Event Dojo is and leads to exercise 1 by keyboard', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Learn event-driven architecture by building it');
  await expect(page.getByText('Event Dojo is a workshop that runs entirely in your browser')).toBeVisible();
  const start = page.getByTestId('start-exercise');
  await expect(start).toHaveText('Start with exercise 1');
  // Every other way in is named, instructors' classroom included.
  for (const [id, path] of [['way-learn', '/learn'], ['way-lab', '/lab'], ['way-workshop', '/workshop'], ['way-store', '/store'], ['way-sandbox', '/sandbox'], ['way-schemas', '/schemas'], ['way-classroom', '/classroom']]) {
    await expect(page.getByTestId(id)).toHaveAttribute('href', path);
  }
  await expect(page.getByTestId('way-classroom')).toContainText('for instructors');
  await expect(page.getByTestId('way-learn').locator('..')).toContainText('20 of them ship with Event Dojo');

  // Tab reaches the call to start and Enter follows it.
  await tabUntil(page, start);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/learn\/events-and-commands$/);

  // Once begun (a narration beat read), the start page offers to carry on there.
  await page.getByTestId('beat-continue').click();
  await expect.poll(() => savedDocument(page, 'event-dojo.learn')).toContain('"beat":1');
  await page.getByTestId('brand-home').click();
  await expect(start).toHaveText('Continue: Events are facts, commands can be refused');
  await expect(start).toHaveAttribute('href', '/learn/events-and-commands');
});

test('the start page has no axe violations in light or dark', async ({ page }) => {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await expect(page.getByTestId('start-exercise')).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  }
});

test('the prefilled sample event is folded by the console read models', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.submit.click();
  await expect(store.status).toHaveText('Appended to customer-42 as version 1 at position 1.');
  await page.getByRole('link', { name: 'Event console' }).click();
  const row = page.getByTestId('console-customers').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Ada Lovelace');
  await expect(row).toContainText('EH1 1AA');
});

test('an unknown address has a heading and a way back to the start', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.getByRole('link', { name: 'Go to the start page' }).click();
  await expect(page.getByTestId('start-exercise')).toBeVisible();
  // After a navigation the new page's heading has the focus.
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  expect(await axeViolations(page)).toEqual([]);
});

test('at 390 px no page scrolls sideways, and the canvases pan inside their panels', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/', '/store', '/console', '/sandbox', '/lab', '/workshop', '/learn', '/learn/capstone', '/learn/cqrs', '/quiz', '/classroom', '/schemas', '/learn/upcast-a-breaking-change']) {
    await page.goto(path);
    await expect(page.locator('main h1')).toBeVisible();
    await page.waitForTimeout(300);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, path).toBeLessThanOrEqual(390);
    expect(await axeViolations(page), path).toEqual([]);
  }
  await page.goto('/workshop');
  await page.getByTestId('scenario-run').click();
  const pan = page.getByTestId('canvas-pan');
  // The diagram keeps a readable size: wider than the panel, scrolled within it.
  expect(await pan.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
  const label = page.getByTestId('node-bus').locator('text');
  const box = await label.boundingBox();
  expect(box.height).toBeGreaterThanOrEqual(10);
  expect(await axeViolations(page)).toEqual([]);
});
