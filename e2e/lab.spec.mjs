// Journey: build a topology in the channels lab; an invalid pattern is refused with the
// AWS reason and changes nothing; a message flows through; a reload keeps it all.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';
import { savedDocument } from './documents.mjs';

test('build a topology, refuse an invalid pattern, and watch a message flow', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-reset').click();
  await page.getByTestId('lab-queue-name').fill('quotes');
  await page.getByTestId('lab-add-queue').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added queue quotes.');

  await page.getByTestId('lab-rule-pattern').fill('{"detail-type": "QuoteIssued"}');
  await expect(page.getByTestId('lab-rule-error')).toHaveText(
    'Event pattern is not valid. Reason: "detail-type" must be an object or an array (line 1, column 17)');
  await expect(page.getByTestId('lab-add-rule')).toBeDisabled();

  await page.getByTestId('lab-rule-pattern').fill('{"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 500]}]}}');
  await expect(page.getByTestId('lab-rule-error')).toBeEmpty();
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('error-view')).toContainText('Choose at least one target for the rule.');
  await expect(page.getByTestId('lab-topology')).not.toContainText('rule big-quotes');
  await page.getByTestId('lab-rule-target-queue:quotes').check();
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added rule big-quotes.');
  await expect(page.getByTestId('lab-topology')).toContainText('rule big-quotes → queue:quotes');

  await page.getByTestId('lab-put-event').click();
  const trace = page.getByTestId('lab-trace');
  await expect(trace).toContainText('matched: true');
  await expect(trace).toContainText('queue:quotes');
  await expect(page.getByTestId('lab-narration')).toHaveText('Message 1 published on bus:default; matched 1 of 1 rule; delivered to queue:quotes (depth 1).');
  await page.getByTestId('lab-message').fill('{"quote_id": "q2", "premium": 450}');
  await page.getByTestId('lab-put-event').click();
  await expect(trace).toContainText('`detail.premium` is 450');
  await expect(page.getByTestId('lab-narration')).toHaveText('Message 2 published on bus:default; matched 0 of 1 rule.');

  await page.reload();
  await expect(page.getByTestId('lab-topology')).toContainText('queue quotes');
  await expect(page.getByTestId('lab-topology')).toContainText('rule big-quotes');
  await expect(page.getByTestId('lab-trace')).toContainText('`detail.premium` is 450');
  // Once the saved lab is read the page takes input again, and it was saved in IndexedDB.
  await expect(page.locator('.lab-page')).not.toHaveAttribute('inert');
  expect(await savedDocument(page, 'event-dojo.lab')).toContain('big-quotes');
});

test('the lab has no axe violations', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-rule-pattern').fill('{"x": 1}');
  await expect(page.getByTestId('lab-rule-error')).not.toBeEmpty();
  expect(await axeViolations(page)).toEqual([]);
});

test('a workload with a spike is scheduled and played on the virtual clock', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-reset').click();
  await page.getByTestId('lab-queue-name').fill('quotes');
  await page.getByTestId('lab-add-queue').click();
  await page.getByTestId('lab-rule-target-queue:quotes').check();
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added rule big-quotes.');
  await page.getByTestId('w-rate').fill('5');
  await page.getByTestId('w-for').fill('2');
  await page.getByTestId('w-spike-n').fill('10');
  await page.getByTestId('w-generate').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Scheduled 20 events; play the clock to send them.');
  // The first event is due now, so it goes at once.
  await expect(page.getByTestId('lab-waiting')).toHaveText('19 messages wait for their time; play the clock.');
  await page.getByTestId('clock-step').click();
  await expect(page.getByTestId('clock-now')).toHaveText('t = 1.0 s');
  await expect(page.getByTestId('lab-waiting')).not.toHaveText('19 messages wait for their time; play the clock.');
  await page.locator('#clock-speed').selectOption('10');
  await page.getByTestId('clock-play').click();
  await expect(page.getByTestId('lab-waiting')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('clock-play')).toHaveText('Play');
  await expect(page.getByTestId('lab-trace')).toContainText('depth: 20');
  // The trace scrolls in its own box: the page does not grow with it.
  const box = await page.getByTestId('lab-trace-scroll').boundingBox();
  const maxHeight = await page.getByTestId('lab-trace-scroll').evaluate((e) => parseFloat(getComputedStyle(e).maxHeight));
  expect(maxHeight).toBeGreaterThan(0);
  expect(box.height).toBeLessThanOrEqual(maxHeight + 2);
  expect(await page.getByTestId('lab-trace-scroll').evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
  await page.getByTestId('w-rate').fill('fast');
  await page.getByTestId('w-generate').click();
  await expect(page.getByTestId('error-view')).toContainText('Rate must be a number of 0 or more, not "fast".');
});

test('the design exports as a CloudFormation template, with what changes on AWS', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-preset').selectOption({ label: 'Rule → topic fan-out, a FIFO queue and a failing handler' });
  await page.getByTestId('lab-load-preset').click();
  await expect(page.getByTestId('lab-topology')).toContainText('queue orders.fifo');
  const download = page.waitForEvent('download');
  await page.getByTestId('lab-export-cfn').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('event-dojo-stack.yaml');
  const { readFileSync } = await import('node:fs');
  const yaml = readFileSync(await file.path(), 'utf8');
  for (const resource of ['AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::SNS::Subscription', 'AWS::Events::Rule', 'AWS::SQS::QueuePolicy']) {
    expect(yaml).toContain(`Type: "${resource}"`);
  }
  expect(yaml).toContain('FifoQueue: true');
  expect(yaml).toContain('FilterPolicyScope: MessageBody');
  await expect(page.getByTestId('lab-export-notice')).toContainText('aws cloudformation deploy --template-file event-dojo-stack.yaml');
  await page.getByTestId('lab-aws-differences').locator('summary').click();
  await expect(page.getByTestId('lab-aws-differences')).toContainText('IAM:');
  await expect(page.getByTestId('lab-export-left-out')).toHaveCount(0);
});

test('a rule sends constant Input, a subscription has a dead-letter queue, and a FIFO target needs its message group', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-reset').click();
  for (const name of ['audit', 'dead']) {
    await page.getByTestId('lab-queue-name').fill(name);
    await page.getByTestId('lab-add-queue').click();
  }
  // A constant Input: the target gets it instead of the event.
  await page.getByTestId('lab-rule-name').fill('ping');
  await page.getByTestId('lab-rule-pattern').fill('{"detail-type": ["QuoteIssued"]}');
  await page.getByTestId('lab-rule-target-queue:audit').check();
  await page.getByTestId('lab-rule-input').fill('{"seen": true}');
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added rule ping.');
  await page.getByTestId('lab-put-event').click();
  await expect(page.getByTestId('lab-trace')).toContainText('output: {"seen": true}');
  // Beside a transformer it is refused with AWS's rule, and nothing changes.
  await page.getByTestId('lab-rule-template').fill('{"p": <premium>}');
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('error-view')).toContainText('a target takes one of Input, InputPath or InputTransformer, not more');
  await page.getByTestId('lab-rule-template').fill('');
  // A subscription with a dead-letter queue, shown in the list and the inspector.
  await page.getByTestId('lab-sub-queue').selectOption('audit');
  await page.getByTestId('lab-sub-dlq').selectOption('dead');
  await page.getByTestId('lab-add-sub').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Subscribed audit to quote-events.');
  await page.getByTestId('node-sub:quote-events/0').click();
  await expect(page.getByTestId('inspector-sub-dlq')).toHaveText('What cannot be delivered goes to the dead-letter queue dead.');
  await page.keyboard.press('Escape');
  // A FIFO queue as a target needs SqsParameters.MessageGroupId.
  await page.getByTestId('lab-queue-name').fill('orders.fifo');
  await page.getByTestId('lab-queue-dedup').check();
  await page.getByTestId('lab-add-queue').click();
  await page.getByTestId('lab-rule-name').fill('orders');
  await page.getByTestId('lab-rule-input').fill('');
  await page.getByTestId('lab-rule-target-queue:audit').uncheck();
  await page.getByTestId('lab-rule-target-queue:orders.fifo').check();
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('error-view')).toContainText('needs a message group: give the target SqsParameters with a MessageGroupId');
  await page.getByTestId('lab-rule-group').fill('orders');
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added rule orders.');
  expect(await axeViolations(page)).toEqual([]);
});
