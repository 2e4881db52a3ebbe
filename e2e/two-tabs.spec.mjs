// Two tabs, one store: 10,000 appends from each from both land exactly once with gapless positions, each
// tab's views follow the other's appends (BroadcastChannel), and two appends to the same
// stream at the same expected version resolve to one success and one named conflict.
import { test, expect } from '@playwright/test';
import { EventStorePage } from './pages/event-store.mjs';
import { inspectStore } from './stored.mjs';

test('two tabs append 10,000 events each at once: all 20,000 are there exactly once', async ({ context }) => {
  test.setTimeout(180_000);
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const page of [a, b]) {
    await new EventStorePage(page).open();
    await page.getByTestId('sample-size').selectOption('10000');
  }
  const started = Date.now();
  await Promise.all([a.getByTestId('sample-load').click(), b.getByTestId('sample-load').click()]);
  for (const page of [a, b]) {
    await expect(page.getByTestId('log-summary')).toHaveText('20000 events in the store, newest first.', { timeout: 150_000 });
  }
  console.log(`two tabs appended 10,000 events each in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const stored = await inspectStore(a);
  const check = { count: stored.count, first: stored.first, last: stored.last, gapless: stored.gapless,
    unique: new Set(stored.ids).size, gaplessStreams: stored.streamsGapless, identities: stored.identities };
  expect(check).toEqual({ count: 20000, first: 1, last: 20000, gapless: true, unique: 20000, gaplessStreams: true, identities: 20000 });
});

test('an append in one tab shows in the other without a reload', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  const storeA = new EventStorePage(a);
  await storeA.open();
  await new EventStorePage(b).open();
  await expect(b.getByTestId('log-empty')).toBeVisible();
  await storeA.publish({ stream: 'customer-7', type: 'CustomerRegistered', data: '{"name": "Grace"}' });
  await expect(storeA.status).toContainText('Appended');
  await expect(b.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
  await expect(b.getByTestId('event-type')).toHaveText('CustomerRegistered');
});

test('two tabs writing the same stream at the same expected version: one wins, one gets the conflict', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  const [storeA, storeB] = [new EventStorePage(a), new EventStorePage(b)];
  await storeA.open();
  await storeB.open();
  for (const store of [storeA, storeB]) {
    await store.stream.fill('quote-42');
    await store.type.fill('QuoteIssued');
    await store.expected.fill('0');
    await store.data.fill('{}');
  }
  await Promise.all([storeA.submit.click(), storeB.submit.click()]);
  await expect.poll(async () => [
    ...(await a.getByTestId('error-view').allInnerTexts()), ...(await b.getByTestId('error-view').allInnerTexts()),
  ].join(' ')).toContain('stream "quote-42" was expected at version 0 but is at version 1');
  const appended = [...(await storeA.status.allInnerTexts()), ...(await storeB.status.allInnerTexts())]
    .filter((t) => t.includes('Appended'));
  expect(appended.length).toBe(1);
  await expect(b.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
});

test('a schema enforced in one tab is enforced in the other at once, without a reload', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  const storeB = new EventStorePage(b);
  await storeB.open();
  await a.goto('/schemas');
  await a.getByTestId('new-schema').locator('summary').click();
  await a.getByTestId('new-schema-name').fill('OrderPlaced');
  await a.getByTestId('new-schema-text').fill(JSON.stringify({
    type: 'object', properties: { total: { type: 'integer' } }, required: ['total'],
  }));
  await a.getByTestId('new-schema-register').click();
  await expect(a.getByTestId('new-schema-status')).toHaveText('Registered OrderPlaced v1 in my-schemas.');
  await a.getByTestId('schema-validation').selectOption('enforce');
  // Tab B, open all along, refuses a misfit now.
  await storeB.publish({ stream: 'order-1', type: 'OrderPlaced', data: '{"total": "12"}' });
  await expect(b.getByTestId('error-view')).toContainText('OrderPlaced does not fit schema OrderPlaced v1 in my-schemas: field `total` must be integer');
  await expect(b.getByTestId('log-empty')).toBeVisible();
});
