// Journey: commands are decided by aggregates replayed from the store; refusals append
// nothing; read models follow, survive a reload and rebuild with progress.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';

async function send(page, kind, fields = {}) {
  await page.getByTestId('command-kind').selectOption(kind);
  for (const [name, value] of Object.entries(fields)) {
    const el = page.getByTestId(`cmd-${name}`);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
  await page.getByTestId('command-submit').click();
}

test('a quote journey through commands updates the read models', async ({ page }) => {
  await page.goto('/console');
  await send(page, 'RegisterCustomer');
  await expect(page.getByTestId('command-result')).toHaveText('CustomerRegistered appended to customer-c1 (version 1, position 1).');
  await expect(page.getByTestId('console-customers')).toContainText('Ada Lovelace');
  await send(page, 'RequestQuote');
  await expect(page.getByTestId('command-result')).toContainText('QuoteRequested appended to quote-q1');
  await send(page, 'IssueQuote');
  await expect(page.getByTestId('command-result')).toContainText('QuoteIssued appended to quote-q1 (version 2');
  await expect(page.getByTestId('console-dashboard').locator('tr', { hasText: 'issued' })).toContainText('1');
  await send(page, 'AcceptQuote');
  await send(page, 'BindPolicy');
  await expect(page.getByTestId('command-result')).toContainText('PolicyBound appended to policy-p1 (version 1, position 5).');
  await expect(page.getByTestId('console-customers').locator('tr', { hasText: 'c1' })).toContainText('1');
  await page.reload();
  await expect(page.getByTestId('console-dashboard').locator('tr', { hasText: 'accepted' })).toContainText('1');
  await page.getByTestId('rebuild').click();
  await expect(page.getByTestId('rebuild-progress')).toHaveText('5 of 5 events read');
});

test('refused commands say why and append nothing', async ({ page }) => {
  await page.goto('/console');
  await send(page, 'RegisterCustomer');
  await expect(page.getByTestId('command-result')).toBeVisible();
  await send(page, 'RegisterCustomer');
  await expect(page.getByTestId('error-view')).toContainText('customer c1 is already registered');
  await send(page, 'AcceptQuote', { quote_id: 'q9' });
  await expect(page.getByTestId('error-view')).toContainText('quote q9 does not exist');
  await send(page, 'RegisterCustomer', { customer_id: 'c2', birth_year: 'nineteen' });
  await expect(page.getByTestId('error-view')).toContainText('Birth year must be a whole number, not "nineteen".');
  await send(page, 'RegisterCustomer', { customer_id: 'c3', birth_year: '1990', postcode: 'nowhere' });
  await expect(page.getByTestId('error-view')).toContainText('postcode "nowhere" is not a UK-style postcode');
  await page.goto('/store');
  await expect(page.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
});

test('the console has no axe violations', async ({ page }) => {
  await page.goto('/console');
  await expect(page.getByTestId('command-form')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  await send(page, 'AcceptQuote', { quote_id: 'q9' });
  await expect(page.getByTestId('error-view')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});

test('read models start from the snapshot stored beside the events', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/store');
  await page.getByTestId('sample-size').selectOption('2000');
  await page.getByTestId('sample-load').click();
  await expect(page.getByTestId('log-summary')).toHaveText('2000 events in the store, newest first.', { timeout: 60_000 });
  await page.goto('/console');
  const start = page.getByTestId('rm-start');
  await expect(start).toHaveText('Started from the beginning of the log (a snapshot is stored every 1000 events): folded 2000 events. Stored a new snapshot at #2000.');
  const dashboard = await page.getByTestId('console-dashboard').innerText();

  await page.reload();
  await expect(start).toHaveText('Started from the snapshot stored at #2000: folded 0 events.');
  expect(await page.getByTestId('console-dashboard').innerText()).toBe(dashboard);
  await send(page, 'RegisterCustomer', { customer_id: 'snap-1' });
  await expect(start).toHaveText('Continued from #2000 folded on this page: folded 1 event.');
  await expect(page.getByTestId('rm-checkpoint')).toContainText('Checkpoint #2001;');

  await page.reload();
  await expect(start).toHaveText('Started from the snapshot stored at #2000: folded 1 event.');
  await expect(page.getByTestId('rm-checkpoint')).toContainText('Checkpoint #2001;');

  // A damaged snapshot is refused with its reason, and the fold starts from zero instead.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('event-dojo');
    open.onsuccess = () => {
      const tx = open.result.transaction('snapshots', 'readwrite');
      tx.objectStore('snapshots').put('{"format":1,"position":', 'read-models');
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  await expect(start).toContainText('The stored snapshot was not used (the snapshot is damaged:');
  await expect(start).toContainText('so the fold started from the beginning of the log: folded 2001 events. Stored a new snapshot at #2001.');
  expect(await page.getByTestId('console-dashboard').innerText()).toBe(dashboard);

  await page.getByTestId('rebuild').click();
  await expect(start).toHaveText('Rebuilt from the beginning of the log: folded 2001 events.');
});
