// Journeys in the workshop: run a scenario, travel through time, break on a pattern,
// fork a branch and compare it, compare two styles, and reload without losing anything
// (the session lives in IndexedDB).
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';
import { WorkshopPage } from './pages/workshop.mjs';
import { savedDocument } from './documents.mjs';
import { tabUntil } from './keys.mjs';

test('time travel moves read models and queues together, by buttons and keys', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'event_carried_state');
  await expect(ws.position).toHaveText('#12 of 12');
  await expect(page.getByTestId('rm-dashboard')).toContainText('accepted1');
  await page.getByTestId('debugger-start').click();
  await expect(ws.position).toHaveText('#0 of 12');
  await expect(page.getByTestId('rm-customers').locator('tbody tr')).toHaveCount(0);
  await page.getByTestId('debugger-forward').click();
  await expect(ws.entryType).toHaveText('CustomerRegistered');
  await expect(page.getByTestId('rm-customers').locator('tbody tr.changed')).toHaveCount(1);
  await expect(page.getByTestId('rm-changes')).toContainText('CustomerView c1');
  await expect(page.getByTestId('narration')).toHaveText('Step 1 of 12: CustomerRegistered recorded for customer-c1 at 0 ms. '
    + 'CustomerRegistered published on bus:default; matched 1 of 3 rules; delivered to queue:quote-generator-replica (depth 1), queue:comms-replica (depth 1).');
  // Keyboard: the keys work from anywhere on the page (here the read-model panel, reached
  // by clicking it), not only inside the debugger.
  await page.getByTestId('rm-changes').click();
  await page.keyboard.press('ArrowRight');
  await expect(ws.entryType).toHaveText('QuoteRequested');
  await expect(page.getByTestId('queue-quote-generator')).toContainText('1 visible');
  await expect(page.getByTestId('narration')).toContainText('QuoteRequested published on bus:default; matched 1 of 3 rules; delivered to queue:quote-generator (depth 1).');
  await page.keyboard.press('End');
  await expect(ws.position).toHaveText('#12 of 12');
  await page.keyboard.press('Home');
  await expect(ws.position).toHaveText('#0 of 12');
  // A key that belongs to a field stays there: arrows in the jump box move its caret.
  await page.getByTestId('debugger-jump').fill('3');
  await page.getByTestId('debugger-jump').press('ArrowLeft');
  await expect(ws.position).toHaveText('#0 of 12');
  // Space on the slider plays and pauses; its arrows move it one step.
  await tabUntil(page, page.getByTestId('debugger-slider'), { key: 'Shift+Tab' });
  // (Leaving the jump box jumped to its 3.)
  await expect(ws.position).toHaveText('#3 of 12');
  await page.keyboard.press('ArrowRight');
  await expect(ws.position).toHaveText('#4 of 12');
  await page.keyboard.press(' ');
  await expect(page.getByTestId('debugger-play')).toHaveText('Pause');
  await page.keyboard.press(' ');
  await expect(page.getByTestId('debugger-play')).toHaveText('Play');
  await page.getByTestId('debugger-jump').fill('7');
  await page.getByTestId('debugger-jump').press('Enter');
  await expect(ws.entryType).toHaveText('PolicyBound');
});

test('a breakpoint pattern jumps to the next and previous matching events', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'cqrs');
  await page.getByTestId('debugger-start').click();
  await page.getByTestId('debugger-breakpoint').fill('{"type": ["EmailSent"]}');
  await page.getByTestId('debugger-next-match').click();
  await expect(ws.entryType).toHaveText('EmailSent');
  await expect(ws.position).toHaveText('#5 of 12');
  await page.getByTestId('debugger-next-match').click();
  await expect(ws.position).toHaveText('#12 of 12');
  await page.getByTestId('debugger-prev-match').click();
  await expect(ws.position).toHaveText('#5 of 12');
  await page.getByTestId('debugger-breakpoint').fill('{"type": "EmailSent"}');
  await page.getByTestId('debugger-next-match').click();
  await expect(page.getByTestId('debugger-breakpoint-note')).toContainText('"type" must be an object or an array');
  await expect(ws.position).toHaveText('#5 of 12');
});

test('playing advances through the history', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'notification');
  await page.getByTestId('debugger-start').click();
  await page.getByTestId('debugger-play').click();
  await expect(ws.position).not.toHaveText('#0 of 12', { timeout: 5000 });
  await page.getByTestId('debugger-play').click();
  await expect(page.getByTestId('debugger-play')).toHaveText('Play');
});

test('a what-if branch that skips the quote request loses everything it caused', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'event_carried_state');
  await page.getByTestId('branches').locator('summary').click();
  await page.getByTestId('skip-2').click();
  await expect(page.getByTestId('branch-list')).toContainText('skip #2: RequestQuote q1 for c1');
  await page.getByTestId('branch-compare').click();
  const comparison = page.getByTestId('branch-comparison');
  await expect(comparison).toContainText('main vs skip #2');
  await expect(page.getByTestId('branch-outbox')).toHaveText('would have sent 1 (held back)');
  await expect(page.getByTestId('branch-diff')).toContainText('QuoteDashboardView accepted');
});

test('two styles compared side by side show the callback hotspot', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('callback-hotspot', 'notification');
  await page.getByTestId('compare-style').selectOption('event_carried_state');
  const table = page.getByTestId('metrics-table');
  await expect(table).toContainText('Event-carried state transfer');
  const row = table.locator('tr', { hasText: 'Callbacks to Customer Management' });
  await expect(row.locator('td').nth(0)).toHaveText('625');
  await expect(row.locator('td').nth(1)).toHaveText('0');
  // The callbacks are drawn too, with the legend that says what the dashed edges are.
  await expect(page.getByTestId('legend-callbacks')).toContainText('Callbacks to Customer Management');
  await expect(page.getByTestId('canvas').locator('.edge.back')).toHaveCount(2);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    // Colours change with a short transition; measure contrast once it has ended.
    await expect.poll(() => page.evaluate(() => document.getAnimations().filter((a) => a instanceof CSSTransition).length)).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  }
});

test('a reload restores the scenario, the cursor and the branches', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'event_sourcing');
  await page.getByTestId('debugger-jump').fill('4');
  await page.getByTestId('debugger-jump').press('Enter');
  await page.getByTestId('branches').locator('summary').click();
  await page.getByTestId('skip-3').click();
  await page.reload();
  await expect(ws.position).toHaveText('#4 of 12');
  await expect(ws.style).toHaveValue('event_sourcing');
  await expect(page.getByTestId('branch-list')).toContainText('skip #3: AcceptQuote q1');
});

test('the session is kept in IndexedDB, and a copy an older build left in localStorage is moved there', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  // What a build before IndexedDB documents saved: the session in localStorage.
  const old = { version: 1, preset: 'quote-journey', style: 'cqrs', ran: true, position: 3, branches: [], compare_with: null, custom: null };
  await page.evaluate((text) => localStorage.setItem('event-dojo.workshop', text), JSON.stringify(old));
  await page.reload();
  await expect(ws.position).toHaveText('#3 of 12');
  await expect(ws.style).toHaveValue('cqrs');
  await page.getByTestId('debugger-jump').fill('5');
  await page.getByTestId('debugger-jump').press('Enter');
  await expect.poll(() => page.evaluate(() => localStorage.getItem('event-dojo.workshop'))).toBeNull();
  await expect
    .poll(async () => JSON.parse((await savedDocument(page, 'event-dojo.workshop')) ?? 'null'))
    .toMatchObject({ style: 'cqrs', ran: true, position: 5 });
  await page.reload();
  await expect(ws.position).toHaveText('#5 of 12');
});

test('the workshop has no axe violations', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  expect(await axeViolations(page)).toEqual([]);
  await ws.runScenario('quote-journey', 'event_carried_state');
  await page.getByTestId('branches').locator('summary').click();
  await page.getByTestId('skip-2').click();
  await page.getByTestId('branch-compare').click();
  expect(await axeViolations(page)).toEqual([]);
});

test('the architecture canvas counts messages and inspects nodes by mouse and keyboard', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'event_carried_state');
  const canvas = page.getByTestId('canvas');
  await expect(canvas.locator('.edge-count').first()).toBeVisible();
  await page.getByTestId('node-quote-generator').click();
  await expect(page.getByTestId('inspector-summary')).toContainText('0 visible, 0 in flight, 0 delayed at the cursor; deepest so far 1.');
  await page.getByTestId('debugger-jump').fill('2');
  await page.getByTestId('debugger-jump').press('Enter');
  await expect(page.getByTestId('inspector-summary')).toContainText('1 visible');
  await expect(page.getByTestId('inspector-settings')).toHaveText(
    'Standard queue; visibility timeout 30 s, delay 0 s, retention 4 days; no dead-letter queue (a message is retried until retention ends).',
  );
  await expect(page.getByTestId('inspector').locator('.peek li')).toContainText(/visible for \d+\.\d s \(received 0×\)/);
  await tabUntil(page, page.getByTestId('node-bus'), { key: 'Shift+Tab' });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector-rules')).toContainText('to-quote-generator');
  await expect(page.getByTestId('inspector-rules')).toContainText('customer-replicas');
  // Escape closes the inspector from inside it, and the focus goes back to its node.
  await tabUntil(page, page.getByTestId('inspector-close'));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector')).toHaveCount(0);
  await expect(page.getByTestId('node-bus')).toBeFocused();
  // ... and from the node itself.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector')).toHaveCount(0);
  await page.getByTestId('canvas-animate').uncheck();
  await expect(canvas.locator('.message-dot')).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
});

test('playing fast switches the canvas from animation to counters', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('callback-hotspot', 'notification');
  await page.getByTestId('debugger-start').click();
  const canvas = page.getByTestId('canvas');
  await page.getByTestId('debugger-forward').click();
  await expect(canvas.locator('.message-dot').first()).toBeAttached();
  await page.locator('#debugger-speed').selectOption('100');
  await page.getByTestId('debugger-play').click();
  await expect(page.getByTestId('canvas-busy')).toHaveText('High volume: showing counters only.');
  await expect(canvas.locator('.message-dot')).toHaveCount(0);
  await page.getByTestId('debugger-play').click();
  await expect(page.getByTestId('canvas-busy')).toHaveCount(0);
  await expect(canvas.locator('.message-dot').first()).toBeAttached();
});

test('under reduced motion the animation starts off, the checkbox says so, and ticking it animates', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('callback-hotspot', 'notification');
  await page.getByTestId('debugger-start').click();
  await page.getByTestId('debugger-forward').click();
  const canvas = page.getByTestId('canvas');
  await expect(page.getByTestId('canvas-animate')).not.toBeChecked();
  await expect(page.getByTestId('canvas-reduced-motion')).toContainText('reduced motion');
  await expect(canvas.locator('.message-dot')).toHaveCount(0);
  await page.getByTestId('canvas-animate').check();
  await expect(canvas.locator('.message-dot').first()).toBeAttached();
});

test('a branch can edit or insert an input, and any two branches compare side by side', async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('quote-journey', 'event_carried_state');
  await page.getByTestId('branches').locator('summary').click();
  await page.getByTestId('edit-1').click();
  await page.getByTestId('edit-insert').check();
  await page.getByTestId('branch-input').fill('{"at_ms": 1000, "change_address": {"customer_id": "c1", "postcode": SW1A}}');
  await page.getByTestId('branch-create').click();
  await expect(page.getByTestId('branch-error')).toContainText('The input is not valid');
  await page.getByTestId('branch-input').fill('{"at_ms": 1000, "change_address": {"customer_id": "c1", "postcode": "SW1A 1AA"}}');
  await page.getByTestId('branch-create').click();
  await expect(page.getByTestId('branch-list')).toContainText('insert after #1: ChangeAddress c1 → SW1A 1AA');
  await page.getByTestId('skip-2').click();
  await page.getByTestId('compare-left').selectOption('insert after #1: ChangeAddress c1 → SW1A 1AA');
  await page.getByTestId('compare-right').selectOption('skip #2: RequestQuote q1 for c1 (Home)');
  await page.getByTestId('compare-pair').click();
  await expect(page.getByTestId('branch-comparison')).toContainText('insert after #1: ChangeAddress c1 → SW1A 1AA vs skip #2: RequestQuote q1 for c1 (Home)');
  await expect(page.getByTestId('branch-diff')).toContainText('QuoteDashboardView accepted');
  // Moving house first puts the quote in a higher risk band: main and the branch differ in premium.
  await page.getByTestId('compare-left').selectOption('main');
  await page.getByTestId('compare-right').selectOption('insert after #1: ChangeAddress c1 → SW1A 1AA');
  await page.getByTestId('compare-pair').click();
  await expect(page.getByTestId('branch-diff')).toContainText('premium_pence');
});

test("a run's events are saved to the event store through the write-behind queue, once", async ({ page }) => {
  const ws = new WorkshopPage(page);
  await ws.open();
  await ws.runScenario('callback-hotspot', 'notification');
  await page.getByTestId('save-run').click();
  await expect(page.getByTestId('session-notice')).toHaveText(/^Saved the run's (\d+) events to the event store\.$/);
  const saved = (await page.getByTestId('session-notice').innerText()).match(/(\d+)/)[1];
  // Saving the same run again adds nothing: the store holds each event (source and id) once.
  await page.getByTestId('save-run').click();
  await expect(page.getByTestId('session-notice')).toHaveText(
    `The run's ${saved} events were already in the event store from an earlier save; nothing was added.`);
  await page.goto('/store');
  await expect(page.getByTestId('log-summary')).toHaveText(`${saved} events in the store, newest first.`);
});

test.describe('without the service worker, which would serve the run worker from its cache', () => {
  test.use({ serviceWorkers: 'block' });

  test('runs are derived in the run worker; one that cannot load says so, and the next run works', async ({ page }) => {
    const ws = new WorkshopPage(page);
    const blocked = /run_worker-[0-9a-f]+_loader\.js$/;
    await page.route(blocked, (route) => route.abort());
    await ws.open();
    await ws.preset.selectOption('quote-journey');
    await ws.run.click();
    await expect(page.getByTestId('error-view')).toContainText('The scenario did not run: the run worker stopped');
    await expect(page.getByTestId('run-summary')).toHaveCount(0);
    await expect(ws.run).toBeEnabled();
    // The worker's script arrives this time; the same click runs the scenario.
    await page.unroute(blocked);
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));
    await ws.run.click();
    await expect(page.getByTestId('run-summary')).toContainText('12 events');
    // The error no longer holds, so it goes.
    await expect(page.getByTestId('error-view')).toHaveCount(0);
    expect(workers.some((url) => /run_worker-[0-9a-f]+_loader\.js$/.test(url))).toBe(true);
  });
});
