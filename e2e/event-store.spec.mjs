// Journey: a learner publishes events, sees them in the log, reloads, and still sees them.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';
import { EventStorePage } from './pages/event-store.mjs';

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
  await expect(store.dataError).toContainText('is not valid JSON at line 1, column 10');
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
  await page.getByRole('link', { name: 'Full envelope' }).click();
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
  await page.getByTestId('event-row').locator('summary').first().click();
  expect(await axeViolations(page)).toEqual([]);
});

test('keyboard alone can publish an event', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.stream.focus();
  await page.keyboard.type('kb-1');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('KeyboardUsed');
  await store.submit.focus();
  await page.keyboard.press('Enter');
  await expect(store.rows).toHaveCount(1);
  await expect(store.rows.first()).toContainText('KeyboardUsed');
});
