// Journeys: export a workshop session to a file and import it back; a malformed file is
// refused and changes nothing; a share link opens the same session in a fresh browser.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { WorkshopPage } from './pages/workshop.mjs';

test('export then import restores the session and checks its history', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'event_sourcing');
  await page.getByTestId('debugger-jump').fill('4');
  await page.getByTestId('debugger-jump').press('Enter');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('session-export').click()]);
  const path = await download.path();
  const file = JSON.parse(readFileSync(path, 'utf8'));
  expect(file.format).toBe('event-dojo-session');
  expect(file.history).toHaveLength(12);
  // Change everything, then import.
  await ws.runScenario('callback-hotspot', 'notification');
  await page.getByTestId('session-import').setInputFiles(path);
  await expect(page.getByTestId('session-notice')).toHaveText(
    'Imported the session; the history re-derived from its scenario matches the file.');
  await expect(ws.position).toHaveText('#4 of 12');
  await expect(ws.style).toHaveValue('event_sourcing');
});

test('a malformed or foreign file is refused and the session is untouched', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'cqrs');
  await page.getByTestId('session-import').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "other"}') });
  await expect(page.getByTestId('error-view')).toContainText('This is not an Event Dojo session file');
  await expect(page.getByTestId('error-view')).toContainText('Your current session is unchanged.');
  await expect(ws.position).toHaveText('#12 of 12');
  await page.getByTestId('session-import').setInputFiles({ name: 'y.json', mimeType: 'application/json',
    buffer: Buffer.from('{"format": "event-dojo-session", "version": 7}') });
  await expect(page.getByTestId('error-view')).toContainText('newer Event Dojo (format version 7)');
  await page.getByTestId('session-import').setInputFiles({ name: 'z.json', mimeType: 'application/json', buffer: Buffer.from('{nope') });
  await expect(page.getByTestId('error-view')).toContainText('The file is not JSON');
  await expect(ws.style).toHaveValue('cqrs');
});

test('a share link opens the same session in a fresh browser', async ({ page, browser }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'notification');
  await page.getByTestId('branches').locator('summary').click();
  await page.getByTestId('skip-2').click();
  await page.getByTestId('session-share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toContain('/workshop#session=');
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other.getByTestId('session-notice')).toHaveText('Opened the session from the link.');
  await expect(other.getByTestId('run-summary')).toBeVisible();
  await expect(other.getByTestId('branch-list')).toContainText('skip #2: RequestQuote q1 for c1');
  await expect(other.getByTestId('scenario-style')).toHaveValue('notification');
  // A fresh load (not a hash change on the same page) reads the damaged link.
  await other.goto('/');
  await other.goto(link.replace(/session=.*/, 'session=damaged!!'));
  await expect(other.getByTestId('error-view')).toContainText('The link is damaged');
  await fresh.close();
});
