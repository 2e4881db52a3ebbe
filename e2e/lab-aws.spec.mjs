// Journey: take a lab design to AWS. The lab downloads itself as a simulation script
// with the commands that run and compare it; the report `dojo aws compare --json`
// printed is imported and drawn on the canvas, queue by queue, with its reasons; a
// report that is not one is refused with the line at fault and changes nothing.
//
// e2e/fixtures/aws-report-bus-fanout.jsonl is what `dojo aws compare --json` printed for
// docs/examples/bus-fanout-fifo-mqtt.json against moto 5.2.6 (scripts/aws-emulator.py's
// emulator): the orders.fifo deliveries match; comms and failed-events miss what came
// through the rule whose target is a topic, which moto does not deliver (docs/aws.md).
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe.mjs';

const REPORT = new URL('./fixtures/aws-report-bus-fanout.jsonl', import.meta.url);

async function loadFanOut(page) {
  await page.goto('/lab');
  await page.getByTestId('lab-preset').selectOption({ label: 'Rule → topic fan-out, a FIFO queue and a failing handler' });
  await page.getByTestId('lab-load-preset').click();
  await expect(page.getByTestId('lab-topology')).toContainText('queue orders.fifo');
}

test('the lab downloads as a script with the commands to run it on AWS', async ({ page }) => {
  await loadFanOut(page);
  await page.getByTestId('lab-put-event').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('lab-export-script').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('event-dojo-lab.json');
  const script = JSON.parse(readFileSync(await file.path(), 'utf8'));
  expect(script.seed).toBe(1);
  expect(script.topology.Queues.map((q) => q.QueueName)).toContain('orders.fifo');
  expect(script.steps).toHaveLength(1);
  expect(script.steps[0].put_events.bus).toBe('default');
  await expect(page.getByTestId('lab-aws-commands')).toContainText('dojo aws compare event-dojo-lab.json --region eu-west-1 --json > aws-report.jsonl');
});

test('an imported comparison is drawn on the canvas and listed with its reasons, and survives a reload', async ({ page }) => {
  await loadFanOut(page);
  await page.getByTestId('lab-aws-import').setInputFiles({ name: 'aws-report.jsonl', mimeType: 'application/json', buffer: readFileSync(REPORT) });
  await expect(page.getByTestId('lab-aws-notice')).toContainText('Imported aws-report.jsonl: 10 deliveries compared on 3 queue(s), 4 difference(s)');
  const badge = (q) => page.locator(`[data-testid="lab-aws-badge"][data-queue="${q}"]`);
  await expect(badge('orders.fifo')).toHaveText('AWS: all 5 match');
  await expect(badge('orders.fifo')).toHaveClass(/ok/);
  await expect(badge('comms')).toHaveText('AWS: 1 match, 2 one side');
  await expect(badge('comms')).toHaveClass(/unexpected/);
  // failed-events is the dead-letter queue of a handler's target, which a run does not make.
  await expect(badge('failed-events')).toHaveClass(/expected/);
  await expect(page.getByTestId('lab-aws-legend')).toContainText('red when one is not explained');
  const comparison = page.getByTestId('lab-aws-comparison');
  await expect(comparison.getByTestId('lab-aws-queue')).toHaveCount(3);
  await expect(comparison).toContainText('failed-events, only in the simulation');
  await expect(comparison).toContainText('Expected: not made on AWS');
  await expect(comparison).toContainText('refused on AWS: step 0 at 0 ms: events PutEvents: HTTP 500');
  expect(await axeViolations(page)).toEqual([]);
  await page.reload();
  await expect(badge('comms')).toHaveText('AWS: 1 match, 2 one side');
  await page.getByTestId('lab-aws-clear').click();
  await expect(page.getByTestId('lab-aws-badge')).toHaveCount(0);
  await expect(page.getByTestId('lab-aws-comparison')).toHaveCount(0);
  await expect(page.getByTestId('lab-aws-legend')).toHaveCount(0);
});

test('a file that is not a comparison is refused with its line, and the imported one stays', async ({ page }) => {
  await loadFanOut(page);
  await page.getByTestId('lab-aws-import').setInputFiles({ name: 'aws-report.jsonl', mimeType: 'application/json', buffer: readFileSync(REPORT) });
  await expect(page.getByTestId('lab-aws-badge')).toHaveCount(3);
  const cut = readFileSync(REPORT, 'utf8').split('\n').slice(0, 3).join('\n') + '\nnot json\n';
  await page.getByTestId('lab-aws-import').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/json', buffer: Buffer.from(cut) });
  await expect(page.getByTestId('error-view')).toContainText('Line 4 is not JSON');
  await expect(page.getByTestId('lab-aws-badge')).toHaveCount(3);
  await expect(page.getByTestId('lab-aws-comparison')).toContainText('aws-report.jsonl');
});
