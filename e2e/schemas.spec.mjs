// Journeys: event schemas. Discover from a 10,000-event sample and register; a version
// that breaks the mode is refused with the field; validation at publish (enforce refuses
// with field, rule and version and writes nothing; warn writes and says so), from the
// publish form and the console; evolve with an upcaster and replay.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';
import { EventStorePage } from './pages/event-store.mjs';
import { WorkshopPage } from './pages/workshop.mjs';

async function loadSample(page, size) {
  await page.goto('/store');
  await page.getByTestId('sample-size').selectOption(String(size));
  await page.getByTestId('sample-load').click();
  await expect(page.getByTestId('log-summary')).toHaveText(`${size} events in the store, newest first.`, { timeout: 90_000 });
}

async function discoverFromStore(page) {
  await page.goto('/schemas');
  await page.getByTestId('discover-store').check();
  await page.getByTestId('discover-run').click();
  await expect(page.getByTestId('discover-summary')).toBeVisible({ timeout: 60_000 });
}

function discoveredRow(page, name) {
  return page.getByTestId('discovered-row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

async function register(page, name) {
  const row = discoveredRow(page, name);
  await row.getByTestId('discovered-register').click();
  await expect(row).toContainText('Registered as v1');
}

/// Registers a hand-written schema for `type` and sets its validation.
async function writeSchema(page, type, schema, validation) {
  await page.goto('/schemas');
  await page.getByTestId('new-schema').locator('summary').click();
  await page.getByTestId('new-schema-name').fill(type);
  await page.getByTestId('new-schema-text').fill(JSON.stringify(schema));
  await page.getByTestId('new-schema-register').click();
  await expect(page.getByTestId('new-schema-status')).toHaveText(`Registered ${type} v1 in my-schemas.`);
  await expect(page.getByTestId('schema-title')).toContainText(type);
  await page.getByTestId('schema-validation').selectOption(validation);
}

test('discovery reads a 10,000-event sample and registers a schema per type', async ({ page }) => {
  test.setTimeout(180_000);
  await loadSample(page, 10000);
  await discoverFromStore(page);
  await expect(page.getByTestId('discover-summary')).toContainText('Read 10000 events in');
  const quote = discoveredRow(page, 'QuoteIssued');
  await expect(quote).toBeVisible();
  await expect(quote.locator('td').nth(3)).toHaveText('not yet');
  await register(page, 'QuoteIssued');
  await expect(quote.locator('td').nth(3)).toHaveText('v1');
  // The registry shows it, its version and its fields; the document is Draft 4.
  await expect(page.getByTestId('schema-title')).toContainText('QuoteIssued in discovered-schemas');
  await expect(page.getByTestId('schema-version-row')).toHaveCount(1);
  await expect(page.getByTestId('schema-version-row').first()).toContainText('discovered');
  const doc = JSON.parse(await page.getByTestId('view-text').innerText());
  expect(doc.$schema).toBe('http://json-schema.org/draft-04/schema#');
  expect(doc.required).toEqual(['customer_id', 'expires_at_ms', 'premium_pence', 'quote_id', 'schema_version']);
  expect(doc.properties.premium_pence).toEqual({ type: 'integer' });
  // Code bindings for the learner's next step.
  await page.getByTestId('view-form').selectOption('typescript');
  await expect(page.getByTestId('view-text')).toContainText('export interface QuoteIssued {');
  await expect(page.getByTestId('view-text')).toContainText('premium_pence: number;');
  await page.getByTestId('view-form').selectOption('rust');
  await expect(page.getByTestId('view-text')).toContainText('pub premium_pence: i64,');
  const download = page.waitForEvent('download');
  await page.getByTestId('view-download').click();
  expect((await download).suggestedFilename()).toBe('QuoteIssued-v1.rs');
  // Kept in IndexedDB: a reload still has it.
  await page.reload();
  await expect(page.getByTestId('schema-title')).toContainText('QuoteIssued in discovered-schemas');
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  // Colours change with a 120 ms transition; axe reads them once it has run.
  await page.waitForTimeout(400);
  expect(await axeViolations(page)).toEqual([]);
});

test('a version that breaks the compatibility mode is refused with the field and changes nothing', async ({ page }) => {
  await writeSchema(page, 'OrderPlaced', {
    type: 'object',
    properties: { order_id: { type: 'string' }, total: { type: 'integer' } },
    required: ['order_id', 'total'],
  }, 'off');
  await expect(page.getByTestId('schema-compat')).toHaveValue('BACKWARD');
  const text = page.getByTestId('new-version-text');
  const v2 = {
    type: 'object',
    properties: { order_id: { type: 'string' }, total: { type: 'integer' }, currency: { type: 'string' } },
    required: ['order_id', 'total', 'currency'],
  };
  await text.fill(JSON.stringify(v2));
  await page.getByTestId('new-version-register').click();
  const error = page.getByTestId('error-view');
  await expect(error).toContainText('OrderPlaced: the new version breaks BACKWARD compatibility');
  await expect(error).toContainText('`currency`: consumers on v2 require it, and v1 events do not have it (rule: required)');
  await expect(page.getByTestId('schema-version-row')).toHaveCount(1);
  // An optional field keeps BACKWARD; the diff says what changed.
  v2.required = ['order_id', 'total'];
  await text.fill(JSON.stringify(v2));
  await page.getByTestId('new-version-register').click();
  await expect(page.getByTestId('new-version-status')).toHaveText('Registered OrderPlaced v2 in my-schemas.');
  await expect(page.getByTestId('schema-version-row')).toHaveCount(2);
  await expect(page.getByTestId('schema-diff')).toHaveText('added `currency` added (optional)');
  // A keyword the registry does not hold is named with its place.
  await text.fill('{"type": "object", "properties": {"total": {"minimum": 0}}}');
  await page.getByTestId('new-version-register').click();
  await expect(page.getByTestId('error-view')).toContainText('/properties/total/minimum: the keyword "minimum" is not supported');
  await expect(page.getByTestId('schema-version-row')).toHaveCount(2);
  // A schema file is imported through the same check.
  v2.properties.note = { type: 'string' };
  await page.getByTestId('new-version-import').setInputFiles({
    name: 'order-placed-v3.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(v2)),
  });
  await expect(page.getByTestId('new-version-status')).toHaveText('Registered OrderPlaced v3 in my-schemas.');
  await expect(page.getByTestId('schema-version-row').nth(2)).toContainText('imported');
  expect(await axeViolations(page)).toEqual([]);
});

test('enforced validation refuses a misfit before anything is written; warn writes it and says why', async ({ page }) => {
  await writeSchema(page, 'OrderPlaced', {
    type: 'object',
    properties: { order_id: { type: 'string' }, total: { type: 'integer' } },
    required: ['order_id', 'total'],
  }, 'enforce');
  const store = new EventStorePage(page);
  await store.open();
  await store.publish({ stream: 'order-1', type: 'OrderPlaced', data: '{"order_id": "o1", "total": "12"}' });
  const error = page.getByTestId('error-view');
  await expect(error).toContainText('event');
  await expect(error).toContainText('was refused, so nothing was written: OrderPlaced does not fit schema OrderPlaced v1 in my-schemas: field `total` must be integer, found string "12" (rule: type)');
  await expect(error).toContainText('set the type\'s validation to warn or off on the Schemas page');
  await expect(page.getByTestId('log-empty')).toBeVisible();
  // A fitting event is written.
  await store.publish({ stream: 'order-1', type: 'OrderPlaced', data: '{"order_id": "o1", "total": 12}' });
  await expect(page.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
  await expect(page.getByTestId('schema-warning')).toHaveCount(0);

  // Under warn, a misfit is written and the app says which field broke which rule.
  await page.goto('/schemas');
  await page.getByTestId('schema-validation').selectOption('warn');
  await store.open();
  await store.publish({ stream: 'order-2', type: 'OrderPlaced', data: '{"order_id": "o2"}' });
  await expect(page.getByTestId('log-summary')).toHaveText('2 events in the store, newest first.');
  await expect(page.getByTestId('schema-warning')).toContainText('OrderPlaced does not fit schema OrderPlaced v1 in my-schemas: field `total` is required and missing (rule: required)');
  expect(await axeViolations(page)).toEqual([]);
  await page.getByTestId('schema-warning-dismiss').click();
  await expect(page.getByTestId('schema-warning')).toHaveCount(0);
});

test('imports go through validation: enforce names the line and imports nothing; warn imports and says so', async ({ page }) => {
  await writeSchema(page, 'OrderPlaced', {
    type: 'object',
    properties: { order_id: { type: 'string' }, total: { type: 'integer' } },
    required: ['order_id', 'total'],
  }, 'enforce');
  const line = (id, position, data) => JSON.stringify({
    specversion: '1.0', id, source: 'shop', type: 'OrderPlaced', streamid: `order-${id}`,
    streamversion: 1, globalposition: position, data,
  });
  const file = [line('o1', 1, { order_id: 'o1', total: 5 }), line('o2', 2, { order_id: 'o2', total: 'five' }), ''].join('\n');
  const store = new EventStorePage(page);
  await store.open();
  await page.getByTestId('import-file').setInputFiles({ name: 'orders.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(file) });
  await expect(page.getByTestId('error-view')).toContainText('orders.ndjson: line 2: event "o2": OrderPlaced does not fit schema OrderPlaced v1 in my-schemas: field `total` must be integer, found string "five" (rule: type). Nothing was imported.');
  await expect(page.getByTestId('log-empty')).toBeVisible();
  await page.goto('/schemas');
  await page.getByTestId('schema-validation').selectOption('warn');
  await store.open();
  await page.getByTestId('import-file').setInputFiles({ name: 'orders.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(file) });
  await expect(page.getByTestId('transfer-notice')).toHaveText('Imported 2 events from orders.ndjson at positions 1 to 2.');
  await expect(page.getByTestId('schema-warning')).toContainText('orders.ndjson: line 2: event "o2": OrderPlaced does not fit schema OrderPlaced v1');
});

test('the console goes through validation too', async ({ page }) => {
  // QuoteIssued must carry a currency: the console's IssueQuote does not, so it is refused.
  await writeSchema(page, 'QuoteIssued', {
    type: 'object',
    properties: { quote_id: { type: 'string' }, currency: { type: 'string' } },
    required: ['quote_id', 'currency'],
  }, 'enforce');
  await page.goto('/console');
  for (const kind of ['RegisterCustomer', 'RequestQuote', 'IssueQuote']) {
    await page.getByTestId('command-kind').selectOption(kind);
    await page.getByTestId('command-submit').click();
    if (kind !== 'IssueQuote') await expect(page.getByTestId('command-result')).toContainText('appended');
  }
  await expect(page.getByTestId('error-view')).toContainText('QuoteIssued does not fit schema QuoteIssued v1 in my-schemas: field `currency` is required and missing (rule: required)');
  await page.goto('/store');
  await expect(page.getByTestId('log-summary')).toHaveText('2 events in the store, newest first.');
});

test('a breaking change is accepted with an upcaster, tried on the stored events, and replayed', async ({ page }) => {
  test.setTimeout(180_000);
  await loadSample(page, 2000);
  await discoverFromStore(page);
  await register(page, 'QuoteIssued');
  const stored = Number(await discoveredRow(page, 'QuoteIssued').locator('td').first().innerText());
  expect(stored).toBeGreaterThan(0);
  const lab = page.locator('#evolve');
  await expect(page.getByTestId('evolve-schema')).toContainText('Changing QuoteIssued (latest v1, BACKWARD mode)');
  // Rename premium_pence: the dashboard and the Quote aggregate read it.
  await page.getByTestId('evolve-kind').selectOption('rename');
  await page.getByTestId('evolve-field').selectOption('premium_pence');
  await page.getByTestId('evolve-new-name').fill('premium_minor');
  await page.getByTestId('evolve-see').click();
  await expect(page.getByTestId('evolve-compat')).toContainText('v2 breaks BACKWARD');
  await expect(page.getByTestId('evolve-compat')).toContainText('`premium_minor`: consumers on v2 require it, and v1 events do not have it (rule: required)');
  await expect(page.getByTestId('evolve-readers')).toContainText('quote-dashboard (read model) reads this field: breaks');
  await expect(page.getByTestId('evolve-readers')).toContainText('Quote (aggregate) reads this field: breaks');
  await expect(page.getByTestId('evolve-stored')).toContainText(`${stored} stored QuoteIssued events checked: ${stored} would no longer fit v2.`);
  await expect(page.getByTestId('evolve-upcaster')).toHaveValue('rename premium_pence to premium_minor\n');
  // Accepting before trying is refused; a broken upcaster is reported per event.
  await page.getByTestId('evolve-accept').click();
  await expect(lab.getByTestId('error-view')).toContainText('Try the upcaster on the stored events first');
  await page.getByTestId('evolve-upcaster').fill('rename premium_pence to premium_major');
  await page.getByTestId('evolve-try').click();
  await expect(page.getByTestId('evolve-trial')).toContainText(`0 of ${stored} stored events fit the new version after upcasting; ${stored} failed.`);
  await page.getByTestId('evolve-accept').click();
  await expect(lab.getByTestId('error-view')).toContainText(`the upcaster failed on ${stored} stored event(s)`);
  await page.getByTestId('evolve-upcaster').fill('rename premium_pence to premium_minor');
  await page.getByTestId('evolve-try').click();
  await expect(page.getByTestId('evolve-trial')).toContainText(`${stored} of ${stored} stored events fit the new version after upcasting; 0 failed.`);
  await page.getByTestId('evolve-accept').click();
  await expect(page.getByTestId('evolve-accepted')).toContainText('Registered QuoteIssued v2, with an upcaster from v1.');
  await expect(page.getByTestId('schema-version-row')).toHaveCount(2);
  await expect(page.getByTestId('schema-version-row').nth(1)).toContainText('an upcaster from v1');
  await page.getByTestId('evolve-replay').click();
  await expect(page.getByTestId('evolve-replayed')).toHaveText(`Replayed ${stored} stored QuoteIssued events as v2 consumers read them: ${stored} upcast from an older version, 0 already v2; every one fits.`);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(400);
    expect(await axeViolations(page), colorScheme).toEqual([]);
  }
  // An event's page says which version it was written in, and shows it upcast.
  await page.getByTestId('evolve-stored').getByRole('link').first().click();
  const note = page.getByTestId('schema-version');
  await expect(note.locator('p')).toHaveText('Written in QuoteIssued v1 of discovered-schemas: upcast to v2 for consumers on the latest (v1→v2).');
  await note.locator('summary').click();
  const upcast = JSON.parse(await note.locator('pre').innerText());
  expect(upcast.premium_minor).toBeGreaterThan(0);
  expect(upcast.premium_pence).toBeUndefined();
});

test('an empty registry says where to start', async ({ page }) => {
  await page.goto('/schemas');
  await expect(page.getByTestId('registry-empty')).toBeVisible();
  await expect(page.getByTestId('evolve-empty')).toBeVisible();
  await page.getByTestId('discover-run').click();
  await expect(page.getByTestId('discover-empty')).toContainText('The event store has no events yet.');
  await page.getByTestId('discover-workshop').check();
  await page.getByTestId('discover-run').click();
  await expect(page.getByTestId('discovered-row').first()).toBeVisible();
  await expect(discoveredRow(page, 'dojo.insurance@QuoteIssued')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  // Registered, the workshop's debugger says which version the event at its cursor is.
  await register(page, 'dojo.insurance@QuoteIssued');
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'event_carried_state');
  // The run leaves the cursor at the end; step back to the quote being issued.
  for (let i = 0; i < 12 && (await ws.entryType.textContent()) !== 'QuoteIssued'; i += 1) {
    await page.getByTestId('debugger-back').click();
  }
  await expect(ws.entryType).toHaveText('QuoteIssued');
  await expect(page.getByTestId('debugger-entry').getByTestId('schema-version'))
    .toHaveText('Written in dojo.insurance@QuoteIssued v1 of discovered-schemas, the latest: read as it is.');
});
