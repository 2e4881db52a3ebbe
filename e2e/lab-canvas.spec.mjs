// Journeys on the lab's canvas: the topology you build is drawn with message counts, and
// a node's inspector shows a queue's messages and FIFO group locks (with receive and
// delete as a consumer), a DLQ redrive, a rule's pattern and targets, and a custom bus.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';

async function freshLab(page) {
  await page.goto('/lab');
  await page.getByTestId('lab-reset').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Started from an empty topology.');
}

async function addQueue(page, name, { visibility = '30', dlq = '', max = '3' } = {}) {
  await page.getByTestId('lab-queue-name').fill(name);
  await page.getByTestId('lab-queue-visibility').fill(visibility);
  if (dlq) {
    await page.getByTestId('lab-queue-dlq').selectOption(dlq);
    await page.getByTestId('lab-queue-max').fill(max);
  }
  await page.getByTestId('lab-add-queue').click();
  await expect(page.getByTestId('lab-notice')).toHaveText(`Added queue ${name}.`);
  if (dlq) await page.getByTestId('lab-queue-dlq').selectOption('');
}

async function sendToQueue(page, queue, body, group) {
  await page.getByTestId('lab-message-queue').selectOption(queue);
  await page.getByTestId('lab-message').fill(body);
  if (group) await page.getByTestId('lab-message-group').fill(group);
  await page.getByTestId('lab-send-queue').click();
}

test('a FIFO queue shows which group is locked and by which message, until the delete', async ({ page }) => {
  await freshLab(page);
  await addQueue(page, 'orders.fifo', { visibility: '20' });
  await sendToQueue(page, 'orders.fifo', '{"order": "a1"}', 'A');
  await sendToQueue(page, 'orders.fifo', '{"order": "a2"}', 'A');
  await sendToQueue(page, 'orders.fifo', '{"order": "b1"}', 'B');
  const canvas = page.getByTestId('lab-canvas');
  await expect(canvas.locator('.edge-count')).toHaveText(['3']);

  await page.getByTestId('node-queue:orders.fifo').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-summary')).toHaveText('3 visible, 0 in flight, 0 delayed; 3 sent, 0 received, 0 deleted, 0 dropped.');
  await expect(inspector.getByTestId('inspector-locks')).toHaveText('No message group is locked.');
  await expect(inspector.getByTestId('inspector-settings')).toContainText('FIFO queue; visibility timeout 20 s');

  await inspector.getByTestId('inspector-receive').click();
  await expect(inspector.getByTestId('inspector-locks')).toHaveText(
    'Group A is locked by message orders.fifo-1: the next message of A waits until it is deleted or becomes visible again.');
  await expect(inspector.getByTestId('inspector-messages').locator('li').first()).toContainText('in flight, visible again in 20.0 s (received 1×, group A)');
  // A consumer node appears, and the countdown runs with the virtual clock.
  await expect(page.getByTestId('node-consumer')).toBeVisible();
  await page.getByTestId('clock-step-10').click();
  await expect(inspector.getByTestId('inspector-messages').locator('li').first()).toContainText('visible again in 10.0 s');
  // Receiving again skips the locked group A and takes B's message.
  await inspector.getByTestId('inspector-receive').click();
  await expect(inspector.getByTestId('inspector-locks').locator('li')).toHaveCount(2);
  await expect(inspector.getByTestId('inspector-locks')).toContainText('Group B is locked by message orders.fifo-3');

  await inspector.getByTestId('inspector-delete').click();
  await expect(inspector.getByTestId('inspector-locks')).toHaveText('No message group is locked.');
  await expect(inspector.getByTestId('inspector-summary')).toHaveText('1 visible, 0 in flight, 0 delayed; 3 sent, 2 received, 2 deleted, 0 dropped.');

  await inspector.getByTestId('inspector-visibility').fill('forever');
  await inspector.getByTestId('inspector-receive').click();
  await expect(inspector.getByRole('alert')).toHaveText('The visibility timeout must be a whole number of seconds from 0 to 43,200, not "forever".');
  await expect(inspector.getByTestId('inspector-summary')).toHaveText('1 visible, 0 in flight, 0 delayed; 3 sent, 2 received, 2 deleted, 0 dropped.');
  expect(await axeViolations(page)).toEqual([]);
});

test('a message received too often moves to the dead-letter queue, drawn as an edge', async ({ page }) => {
  await freshLab(page);
  await addQueue(page, 'work-dlq');
  await addQueue(page, 'work', { visibility: '5', dlq: 'work-dlq', max: '1' });
  await sendToQueue(page, 'work', '{"job": 1}');
  await page.getByTestId('node-queue:work').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-settings')).toContainText('dead-letter queue work-dlq after 1 receives. Its dead-letter queue work-dlq holds 0.');
  await inspector.getByTestId('inspector-receive').click();
  await page.getByTestId('clock-step-10').click();
  await expect(inspector.getByTestId('inspector-messages')).toContainText('visible (received 1×)');
  await inspector.getByTestId('inspector-receive').click();
  await expect(inspector.getByTestId('inspector-settings')).toContainText('Its dead-letter queue work-dlq holds 1.');
  await expect(page.getByTestId('lab-trace')).toContainText('moved_to_dlq');
  await page.getByTestId('node-queue:work-dlq').click();
  await expect(page.getByTestId('inspector-summary')).toHaveText('1 visible, 0 in flight, 0 delayed; 1 sent, 0 received, 0 deleted, 0 dropped.');
});

test('a preset draws its topic, rule and subscription; a rule shows its pattern, targets and transformer', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-preset').selectOption({ label: 'Rule → topic fan-out, a FIFO queue and a failing handler' });
  await page.getByTestId('lab-load-preset').click();
  for (const id of ['bus:default', 'topic:quote-events', 'rule:default/big-quotes', 'sub:quote-events/0', 'queue:comms', 'handler:crm', 'queue:failed-events']) {
    await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  }
  await page.getByTestId('lab-message').fill('{"customerId": "c-1", "premium": 650}');
  await page.getByTestId('lab-put-event').click();
  await page.getByTestId('node-rule:default/big-quotes').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-pattern')).toContainText('"dojo.quotes"');
  await expect(inspector.getByTestId('inspector-targets')).toContainText('Target notify: topic:quote-events with an input transformer');
  await expect(inspector.getByTestId('inspector-targets')).toContainText('Target crm: handler:crm, the whole event');
  // The lab puts events with source dojo.lab, so this rule does not match: the canvas says 0 of 1.
  await expect(inspector.getByTestId('inspector-summary')).toHaveText('Rule big-quotes on bus default, enabled; matched 0 of 1 events.');
  await page.getByTestId('node-sub:quote-events/0').click();
  await expect(page.getByTestId('inspector-summary')).toContainText('The policy filters on the message body.');
});

test('a custom bus takes its own rules and events, and the narration names it', async ({ page }) => {
  await freshLab(page);
  await addQueue(page, 'quotes');
  await page.getByTestId('lab-bus-name').fill('quotes-bus');
  await page.getByTestId('lab-add-bus').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added bus quotes-bus.');
  await page.getByTestId('lab-add-bus').click();
  await expect(page.getByTestId('error-view')).toContainText('There is already a bus named quotes-bus.');
  await page.getByTestId('lab-rule-bus').selectOption('quotes-bus');
  await page.getByTestId('lab-rule-pattern').fill('{"detail-type": ["QuoteIssued"]}');
  await page.getByTestId('lab-rule-target-queue:quotes').check();
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('lab-topology')).toContainText('rule big-quotes on quotes-bus → queue:quotes');
  await expect(page.getByTestId('node-rule:quotes-bus/big-quotes')).toBeVisible();
  await page.getByTestId('lab-message-bus').selectOption('quotes-bus');
  await page.getByTestId('lab-put-event').click();
  await expect(page.getByTestId('lab-narration')).toHaveText(
    'Message 1 published on bus:quotes-bus; matched 1 of 1 rule; delivered to queue:quotes (depth 1).');
  // The bus is in use, so it cannot be removed; nothing changes.
  await page.getByRole('button', { name: 'Remove bus quotes-bus' }).click();
  await expect(page.getByTestId('error-view')).toContainText('It cannot be removed while something uses it');
  await expect(page.getByTestId('lab-topology')).toContainText('bus quotes-bus');
});

test('at high volume the canvas shows counters instead of animating', async ({ page }) => {
  await freshLab(page);
  await page.getByTestId('w-rate').fill('0');
  await page.getByTestId('w-spike-n').fill('60');
  await page.getByTestId('w-spike-over').fill('1');
  await page.getByTestId('w-spike-at').fill('0');
  await page.getByTestId('w-generate').click();
  await page.getByTestId('clock-step').click();
  await expect(page.getByTestId('canvas-busy')).toHaveText('High volume: showing counters only.');
  await expect(page.getByTestId('lab-canvas').locator('.message-dot')).toHaveCount(0);
  await expect(page.getByTestId('lab-canvas').locator('.edge-count')).toHaveText(['60']);
});

test('queue attributes change while the lab runs: listed in the inspector, and a redrive applies at the next receive', async ({ page }) => {
  await freshLab(page);
  await addQueue(page, 'work-dlq');
  await addQueue(page, 'work', { visibility: '30' });
  await sendToQueue(page, 'work', '{"job": 1}');
  await page.getByTestId('node-queue:work').click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('inspector-receive').click();
  await expect(inspector.getByTestId('inspector-messages')).toContainText('visible again in 30.0 s (received 1×)');
  // A bad value is refused with its reason, and nothing changes.
  await inspector.getByTestId('attr-delay').fill('901');
  await inspector.getByTestId('attr-set').click();
  await expect(inspector.getByTestId('attr-status')).toHaveText('DelaySeconds must be a whole number of seconds from 0 to 900, not "901".');
  await expect(inspector.getByTestId('inspector-changes')).toHaveCount(0);
  // A shorter visibility timeout applies to later receives only; a redrive policy to the next receive.
  await inspector.getByTestId('attr-delay').fill('');
  await inspector.getByTestId('attr-visibility').fill('5');
  await inspector.getByTestId('attr-dlq').selectOption('work-dlq');
  await inspector.getByTestId('attr-receives').fill('1');
  await inspector.getByTestId('attr-set').click();
  await expect(inspector.getByTestId('attr-status')).toHaveText(/^Changed at t = \d+\.\d s/);
  await expect(inspector.getByTestId('inspector-settings')).toContainText('visibility timeout 5 s');
  await expect(inspector.getByTestId('inspector-settings')).toContainText('dead-letter queue work-dlq after 1 receives. Its dead-letter queue work-dlq holds 0.');
  await expect(inspector.getByTestId('inspector-changes')).toContainText('SetQueueAttributes: VisibilityTimeout 5 s (for later receives); RedrivePolicy to work-dlq after 1 receives.');
  await expect(inspector.getByTestId('inspector-messages')).toContainText('visible again in 30.0 s', { message: 'the message already in flight keeps its timeout' });
  await expect(page.getByTestId('lab-trace')).toContainText('configured');
  for (let i = 0; i < 3; i++) await page.getByTestId('clock-step-10').click();
  await inspector.getByTestId('inspector-receive').click();
  await expect(inspector.getByTestId('inspector-settings')).toContainText('Its dead-letter queue work-dlq holds 1.');
  expect(await axeViolations(page)).toEqual([]);
  // A queue chosen for sending that a preset takes away is no longer shown as chosen.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('lab-message-queue')).toHaveValue('work');
  await page.getByTestId('lab-preset').selectOption('3');
  await page.getByTestId('lab-load-preset').click();
  await expect(page.getByTestId('lab-message-queue')).toHaveValue('');
  await page.getByTestId('lab-send-queue').click();
  await expect(page.getByTestId('error-view')).toContainText('Choose a queue to send to.');
});

test('the narration follows a failing delivery through its retries', async ({ page }) => {
  await page.goto('/lab');
  await page.getByTestId('lab-preset').selectOption('3');
  await page.getByTestId('lab-load-preset').click();
  await page.getByTestId('lab-rule-name').fill('every-quote');
  await page.getByTestId('lab-rule-pattern').fill('{"detail-type": ["QuoteIssued"]}');
  await page.getByTestId('lab-rule-target-handler:crm').check();
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('lab-notice')).toHaveText('Added rule every-quote.');
  await page.getByTestId('lab-put-event').click();
  await expect(page.getByTestId('lab-narration')).toHaveText(
    /^Message 1 published on bus:default; matched 1 of 2 rules; a delivery failed 1 time so far \(THROTTLING\); the next attempt is at \d+\.\d s\.$/);
  for (let i = 0; i < 6; i++) await page.getByTestId('clock-step-10').click();
  await expect(page.getByTestId('lab-narration')).toContainText(/a delivery failed \d+ times/);
});
