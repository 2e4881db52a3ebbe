// The instructor following a room of three through a real MQTT broker (started on
// 127.0.0.1 by this spec and stopped at its end): progress comes only from learners who
// consented, the room shows who is stuck where, downloads as CSV with the exported
// reports, and the instructor sends the room to an exercise.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe.mjs';
import { brokerForSpec } from './processes.mjs';

const broker = brokerForSpec(test, 'room');

async function joinRoom(page, { learner, team, role = 'learner', share = false }) {
  await page.goto('/classroom');
  await page.getByTestId('room-broker').fill(broker.url());
  await page.getByTestId('room-name').fill('thursday');
  await page.getByTestId('room-learner').fill(learner);
  await page.getByTestId(`room-role-${role}`).check();
  if (role === 'learner') {
    await page.getByTestId('room-team').fill(team);
    // Off until the learner ticks it.
    await expect(page.getByTestId('room-share-progress')).not.toBeChecked();
    if (share) await page.getByTestId('room-share-progress').check();
  }
  await page.getByTestId('room-join').click();
  await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
}

async function openExercise(page, id) {
  await page.goto(`/learn/${id}`);
  await expect(page.locator('.exercise-page')).not.toHaveAttribute('inert');
  await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
}

test('an instructor follows a room of three: consented progress, who is stuck, CSV, reports, and the room sent to an exercise', async ({ browser }) => {
  test.setTimeout(180_000);
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext({ acceptDownloads: true })));
  const [teacher, alice, bob, carol] = await Promise.all(contexts.map((c) => c.newPage()));
  try {
    await joinRoom(teacher, { learner: 'sam', role: 'instructor' });
    await expect(teacher.getByTestId('room-progress-summary')).toContainText('No learner shares their progress yet');
    await joinRoom(alice, { learner: 'alice', team: 'red', share: true });
    await joinRoom(bob, { learner: 'bob', team: 'red', share: true });
    await joinRoom(carol, { learner: 'carol', team: 'blue' });

    // Alice solves the FIFO exercise.
    await openExercise(alice, 'fifo');
    await alice.getByTestId('show-solution').click();
    await alice.getByTestId('check').click();
    await expect(alice.getByTestId('check-summary')).toContainText('Solved!');
    // Bob checks the dead-letter exercise three times without solving it, with a hint.
    await openExercise(bob, 'dead-letter-queue');
    await bob.getByTestId('hint-next').click();
    for (let i = 0; i < 3; i++) {
      await bob.getByTestId('check').click();
      await expect(bob.getByTestId('check-summary')).not.toContainText('Solved!');
    }
    // Carol works too, but shares nothing.
    await openExercise(carol, 'fifo');
    await carol.getByTestId('check').click();

    await expect(teacher.getByTestId('room-progress-summary')).toHaveText('2 learners share their progress.');
    const rows = teacher.getByTestId('room-progress-row');
    await expect(rows.filter({ hasText: 'alice' })).toContainText('Payments in order, exactly onceyes1');
    await expect(rows.filter({ hasText: 'bob' })).toContainText('A poison message and its dead-letter queuestuck31');
    await expect(rows.filter({ hasText: 'carol' })).toHaveCount(0);
    await expect(teacher.getByTestId('room-stuck')).toHaveText('Stuck (not solved after 3 checks, or 10 minutes): bob (red) on A poison message and its dead-letter queue.');

    // The room's progress as CSV.
    const csvDownload = teacher.waitForEvent('download');
    await teacher.getByTestId('room-progress-csv').click();
    const csv = readFileSync(await (await csvDownload).path(), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('team,learner,exercise,title,solved,attempts,hints,seconds,stuck,report');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(/^red,alice,fifo,"?Payments in order, exactly once"?,true,1,0,\d+,false,false$/);
    expect(csv[2]).toMatch(/^red,bob,dead-letter-queue,A poison message and its dead-letter queue,false,3,1,\d+,true,false$/);

    // Alice exports a capstone report; it reaches the instructor as a file.
    await openExercise(alice, 'brief-quote-flow');
    await alice.getByTestId('show-solution').click();
    await alice.getByTestId('check').click();
    await expect(alice.getByTestId('check-summary')).toContainText('Solved!');
    await alice.getByTestId('export-report').click();
    const reportRow = rows.filter({ hasText: 'Brief: quotes to underwriting' });
    await expect(reportRow.getByTestId('room-report-download')).toBeVisible();
    const reportDownload = teacher.waitForEvent('download');
    await reportRow.getByTestId('room-report-download').click();
    const file = await reportDownload;
    expect(file.suggestedFilename()).toBe('event-dojo-red-alice-brief-quote-flow.md');
    expect(readFileSync(await file.path(), 'utf8')).toContain('# Event Dojo capstone: Brief: quotes to underwriting, audit and a dashboard');

    // The instructor sends the room to the FIFO exercise: every learner is told.
    await teacher.getByTestId('room-goto').selectOption('fifo');
    await teacher.getByTestId('room-goto-send').click();
    await expect(teacher.getByTestId('room-goto-sent')).toHaveText('Sent the room to \u201cPayments in order, exactly once\u201d.');
    for (const learner of [bob, carol]) {
      await expect(learner.getByTestId('goto-banner')).toHaveText(/Your instructor sam sends the room to \u201cPayments in order, exactly once\u201d\./);
    }
    await bob.getByTestId('goto-follow').click();
    await expect(bob).toHaveURL(/\/learn\/fifo$/);
    await expect(bob.getByTestId('goto-banner')).toHaveCount(0);
    await carol.getByTestId('goto-dismiss').click();
    await expect(carol.getByTestId('goto-banner')).toHaveCount(0);

    for (const scheme of ['light', 'dark']) {
      await teacher.emulateMedia({ colorScheme: scheme });
      await teacher.waitForTimeout(400);
      expect(await axeViolations(teacher), scheme).toEqual([]);
    }
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});
