// Every shipped exercise (20) solved through the visual editor only: the forms, the list's
// Edit buttons and Check, never the JSON view and never "Show solution". Each journey
// counts the learner's actions (a click, a field filled, an option chosen) and prints
// them, and checks that the JSON view followed every change.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';

/** A learner's actions on one page, counted. */
function learner(page) {
  const self = {
    actions: 0,
    async click(testidOrLocator) {
      self.actions++;
      const target = typeof testidOrLocator === 'string' ? page.getByTestId(testidOrLocator) : testidOrLocator;
      await target.click();
    },
    async fill(testid, text) {
      self.actions++;
      await page.getByTestId(testid).fill(text);
    },
    /** A setting saved when the field is left: fill it, then Enter. */
    async set(testid, text) {
      self.actions++;
      await page.getByTestId(testid).fill(text);
      await page.getByTestId(testid).press('Enter');
    },
    async choose(testid, value) {
      self.actions++;
      await page.getByTestId(testid).selectOption(value);
    },
    async edit(label) {
      self.actions++;
      await page.getByRole('button', { name: `Edit ${label}`, exact: true }).click();
      // Edit moves the focus to the form's first field a frame later; a field filled
      // before that would see its text land in the focused one.
      await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).not.toBe('BUTTON');
    },
    async check() {
      self.actions++;
      await page.getByTestId('check').click();
    },
  };
  return self;
}

async function open(page, id) {
  await page.goto(`/learn/${id}`);
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  await expect(page.getByTestId('visual-editor')).not.toHaveAttribute('disabled');
}

async function solved(page, who, id) {
  await who.check();
  await expect(page.getByTestId('check-summary')).toContainText('Solved!');
  // The forms wrote the design: the JSON view holds it and still reads as a design.
  const json = JSON.parse(await page.getByTestId('design-editor').inputValue());
  expect(json).toBeTruthy();
  console.log(`${id}: solved in ${who.actions} actions through the visual editor`);
  return json;
}

/** A notice under "Change your design" after each save, never an error. */
async function saved(page, text) {
  await expect(page.getByTestId('lab-notice')).toContainText(text);
}

/** Adds a rule to one queue through the rule form, leaving no target ticked for the next. */
function ruleTo(page, me) {
  return async (name, pattern, target) => {
    await me.fill('lab-rule-name', name);
    await me.fill('lab-rule-pattern', pattern);
    await me.click(`lab-rule-target-queue:${target}`);
    await me.click('lab-add-rule');
    await saved(page, `Added rule ${name}.`);
    await me.click(`lab-rule-target-queue:${target}`);
  };
}

test('1 events and commands: a refused command, added as an input', async ({ page }) => {
  await open(page, 'events-and-commands');
  const me = learner(page);
  await me.choose('input-kind', 'accept_quote');
  await me.fill('input-quote', 'q7');
  await me.click('input-save');
  await saved(page, 'Added the input AcceptQuote q7.');
  await expect(page.getByTestId('scenario-inputs').locator('li')).toHaveCount(3);
  const json = await solved(page, me, 'events-and-commands');
  expect(json.scenario.inputs[2]).toEqual({ at_ms: 5000, accept_quote: { quote_id: 'q7' } });
});

test('2 event storming: accepting the quote binds a policy', async ({ page }) => {
  await open(page, 'event-storming');
  const me = learner(page);
  await me.choose('input-kind', 'accept_quote');
  await me.fill('input-at', '10');
  await me.click('input-save');
  await saved(page, 'Added the input AcceptQuote q1.');
  await solved(page, me, 'event-storming');
});

test('3 notification hotspot: another style ends the callbacks', async ({ page }) => {
  await open(page, 'notification-hotspot');
  const me = learner(page);
  await me.choose('scenario-style', 'event_carried_state');
  await saved(page, 'Style: Event-carried state transfer.');
  await expect(page.getByTestId('scenario-style-explained')).toContainText('replicas');
  const json = await solved(page, me, 'notification-hotspot');
  expect(json.scenario.style).toBe('event_carried_state');
});

test('4 carried state: polling more often keeps replicas fresh', async ({ page }) => {
  await open(page, 'carried-state');
  const me = learner(page);
  await me.set('scenario-poll', '500');
  await saved(page, 'Services poll every (ms): now 500.');
  await solved(page, me, 'carried-state');
});

test('5 event sourcing: two moves, replayed', async ({ page }) => {
  await open(page, 'event-sourcing');
  const me = learner(page);
  await me.choose('input-kind', 'change_address');
  await me.click('input-save');
  await saved(page, 'Added the input ChangeAddress c1 → G2 3BB.');
  await me.fill('input-at', '9');
  await me.fill('input-postcode', 'CF10 1AA');
  await me.click('input-save');
  await saved(page, 'Added the input ChangeAddress c1 → CF10 1AA.');
  await solved(page, me, 'event-sourcing');
});

test('6 CQRS: three acceptances reach the dashboard', async ({ page }) => {
  await open(page, 'cqrs');
  const me = learner(page);
  for (const [quote, at] of [['q1', '20'], ['q2', '21'], ['q3', '22']]) {
    await me.choose('input-kind', 'accept_quote');
    await me.fill('input-quote', quote);
    await me.fill('input-at', at);
    await me.click('input-save');
    await saved(page, `Added the input AcceptQuote ${quote}.`);
  }
  await solved(page, me, 'cqrs');
});

test('7 sync vs async: a queue deep enough for the spike', async ({ page }) => {
  await open(page, 'sync-vs-async');
  const me = learner(page);
  await me.set('decoupling-capacity', '1000');
  await saved(page, 'Queue capacity: now 1000.');
  await solved(page, me, 'sync-vs-async');
});

test('8 dead-letter queue: a DLQ after three receives', async ({ page }) => {
  await open(page, 'dead-letter-queue');
  const me = learner(page);
  await me.fill('lab-queue-name', 'work-dlq');
  await me.click('lab-add-queue');
  await saved(page, 'Added queue work-dlq.');
  await me.edit('queue work');
  await expect(page.getByTestId('lab-queue-name')).toHaveValue('work');
  await expect(page.getByTestId('lab-queue-visibility')).toHaveValue('5');
  await me.choose('lab-queue-dlq', 'work-dlq');
  await me.click('lab-add-queue');
  await saved(page, 'Updated queue work.');
  await expect(page.getByTestId('lab-topology')).toContainText('queue work → DLQ work-dlq after 3');
  const json = await solved(page, me, 'dead-letter-queue');
  // Written in AWS's names, with only what differs from the defaults.
  expect(json.topology.Queues).toEqual([
    { QueueName: 'work', VisibilityTimeout: 5, RedrivePolicy: { deadLetterTargetArn: 'work-dlq', maxReceiveCount: 3 } },
    { QueueName: 'work-dlq' },
  ]);
});

test('9 FIFO: content-based deduplication', async ({ page }) => {
  await open(page, 'fifo');
  const me = learner(page);
  await me.edit('queue payments.fifo');
  await me.click('lab-queue-dedup');
  await me.click('lab-add-queue');
  await saved(page, 'Updated queue payments.fifo.');
  await solved(page, me, 'fifo');
});

test('10 fan-out with filters: one topic, two filtered subscriptions', async ({ page }) => {
  await open(page, 'fan-out-filter');
  const me = learner(page);
  await me.edit('subscription quote-events → queue:comms');
  await expect(page.getByTestId('lab-sub-policy')).toHaveValue('');
  await me.fill('lab-sub-policy', '{"type": ["QuoteIssued"]}');
  await me.click('lab-add-sub');
  await saved(page, 'Updated the subscription of comms to quote-events.');
  await me.choose('lab-sub-queue', 'underwriting');
  await me.fill('lab-sub-policy', '{"type": ["PolicyBound"]}');
  await me.click('lab-add-sub');
  await saved(page, 'Subscribed underwriting to quote-events.');
  await solved(page, me, 'fan-out-filter');
});

test('11 rule and input transformer: a filtered, reshaped message', async ({ page }) => {
  await open(page, 'rule-transformer');
  const me = learner(page);
  await me.edit('rule to-comms → queue:comms');
  await expect(page.getByTestId('lab-rule-name')).toHaveValue('to-comms');
  await me.fill('lab-rule-pattern', '{"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 500]}]}}');
  await me.fill('lab-rule-paths', '{"customer": "$.detail.customer", "premium": "$.detail.premium"}');
  await me.fill('lab-rule-template', '{"customer": <customer>, "premium": <premium>}');
  await me.click('lab-add-rule');
  await saved(page, 'Updated rule to-comms.');
  await solved(page, me, 'rule-transformer');
});

test('12 archive and replay: an archive to replay from', async ({ page }) => {
  await open(page, 'archive-replay');
  const me = learner(page);
  await me.fill('lab-archive-name', 'all-quotes');
  await me.click('lab-add-archive');
  await saved(page, 'Added archive all-quotes.');
  await solved(page, me, 'archive-replay');
});

test('13 MQTT topics: a narrower subscription', async ({ page }) => {
  await open(page, 'mqtt-topics');
  const me = learner(page);
  await me.edit('step: at 0.5 s, dashboard subscribes to quotes/# (QoS 0)');
  await expect(page.getByTestId('step-filter')).toHaveValue('quotes/#');
  await me.fill('step-filter', 'quotes/north/+/status');
  await me.click('step-save');
  await saved(page, 'Changed the step: dashboard subscribes to quotes/north/+/status.');
  await solved(page, me, 'mqtt-topics');
});

test('14 last known state on AWS IoT Core: exact subscriptions get the retained state', async ({ page }) => {
  await open(page, 'iot-retained');
  // The exercise names its broker: its differences from MQTT 3.1.1 are the lesson.
  await expect(page.getByTestId('mqtt-profile')).toContainText('AWS IoT Core');
  const me = learner(page);
  await me.edit('step: at 0.5 s, dashboard subscribes to devices/+/state (QoS 1)');
  await me.fill('step-filter', 'devices/thermostat/state');
  await me.click('step-save');
  await saved(page, 'Changed the step: dashboard subscribes to devices/thermostat/state.');
  await me.fill('step-filter', 'devices/door/state');
  await me.click('step-save');
  await saved(page, 'Added a step: dashboard subscribes to devices/door/state.');
  await solved(page, me, 'iot-retained');
});

test('15 capstone: three rules and an archive on one bus', async ({ page }) => {
  await open(page, 'capstone');
  const me = learner(page);
  // Comms must hear within a minute: its 90 s delay goes.
  await me.edit('queue comms');
  await expect(page.getByTestId('lab-queue-delay')).toHaveValue('90');
  await me.fill('lab-queue-delay', '0');
  await expect(page.getByTestId('lab-queue-name')).toHaveValue('comms');
  await me.click('lab-add-queue');
  await saved(page, 'Updated queue comms.');
  const rule = ruleTo(page, me);
  await rule('underwriting-review', '{"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 1000]}]}}', 'underwriting');
  await rule('email-quotes', '{"detail-type": ["QuoteIssued"]}', 'comms');
  await rule('dashboard', '{"detail-type": ["QuoteIssued", "QuoteAccepted"]}', 'dashboard');
  await me.fill('lab-archive-name', 'address-history');
  await me.fill('lab-archive-pattern', '{"detail-type": ["AddressChanged"]}');
  await me.click('lab-add-archive');
  await saved(page, 'Added archive address-history.');
  // The drawing follows: the bus now feeds all three queues.
  await expect(page.getByTestId('exercise-drawing')).toContainText('email-quotes');
  const json = await solved(page, me, 'capstone');
  expect(json.topology.Rules.map((r) => r.Name)).toEqual(['underwriting-review', 'email-quotes', 'dashboard']);
});

test('16 evolve compatibly: the new field becomes optional', async ({ page }) => {
  await open(page, 'evolve-compatibly');
  const me = learner(page);
  // The draft breaks BACKWARD, and the check says which field and why.
  await me.check();
  await expect(page.getByTestId('check-summary')).not.toContainText('Solved!');
  await expect(page.getByTestId('checks')).toContainText('`discount_pence`: consumers on v2 require it, and v1 events do not have it (rule: required)');
  await expect(page.getByTestId('evolution-changes')).toContainText('`discount_pence` added (required)');
  const row = page.getByTestId('evolution-field').filter({ hasText: 'discount_pence' });
  me.actions++;
  await row.getByTestId('evolution-field-required').uncheck();
  await saved(page, '`discount_pence` is now optional.');
  await expect(page.getByTestId('evolution-changes')).toContainText('`discount_pence` added (optional)');
  const json = await solved(page, me, 'evolve-compatibly');
  expect(json.evolution.schema.required).not.toContain('discount_pence');
  expect(json.evolution.schema.properties.discount_pence).toEqual({ type: 'integer' });
});

test('17 upcast a breaking change: two steps carry the history across', async ({ page }) => {
  await open(page, 'upcast-a-breaking-change');
  const me = learner(page);
  await me.check();
  await expect(page.getByTestId('checks')).toContainText('no upcaster carries old events across');
  // A step the language does not know is refused with its line, and nothing changes.
  await me.fill('evolution-upcaster', 'rename premium_pence premium.amount_pence');
  await page.getByTestId('evolution-upcaster').blur();
  await expect(page.getByTestId('editor-status').getByTestId('error-view')).toContainText('line 1: rename needs `rename A to B`');
  await me.fill('evolution-upcaster', 'rename premium_pence to premium.amount_pence\ndefault premium.currency = "GBP"');
  await page.getByTestId('evolution-upcaster').blur();
  await saved(page, 'Saved the upcaster: 2 step(s).');
  const json = await solved(page, me, 'upcast-a-breaking-change');
  expect(json.evolution.upcaster).toEqual(['rename premium_pence to premium.amount_pence', 'default premium.currency = "GBP"']);
  await expect(page.getByTestId('checks')).toContainText('through the upcaster');
  expect(await axeViolations(page)).toEqual([]);
});

test('18 brief, quote flow: a rule for each of three queues', async ({ page }) => {
  await open(page, 'brief-quote-flow');
  const me = learner(page);
  const rule = ruleTo(page, me);
  await rule('underwriting-review', '{"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 1000]}]}}', 'underwriting');
  await rule('audit-trail', '{"source": ["dojo.quotes"]}', 'audit');
  await rule('dashboard', '{"detail-type": ["QuoteIssued", "QuoteAccepted"]}', 'dashboard');
  await solved(page, me, 'brief-quote-flow');
});

test('19 brief, claims in order: a FIFO queue with its FIFO dead-letter queue, and fraud on a second rule', async ({ page }) => {
  await open(page, 'brief-claims-in-order');
  const me = learner(page);
  await me.fill('lab-queue-name', 'claims-dlq.fifo');
  await me.click('lab-queue-fifo');
  await me.click('lab-add-queue');
  await saved(page, 'Added queue claims-dlq.fifo.');
  await me.fill('lab-queue-name', 'claims-handling.fifo');
  if (!(await page.getByTestId('lab-queue-fifo').isChecked())) await me.click('lab-queue-fifo');
  await me.click('lab-queue-dedup');
  await me.choose('lab-queue-dlq', 'claims-dlq.fifo');
  await me.fill('lab-queue-max', '3');
  await me.click('lab-add-queue');
  await saved(page, 'Added queue claims-handling.fifo.');
  await expect(page.getByTestId('lab-topology')).toContainText('queue claims-handling.fifo → DLQ claims-dlq.fifo after 3');
  await me.fill('lab-rule-name', 'claims-handling');
  await me.fill('lab-rule-pattern', '{"source": ["dojo.claims"]}');
  await me.click('lab-rule-target-queue:claims-handling.fifo');
  await me.fill('lab-rule-group', 'claims');
  await me.click('lab-add-rule');
  await saved(page, 'Added rule claims-handling.');
  await me.click('lab-rule-target-queue:claims-handling.fifo');
  await me.fill('lab-rule-name', 'fraud-review');
  await me.fill('lab-rule-pattern', '{"source": ["dojo.claims"], "detail": {"amount": [{"numeric": [">", 5000]}]}}');
  await me.click('lab-rule-target-queue:fraud');
  await me.click('lab-add-rule');
  await saved(page, 'Added rule fraud-review.');
  const json = await solved(page, me, 'brief-claims-in-order');
  expect(json.topology.Rules[0].Targets[0].SqsParameters).toEqual({ MessageGroupId: 'claims' });
});

test('20 brief, policy history: an archive of the policy events and a rule per read model', async ({ page }) => {
  await open(page, 'brief-policy-history');
  const me = learner(page);
  await me.fill('lab-archive-name', 'policy-history');
  await me.fill('lab-archive-pattern', '{"source": ["dojo.policies"]}');
  await me.click('lab-add-archive');
  await saved(page, 'Added archive policy-history.');
  const rule = ruleTo(page, me);
  await rule('policy-list', '{"source": ["dojo.policies"]}', 'policy-list');
  await rule('premium-report', '{"detail-type": ["PolicyBound", "PolicyEndorsed"]}', 'premium-report');
  await solved(page, me, 'brief-policy-history');
});

test('the two views stay in step, and Undo takes back a change from either', async ({ page }) => {
  await open(page, 'dead-letter-queue');
  const editor = page.getByTestId('design-editor');
  const start = await editor.inputValue();
  // A form changes the JSON...
  await page.getByTestId('lab-queue-name').fill('work-dlq');
  await page.getByTestId('lab-add-queue').click();
  await expect(editor).toHaveValue(/"work-dlq"/);
  // ...and the JSON changes the forms' list.
  const typed = JSON.stringify({ topology: { queues: [{ name: 'work', visibility_timeout_s: 5 }, { name: 'orders' }] } }, null, 2);
  await editor.fill(typed);
  await editor.blur();
  await expect(page.getByTestId('lab-topology')).toContainText('queue orders');
  await expect(page.getByTestId('lab-topology')).not.toContainText('work-dlq');
  // A mistake in the JSON pauses the forms, says where, and changes nothing.
  await editor.fill('{"topology": {"queues": [{"name": "work", "rules": []}]}}');
  await expect(page.getByTestId('forms-paused')).toBeVisible();
  await expect(page.getByTestId('visual-editor')).toHaveAttribute('disabled');
  await expect(page.getByTestId('lab-add-queue')).toBeDisabled();
  await expect(page.getByTestId('design-json-error')).toContainText('rules');
  await editor.blur();
  // Undo: the typed mistake, then the typed design, then the form's change.
  await page.getByTestId('undo').click();
  await expect(editor).toHaveValue(typed);
  await expect(page.getByTestId('lab-add-queue')).toBeEnabled();
  await page.getByTestId('undo').click();
  await expect(editor).toHaveValue(/"work-dlq"/);
  await page.getByTestId('undo').click();
  await expect(editor).toHaveValue(start);
  // Show solution fills both views; Undo brings the learner's design back.
  await page.getByTestId('show-solution').click();
  await expect(page.getByTestId('lab-topology')).toContainText('queue work → DLQ work-dlq after 3');
  await page.getByTestId('undo').click();
  await expect(editor).toHaveValue(start);
  // Reset, after a change: the start again, and Undo still has the change.
  await page.getByTestId('lab-queue-name').fill('spare');
  await page.getByTestId('lab-add-queue').click();
  await expect(page.getByTestId('lab-topology')).toContainText('queue spare');
  await page.getByTestId('reset').click();
  await expect(editor).toHaveValue(start);
  await expect(page.getByTestId('lab-topology')).not.toContainText('queue spare');
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('lab-topology')).toContainText('queue spare');
});

test('a form refuses a change that would break the design and changes nothing', async ({ page }) => {
  await open(page, 'dead-letter-queue');
  const editor = page.getByTestId('design-editor');
  const before = await editor.inputValue();
  // The work queue cannot go while nothing else uses it? It can; but a DLQ in use cannot.
  await page.getByTestId('lab-queue-name').fill('work-dlq');
  await page.getByTestId('lab-add-queue').click();
  await page.getByRole('button', { name: 'Edit queue work', exact: true }).click();
  await page.getByTestId('lab-queue-dlq').selectOption('work-dlq');
  await page.getByTestId('lab-add-queue').click();
  const wired = await editor.inputValue();
  await page.getByRole('button', { name: 'Remove queue work-dlq', exact: true }).click();
  await expect(page.getByText('It cannot be removed while something uses it')).toBeVisible();
  await expect(editor).toHaveValue(wired);
  // A bad number says which field and what is allowed.
  await page.getByTestId('lab-queue-visibility').fill('lots');
  await page.getByTestId('lab-add-queue').click();
  await expect(page.getByText('The visibility timeout must be a whole number of seconds from 0 to 43200, not "lots".')).toBeVisible();
  await expect(editor).toHaveValue(wired);
  expect(wired).not.toEqual(before);
});

test('the visual editors have no axe violations in light or dark, with a notice and an error showing', async ({ page }) => {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    for (const id of ['capstone', 'cqrs']) {
      await open(page, id);
      if (id === 'capstone') {
        await page.getByTestId('lab-queue-name').fill('extra');
        await page.getByTestId('lab-add-queue').click();
        await page.getByTestId('lab-rule-pattern').fill('{"detail-type": "QuoteIssued"}');
        await expect(page.getByTestId('lab-rule-error')).not.toBeEmpty();
      } else {
        await page.getByTestId('input-save').click();
        await page.getByTestId('scenario-poll').fill('often');
        await page.getByTestId('scenario-poll').press('Enter');
        await expect(page.getByText('Services poll every (ms) must be a whole number, not "often".')).toBeVisible();
      }
      expect(await axeViolations(page), `${id} ${colorScheme}`).toEqual([]);
    }
  }
});
