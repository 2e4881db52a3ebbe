// A capstone worked by a team of two through a real MQTT broker (aedes over WebSocket,
// or RabbitMQ with DOJO_BROKER=rabbitmq), started on 127.0.0.1 by this spec and stopped
// at its end. Two browser contexts are the two members: every change either makes
// reaches the other with its author, a member who reloads or leaves and comes back gets
// the whole design again, and both changing one queue at once is named to both.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { brokerForSpec } from './processes.mjs';

const broker = brokerForSpec(test, 'team');

async function joinRoom(page, learner) {
  await page.goto('/classroom');
  await page.getByTestId('room-broker').fill(broker.url());
  await page.getByTestId('room-name').fill('capstone');
  await page.getByTestId('room-learner').fill(learner);
  await page.getByTestId('room-role-learner').check();
  await page.getByTestId('room-team').fill('red');
  await page.getByTestId('room-listen-team').check();
  await page.getByTestId('room-join').click();
  await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
}

/** Opens the brief through the navigation (no reload: the room stays connected). */
async function openBrief(page) {
  await page.getByRole('link', { name: 'Learn' }).first().click();
  await page.getByRole('link', { name: /quotes to underwriting, audit and a dashboard/ }).click();
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
}

async function addQueue(page, name) {
  await page.getByTestId('lab-queue-name').fill(name);
  await page.getByTestId('lab-add-queue').click();
  await expect(page.getByTestId('lab-notice')).toContainText(`Added queue ${name}.`);
}

async function setDelay(page, queue, seconds) {
  await page.getByRole('button', { name: `Edit queue ${queue}`, exact: true }).click();
  // Edit focuses the name field a frame later: fill the delay only after that.
  await expect(page.getByTestId('lab-queue-name')).toBeFocused();
  await page.getByTestId('lab-queue-delay').fill(String(seconds));
  await page.getByTestId('lab-add-queue').click();
  await expect(page.getByTestId('lab-notice')).toContainText(`Updated queue ${queue}.`);
}

async function addRule(page, name, pattern, queue) {
  await page.getByTestId('lab-rule-name').fill(name);
  await page.getByTestId('lab-rule-pattern').fill(pattern);
  await page.getByTestId(`lab-rule-target-queue:${queue}`).click();
  await page.getByTestId('lab-add-rule').click();
  await expect(page.getByTestId('lab-notice')).toContainText(`Added rule ${name}.`);
  await page.getByTestId(`lab-rule-target-queue:${queue}`).click();
}

const design = (page) => page.getByTestId('design-editor').inputValue();

test('a team of two builds one design through the broker, with each change\'s author, across a reload, an absence and a conflict', async ({ browser }) => {
  test.setTimeout(180_000);
  const contexts = await Promise.all([0, 1].map(() => browser.newContext()));
  const [alice, bob] = await Promise.all(contexts.map((c) => c.newPage()));
  try {
    await joinRoom(alice, 'alice');
    await joinRoom(bob, 'bob');
    await openBrief(alice);
    await openBrief(bob);
    await expect(alice.getByTestId('team-panel')).toContainText('Work on this design as team red');

    // Alice starts the team's design; Bob joins it and takes it up.
    await alice.getByTestId('team-on').check();
    await addQueue(alice, 'audit-dlq');
    await bob.getByTestId('team-on').check();
    await expect.poll(() => design(bob)).toContain('audit-dlq');
    await expect(bob.getByTestId('team-log')).toContainText('alice changed queue:audit-dlq');

    // Bob's change reaches Alice, with his name on it.
    await addRule(bob, 'underwriting-review', '{"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 1000]}]}}', 'underwriting');
    await expect.poll(() => design(alice)).toContain('underwriting-review');
    await expect(alice.getByTestId('team-log').locator('li').first()).toHaveText('bob changed rule:default/underwriting-review');
    await expect(alice.getByTestId('team-members')).toHaveText('Team red: alice, bob.');

    // Bob reloads mid-session: the broker's retained edits give him the design again.
    await bob.reload();
    await expect(bob.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await expect(bob.getByTestId('team-log')).toContainText('alice changed queue:audit-dlq');
    await expect.poll(() => design(bob)).toBe(await design(alice));

    // Bob is away while Alice adds two rules; he comes back to all of it.
    await bob.getByRole('link', { name: 'Classroom' }).first().click();
    await bob.getByTestId('room-leave').click();
    await addRule(alice, 'audit-trail', '{"source": ["dojo.quotes"]}', 'audit');
    await addRule(alice, 'dashboard', '{"detail-type": ["QuoteIssued", "QuoteAccepted"]}', 'dashboard');
    await bob.getByTestId('room-join').click();
    await expect(bob.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await openBrief(bob);
    await expect.poll(() => design(bob)).toContain('"dashboard"');
    await expect.poll(() => design(bob)).toBe(await design(alice));

    // Both change the dashboard queue at once, while the broker is between them: both
    // are told, by name, and both keep the same one. Bob's change, made out of the room,
    // survives a reload until it is shared.
    await bob.getByRole('link', { name: 'Classroom' }).first().click();
    await bob.getByTestId('room-leave').click();
    await setDelay(alice, 'dashboard', 10);
    await openBrief(bob);
    await setDelay(bob, 'dashboard', 20);
    await bob.reload();
    await expect(bob.locator('.exercise-page')).not.toHaveAttribute('inert');
    await expect.poll(() => design(bob)).toContain('"DelaySeconds": 20');
    await bob.getByRole('link', { name: 'Classroom' }).first().click();
    await bob.getByTestId('room-join').click();
    await expect(bob.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await openBrief(bob);
    const conflict = /changed queue:dashboard at the same time/;
    await expect(alice.getByTestId('team-conflict')).toContainText(conflict);
    await expect(bob.getByTestId('team-conflict')).toContainText(conflict);
    await expect.poll(() => design(bob)).toBe(await design(alice));

    // The design meets the brief in both browsers; the panel, its predictions and
    // answers and the review are the team's; the report names both members.
    await alice.getByTestId('check').click();
    await expect(alice.getByTestId('check-summary')).toContainText('Solved!');
    await bob.getByTestId('check').click();
    await expect(bob.getByTestId('check-summary')).toContainText('Solved!');
    const first = (page) => page.getByTestId('panel-question').first();
    await expect.poll(async () => first(bob).getByTestId('panel-asks').textContent()).toBe(await first(alice).getByTestId('panel-asks').textContent());
    await first(alice).getByTestId('panel-choice-stuck').check();
    await first(alice).getByTestId('panel-why').fill('Nothing deletes it, so it comes back.');
    await first(alice).getByTestId('panel-commit').click();
    await expect(first(alice).getByTestId('panel-outcome')).toBeVisible();
    // Bob sees Alice's prediction and what happened, and answers for the team.
    await expect(first(bob).getByTestId('panel-predicted')).toHaveText('Messages stay in a queue, retried again and again');
    await expect(first(bob).getByTestId('panel-outcome')).toContainText('Nothing deletes it, so it comes back.');
    await first(bob).getByTestId('panel-answer').fill('Give audit a dead-letter queue.');
    await expect(first(alice).getByTestId('panel-answer')).toHaveValue('Give audit a dead-letter queue.');
    await alice.getByTestId('review-0').fill('A topic would let more teams subscribe.');
    await expect(bob.getByTestId('review-0')).toHaveValue('A topic would let more teams subscribe.');
    const download = alice.waitForEvent('download');
    await alice.getByTestId('export-report').click();
    const md = readFileSync(await (await download).path(), 'utf8');
    expect(md).toContain('**Team red:** alice, bob');
    expect(md).toContain('**Answer:** Give audit a dead-letter queue.');
    expect(md).toContain('A topic would let more teams subscribe.');
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});
