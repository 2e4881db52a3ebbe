// The capstone as the workshop runs it: an open brief met by the learner's own design,
// then the mock panel that reads that design, asks what happens when something goes
// wrong, takes a prediction before each experiment, runs it on the design and shows
// what happened beside it; the report carries the transcript.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe.mjs';

async function open(page, id) {
  await page.goto(`/learn/${id}`);
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  await expect(page.getByTestId('visual-editor')).not.toHaveAttribute('disabled');
}

async function saved(page, text) {
  await expect(page.getByTestId('lab-notice')).toContainText(text);
}

/** The quote-flow brief met a second team's way: one rule to a topic, three filtered subscriptions. */
async function fanOutDesign(page) {
  const sub = async (queue, policy) => {
    await page.getByTestId('lab-sub-topic').fill('quote-events');
    await page.getByTestId('lab-sub-queue').selectOption(queue);
    await page.getByTestId('lab-sub-policy').fill(policy);
    if (policy && !(await page.getByTestId('lab-sub-body').isChecked())) await page.getByTestId('lab-sub-body').check();
    if (!(await page.getByTestId('lab-sub-raw').isChecked())) await page.getByTestId('lab-sub-raw').check();
    await page.getByTestId('lab-add-sub').click();
    await saved(page, `Subscribed ${queue} to quote-events.`);
  };
  await sub('audit', '');
  await sub('underwriting', '{"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 1000]}]}}');
  await sub('dashboard', '{"detail-type": ["QuoteIssued", "QuoteAccepted"]}');
  await page.getByTestId('lab-rule-name').fill('all-quotes');
  await page.getByTestId('lab-rule-pattern').fill('{"source": ["dojo.quotes"]}');
  await page.getByTestId('lab-rule-target-topic:quote-events').click();
  await page.getByTestId('lab-add-rule').click();
  await saved(page, 'Added rule all-quotes.');
}

async function asked(page) {
  return page.getByTestId('panel-asks').allTextContents();
}

test('a whole capstone: a brief met by the learner\'s own design, then the panel\'s five questions predicted, run and answered, and the report', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, 'brief-quote-flow');
  // Closed until a design meets every requirement, and it says so.
  await expect(page.getByTestId('panel-closed')).toContainText('opens when your latest checked design meets every requirement');
  await fanOutDesign(page);
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toContainText('Solved!');
  await expect(page.getByTestId('panel-closed')).toHaveCount(0);
  const questions = page.getByTestId('panel-question');
  await expect(questions).toHaveCount(5);
  const first = await asked(page);
  // The panel asks about this design's own resources.
  expect(first.join('\n')).toContain('audit');
  expect(first.join('\n')).toContain('bus default');

  // A prediction needs a sentence: nothing runs without one.
  const q1 = questions.nth(0);
  await q1.getByTestId('panel-choice-lost').check();
  await q1.getByTestId('panel-commit').click();
  await expect(q1.getByTestId('panel-problem')).toContainText('Say why in a sentence');
  await expect(q1.getByTestId('panel-outcome')).toHaveCount(0);

  const happened = [];
  for (let i = 0; i < 5; i++) {
    const q = questions.nth(i);
    await q.getByTestId('panel-choice-lost').check();
    await q.getByTestId('panel-why').fill(`Prediction ${i + 1}: it is gone for good.`);
    await q.getByTestId('panel-commit').click();
    await expect(q.getByTestId('panel-outcome')).toBeVisible();
    // What happened is measured on this design, beside what was predicted.
    await expect(q.getByTestId('panel-predicted')).toHaveText('Messages are lost, or reach no one');
    await expect(q.getByTestId('panel-facts')).toContainText('As designed: 15 message(s) handled');
    const h = await q.getByTestId('panel-happened').textContent();
    happened.push(h);
    await expect(q.getByTestId('panel-verdict')).toContainText(h === 'Messages are lost, or reach no one' ? 'matched' : 'It went differently');
    await q.getByTestId('panel-answer').fill(`Answer ${i + 1}: what we would change.`);
  }
  // The panel's outcomes differ: not every experiment loses messages.
  expect(new Set(happened).size).toBeGreaterThan(1);
  // A poison message in a queue without a dead-letter queue stays there.
  const poison = questions.filter({ hasText: 'can never process' }).first();
  await expect(poison.getByTestId('panel-happened')).toHaveText('Messages stay in a queue, retried again and again');
  await expect(poison.getByTestId('panel-facts')).toContainText('never deleted by its consumer');

  // Step through the experiment: the canvas follows the clock.
  await poison.getByTestId('panel-watch').click();
  const replay = poison.getByTestId('panel-replay');
  await expect(replay.getByTestId('lab-canvas')).toBeVisible();
  await expect(replay).toContainText('Time travel: t = 10 min');
  await replay.getByTestId('panel-clock').fill('0');
  await expect(replay).toContainText('Time travel: t = 0.0 s');

  // The report is the defence's material: the transcript with both members' words.
  await page.getByTestId('review-0').fill('A topic lets more teams subscribe.');
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('export-report').click();
  await expect.poll(() => downloads.length).toBe(2);
  const byName = Object.fromEntries(await Promise.all(downloads.map(async (d) => [d.suggestedFilename(), readFileSync(await d.path(), 'utf8')])));
  const md = byName['event-dojo-brief-quote-flow.md'];
  // The design drawn: the file the report names, with this design's resources.
  expect(md).toContain('![The design, drawn](event-dojo-brief-quote-flow-design.svg)');
  const svg = byName['event-dojo-brief-quote-flow-design.svg'];
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const name of ['topic: quote-events', 'rule: all-quotes', 'queue: audit', 'queue: underwriting', 'queue: dashboard']) expect(svg).toContain(`>${name}</text>`);
  expect(md).toContain('## Mock panel (seed 1)');
  for (const a of first) expect(md).toContain(a);
  expect(md).toContain('**Predicted:** Messages are lost, or reach no one');
  expect(md).toContain('Answer 5: what we would change.');
  expect(md).toContain('A topic lets more teams subscribe.');

  // The printable page: the drawing and the same report, with a Print button.
  await page.getByTestId('printable-toggle').click();
  const printable = page.getByTestId('printable-report');
  await expect(printable.getByTestId('report-diagram')).toBeVisible();
  expect(await printable.getByTestId('report-diagram').evaluate((img) => img.naturalWidth)).toBe(1110);
  await expect(printable).toContainText('Mock panel (seed 1)');
  await expect(printable).toContainText('Answer 5: what we would change.');
  await expect(printable.getByTestId('print-report')).toBeVisible();

  // Kept: after a reload the panel shows the same outcomes and answers.
  await page.reload();
  await expect(page.getByTestId('panel-outcome')).toHaveCount(5);
  await expect(questions.nth(4).getByTestId('panel-answer')).toHaveValue('Answer 5: what we would change.');

  // A seed makes a panel repeatable; another seed draws again from the same findings.
  await page.getByTestId('panel-seed').fill('2');
  await page.getByTestId('panel-seed').press('Enter');
  await page.getByTestId('panel-seed').blur();
  await expect(page.getByTestId('panel-seed')).toHaveValue('2');
  await page.getByTestId('panel-seed').fill('1');
  await page.getByTestId('panel-seed').blur();
  await expect.poll(() => asked(page)).toEqual(first);
});

test('two designs that both meet the brief are asked different questions', async ({ page }) => {
  await open(page, 'brief-quote-flow');
  await fanOutDesign(page);
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toContainText('Solved!');
  await expect(page.getByTestId('panel-question')).toHaveCount(5);
  const fanOut = await asked(page);
  // The reference design: three rules, one of which reads the premium.
  await page.getByTestId('show-solution').click();
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toContainText('Solved!');
  await expect.poll(async () => (await asked(page)).join('\n')).toContain('Rule underwriting-review reads detail.premium');
  const rules = await asked(page);
  expect(rules).not.toEqual(fanOut);
  // The fan-out design has no rule that reads the premium; its subscription's filter does.
  expect(fanOut.join('\n')).not.toContain('Rule underwriting-review');
  expect(fanOut.join('\n')).toContain('filters on detail.premium');
});

test('the panel has no axe violations in light or dark, with an outcome and its replay showing', async ({ page }) => {
  await open(page, 'brief-claims-in-order');
  await page.getByTestId('show-solution').click();
  await page.getByTestId('check').click();
  await expect(page.getByTestId('check-summary')).toContainText('Solved!');
  const q = page.getByTestId('panel-question').first();
  await q.getByTestId('panel-choice-late').check();
  await q.getByTestId('panel-why').fill('It waits.');
  await q.getByTestId('panel-commit').click();
  await q.getByTestId('panel-watch').click();
  await expect(q.getByTestId('panel-replay')).toBeVisible();
  await page.getByTestId('printable-toggle').click();
  await expect(page.getByTestId('report-diagram')).toBeVisible();
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(400);
    expect(await axeViolations(page), scheme).toEqual([]);
  }
});
