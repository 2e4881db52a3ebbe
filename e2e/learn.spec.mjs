// Journeys through the guided exercises: exercise 1 with the keyboard only, from the level
// map to "solved"; the capstone's report export; importing an instructor pack; undo and
// reset; axe on the exercise views.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe.mjs';
import { savedDocument } from './documents.mjs';
import { tabTo } from './keys.mjs';


async function tabToLink(page, href) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((h) => document.activeElement?.getAttribute('href') === h, href)) return;
  }
  throw new Error(`Tab never reached the link to ${href}`);
}

const SOLUTION = JSON.stringify({
  scenario: {
    style: 'event_carried_state',
    seed: 1,
    inputs: [
      { at_ms: 0, register_customer: { customer_id: 'c1', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com', postcode: 'EH1 1AA', birth_year: 1990 } },
      { at_ms: 2000, request_quote: { customer_id: 'c1', cover: 'home', sum_insured: 250000 } },
      { at_ms: 5000, accept_quote: { quote_id: 'q9' } },
    ],
  },
});

test('exercise 1 with the keyboard only, from the level map to solved', async ({ page }) => {
  await page.goto('/learn');
  await expect(page.getByTestId('learn-summary')).toHaveText('0 of 20 solved.');
  await expect(page.locator('.learn-map')).not.toHaveAttribute('inert');
  await tabToLink(page, '/learn/events-and-commands');
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText('Events are facts, commands can be refused');
  // The new page's heading has the focus, not the page body.
  await expect(heading).toBeFocused();

  // The narration, one idea at a time; Continue keeps the focus, and after the last one
  // the beat itself has it.
  await expect(page.getByTestId('beat')).toContainText('1 of 3');
  await tabTo(page, 'beat-continue');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('beat')).toContainText('2 of 3');
  await expect(page.getByTestId('beat-continue')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('beat')).toContainText('3 of 3');
  await expect(page.getByTestId('beat')).toBeFocused();
  await expect(page.getByTestId('beat-waiting')).toHaveText('Check your design to continue.');

  // The goals are listed before the first Check.
  await expect(page.getByTestId('goals-intro')).toHaveText('Your design is checked against 2 goal(s):');
  await expect(page.getByTestId('goals').locator('li')).toHaveCount(2);
  // Check the starting design: one goal fails, and says why.
  await tabTo(page, 'check');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('check-summary')).toHaveText('1 of 2 goals pass.');
  await expect(page.getByTestId('goals')).toHaveCount(0);
  await expect(page.getByTestId('checks')).toContainText('Every command was carried out; none was refused.');
  await expect(page.getByTestId('beat-waiting')).toHaveCount(0);

  // The graded hints, one at a time.
  await tabTo(page, 'hint-next');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('hints').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('hints').locator('li').last()).toBeFocused();
  // The last hint, too, leaves the focus on the hint it showed.
  for (const n of [2, 3]) {
    await tabTo(page, 'hint-next');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('hints').locator('li')).toHaveCount(n);
    await expect(page.getByTestId('hints').locator('li').last()).toBeFocused();
  }
  await expect(page.getByTestId('hint-next')).toHaveCount(0);

  // An invalid edit is refused and changes nothing.
  await tabTo(page, 'design-editor');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('{"scenario": ');
  await tabTo(page, 'check');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('error-view')).toContainText('Nothing was checked');
  await expect(page.getByTestId('error-view')).toContainText('The design is not valid. The text ends too early (line 1, column 14): a closing bracket, brace or quote is missing.');
  // No parser's own words reach the learner.
  await expect(page.getByTestId('error-view')).not.toContainText('EOF');
  await expect(page.getByTestId('check-summary')).toHaveText('1 of 2 goals pass.');

  // The fix, typed.
  await tabTo(page, 'design-editor');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(SOLUTION);
  await tabTo(page, 'check');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('check-summary')).toHaveText('Solved! Golf 3 (par 3).');
  await expect(page.getByTestId('checks')).toContainText('AcceptQuote');
  expect(await axeViolations(page)).toEqual([]);

  // Back on the map, it is solved with its golf score, and that survives a reload.
  await tabTo(page, 'back-to-map');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('level-events-and-commands').getByTestId('level-status')).toHaveText('Solved');
  await expect(page.getByTestId('level-events-and-commands')).toContainText('best golf 3, par 3');
  await page.reload();
  await expect(page.getByTestId('learn-summary')).toHaveText('1 of 20 solved.');
  expect(await savedDocument(page, 'event-dojo.learn')).toContain('"solved":true');
  expect(await axeViolations(page)).toEqual([]);
});

test('undo takes back the last change, then one checked design; reset starts again; show solution does not apply', async ({ page }) => {
  await page.goto('/learn/dead-letter-queue');
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  const editor = page.getByTestId('design-editor');
  const start = await editor.inputValue();
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toHaveText('0 of 2 goals pass.');
  await page.getByTestId('show-solution').click();
  await expect(page.getByTestId('exercise-notice')).toHaveText('The reference solution is in both views. Nothing is applied until you press Check; Undo brings your design back.');
  await expect(page.getByTestId('check-summary')).toHaveText('0 of 2 goals pass.');
  await expect(page.getByTestId('check-stale')).toBeVisible();
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toHaveText('Solved! Golf 0 (par 0).');
  await expect(page.getByTestId('check-stale')).toHaveCount(0);
  // Undo first takes back the last change in this visit (the solution), leaving the
  // verdict marked as of an older design; then it goes back one checked design.
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('exercise-notice')).toHaveText('Undone: the design is as it was before your last change.');
  await expect(editor).toHaveValue(start);
  await expect(page.getByTestId('check-stale')).toBeVisible();
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('exercise-notice')).toHaveText('Back to your previous design.');
  await expect(editor).toHaveValue(start);
  await expect(page.getByTestId('check-summary')).toHaveText('0 of 2 goals pass.');
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('check-summary')).toHaveCount(0);
  await expect(page.getByTestId('beat')).toContainText('1 of 3');
  await page.goto('/learn');
  await expect(page.getByTestId('level-dead-letter-queue')).toContainText('best golf 0, par 0');
});

test('the capstone: checks per requirement, answers, and a report to hand in', async ({ page }) => {
  await page.goto('/learn/capstone');
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toHaveText('1 of 6 goals pass.');
  await page.getByTestId('show-solution').click();
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toHaveText('Solved! Golf 3 (par 3).');
  await page.getByTestId('review-0').fill('Producers stay unaware of consumers; rules can change without touching them.');
  await page.getByTestId('mode-free').check();
  await expect(page.getByTestId('beats').locator(':scope > li')).toHaveCount(3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-report').click()]);
  expect(download.suggestedFilename()).toBe('event-dojo-capstone.md');
  const report = readFileSync(await download.path(), 'utf8');
  expect(report).toContain('# Event Dojo capstone: Capstone: the insurance flow');
  expect(report).toContain('- [x] underwriting receives exactly 2 messages');
  expect(report).toContain('Every requirement is met; golf 3 (par 3).');
  expect(report).toContain('Producers stay unaware of consumers');
  expect(report).toContain('(not answered)');
  expect(await axeViolations(page)).toEqual([]);
});

const PACK = `
[[exercise]]
id = "my-queue"
title = "Route to my queue"
concept = "Instructor's own"
level = 100
kind = "channels"
par = 0
hints = ["a", "b", "c"]
goals = [{ goal = "delivered", queue = "mine", count = 1 }]
workload = [{ at_ms = 0, send = { queue = "mine", body = "x" } }]
beats = [{ text = "Make the queue exist." }]
[exercise.start.topology]
queues = [{ name = "other" }]
[exercise.solution.topology]
queues = [{ name = "mine" }]
`;

test('an instructor pack is validated in full, then listed on the map', async ({ page }) => {
  await page.goto('/learn');
  await expect(page.locator('.learn-map')).not.toHaveAttribute('inert');
  await page.getByTestId('pack-file').setInputFiles({ name: 'broken.toml', mimeType: 'text/plain', buffer: Buffer.from(PACK.replace('level = 100', 'level = 5')) });
  await expect(page.getByTestId('error-view')).toContainText('broken.toml: exercise my-queue, level: must be 100, 200 or 300');
  await expect(page.getByTestId('learn-summary')).toHaveText('0 of 20 solved.');
  await page.getByTestId('pack-file').setInputFiles({ name: 'mine.toml', mimeType: 'text/plain', buffer: Buffer.from(PACK) });
  await expect(page.getByTestId('pack-notice')).toHaveText('Imported 1 exercise from mine.toml: Route to my queue.');
  await expect(page.getByTestId('learn-summary')).toHaveText('0 of 21 solved.');
  await page.getByTestId('level-my-queue').getByRole('link').click();
  await page.getByTestId('check').click();
  await expect(page.getByTestId('checks')).toContainText('mine received 0 message(s), not 1. A step was refused: step 0 at 0 ms was refused: AWS.SimpleQueueService.NonExistentQueue');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Route to my queue');
});

test('a quiz from the live model is graded with the engine\'s answers', async ({ page }) => {
  await page.goto('/quiz?seed=5');
  await expect(page.getByTestId('q0')).toContainText('In the event notification style, which queues receive a QuoteAccepted event put on the bus?');
  // One wrong answer (comms instead of quote-generator), four right ones.
  await page.getByTestId('q0-o1').check();
  await page.getByTestId('q1-o3').check();
  await page.getByTestId('q2-o0').check();
  await page.getByTestId('q3-o1').check();
  await page.getByTestId('q4-o1').check();
  await page.getByTestId('quiz-check').click();
  await expect(page.getByTestId('quiz-score')).toHaveText('4 of 5 right.');
  await expect(page.getByTestId('q0-verdict')).toContainText('✗ Not quite. The answer: quote-generator.');
  await expect(page.getByTestId('q3-verdict')).toContainText('Group B is locked while b1 is in flight');
  expect(await axeViolations(page)).toEqual([]);
  await page.getByTestId('q0-o1').uncheck();
  await page.getByTestId('q0-o0').check();
  await expect(page.getByTestId('quiz-score')).toHaveCount(0);
  await page.getByTestId('quiz-check').click();
  await expect(page.getByTestId('quiz-score')).toHaveText('5 of 5 right.');
  const before = await page.getByTestId('quiz').innerText();
  await page.getByTestId('quiz-new').click();
  await expect(page.getByTestId('quiz')).not.toHaveText(before);
  await expect(page.getByTestId('quiz-score')).toHaveCount(0);
});

test('an exercise opens in the lab to explore, and the learner\'s own lab comes back', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-reset').click();
  await page.getByTestId('lab-queue-name').fill('mine');
  await page.getByTestId('lab-add-queue').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added queue mine.');
  await expect.poll(() => savedDocument(page, 'event-dojo.lab')).toContain('mine');

  await page.goto('/learn/dead-letter-queue');
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  await page.getByTestId('show-solution').click();
  await page.getByTestId('explore').click();
  await expect(page).toHaveURL(/\/lab$/);
  await expect(page.getByTestId('lab-topology')).toContainText('queue work → DLQ work-dlq after 3');
  await expect(page.getByTestId('node-queue:work-dlq')).toBeVisible();
  await expect(page.getByTestId('lab-trace')).toContainText('moved_to_dlq');
  await expect(page.getByTestId('backup-notice')).toContainText('What you had here before is kept.');
  await page.getByTestId('backup-restore').click();
  await expect(page.getByTestId('lab-topology')).toContainText('queue mine');
  await expect(page.getByTestId('lab-topology')).not.toContainText('work-dlq');
  await expect(page.getByTestId('backup-notice')).toHaveCount(0);
});

test('a system exercise opens in the workshop, run to the end of its history', async ({ page }) => {
  await page.goto('/learn/notification-hotspot');
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  await page.getByTestId('explore').click();
  await expect(page).toHaveURL(/\/workshop$/);
  await expect(page.getByTestId('run-summary')).toContainText('180 events, 40 messages sent');
  await expect(page.getByTestId('debugger-position')).toHaveText(/#(\d+) of \1/);
});

test('a pack imports from a URL, and a missing one says why', async ({ page }) => {
  await page.route('https://packs.example/**', (route) =>
    route.request().url().endsWith('/mine.toml')
      ? route.fulfill({ status: 200, contentType: 'text/plain', headers: { 'access-control-allow-origin': '*' }, body: PACK })
      : route.fulfill({ status: 404, headers: { 'access-control-allow-origin': '*' }, body: 'not found' }));
  await page.goto('/learn');
  await expect(page.locator('.learn-map')).not.toHaveAttribute('inert');
  await page.getByTestId('pack-url').fill('https://packs.example/gone.toml');
  await page.getByTestId('pack-url-import').click();
  await expect(page.getByTestId('error-view')).toContainText('https://packs.example/gone.toml answered HTTP 404.');
  await page.getByTestId('pack-url').fill('https://packs.example/mine.toml');
  await page.getByTestId('pack-url-import').click();
  await expect(page.getByTestId('pack-notice')).toHaveText('Imported 1 exercise from https://packs.example/mine.toml: Route to my queue.');
  await expect(page.getByTestId('level-my-queue')).toBeVisible();
});

test('"Explore in the workshop" opens the learner\'s own design, named as theirs', async ({ page }) => {
  await page.goto('/learn/events-and-commands');
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  // The learner's own edit: the solution plus one more refused command.
  const mine = JSON.parse(SOLUTION);
  mine.scenario.inputs.push({ at_ms: 6000, accept_quote: { quote_id: 'q404' } });
  await page.getByTestId('design-editor').fill(JSON.stringify(mine));
  await page.getByTestId('explore').click();
  await expect(page).toHaveURL(/\/workshop$/);
  const picker = page.getByTestId('scenario-preset');
  await expect(picker.locator('option:checked')).toHaveText('Your design: Events are facts, commands can be refused');
  await expect(page.getByTestId('scenario-description')).toContainText('Your design from the exercise "Events are facts, commands can be refused", with its 4 input(s).');
  // Its run is the learner's: the extra command is refused.
  await expect(page.getByTestId('run-summary')).toContainText('2 refused commands');
  expect(await axeViolations(page)).toEqual([]);
});

test('designs are written in AWS\'s names, mistakes are worded for a learner, and older names still read', async ({ page }) => {
  await page.goto('/learn/fifo');
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  const editor = page.getByTestId('design-editor');
  // The exercise's file uses the older names; the editor shows AWS's (CloudFormation's).
  await expect(editor).toHaveValue(/"QueueName": "payments.fifo",\s*"FifoQueue": true/);
  // Rules written inside a queue: where they belong, and what a queue takes.
  await editor.fill('{"topology": {"Queues": [{"QueueName": "orders.fifo", "FifoQueue": true, "Rules": []}]}}');
  await page.getByTestId('check').click();
  const error = page.getByTestId('error-view');
  await expect(error).toContainText('`Rules` is not a field of a queue (at `topology.Queues[0].Rules`). Rules belong to the topology itself: put `Rules` at its top level, beside `Queues`');
  await expect(error).toContainText('A queue takes `QueueName`, `FifoQueue`, `VisibilityTimeout`');
  // The same mistake is shown as it is typed, under the JSON.
  await expect(page.getByTestId('design-json-error')).toContainText('`Rules` is not a field of a queue');
  // A slip gets the closest name.
  await editor.fill('{"topology": {"Queues": [{"QueueName": "orders.fifo", "FifoQueue": true, "ContentBasedDeduplicaton": true}]}}');
  await page.getByTestId('check').click();
  // What the closest name means comes from the published schema, docs/design.schema.json.
  await expect(error).toContainText('Did you mean `ContentBasedDeduplication` (FIFO only: a SHA-256 of the body is the deduplication id');
  // A design in the older names is read as the same settings: it is checked.
  await editor.fill('{"topology": {"queues": [{"name": "orders.fifo", "fifo": true, "content_based_dedup": true}]}}');
  await page.getByTestId('check').click();
  await expect(error).toHaveCount(0);
  await expect(page.getByTestId('check-summary')).toBeVisible();
  // The forms read it, and what they write back is in AWS's names.
  await page.getByRole('button', { name: 'Edit queue orders.fifo', exact: true }).click();
  await page.getByTestId('lab-add-queue').click();
  await expect(editor).toHaveValue(/"QueueName": "orders.fifo"/);
  await expect(editor).toHaveValue(/"ContentBasedDeduplication": true/);
});

test('a channels exercise draws the learner\'s design from the start and redraws it as they edit', async ({ page }) => {
  await page.goto('/learn/dead-letter-queue');
  const drawing = page.getByTestId('exercise-drawing');
  await expect(drawing.getByTestId('node-queue:work')).toBeVisible();
  await expect(drawing.getByTestId('node-queue:work-dlq')).toHaveCount(0);
  // Before any Check, the drawing already carries the exercise's traffic.
  await expect(drawing.locator('.edge-count').first()).toBeVisible();
  const editor = page.getByTestId('design-editor');
  await editor.fill(JSON.stringify({ topology: { queues: [
    { name: 'work', visibility_timeout_s: 5, redrive: { dlq: 'work-dlq', max_receive_count: 3 } },
    { name: 'work-dlq' },
  ] } }));
  await expect(drawing.getByTestId('node-queue:work-dlq')).toBeVisible();
  // An edit that does not parse keeps the last drawing.
  await editor.fill('{"topology": ');
  await expect(drawing.getByTestId('node-queue:work-dlq')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});
