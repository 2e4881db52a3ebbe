// Journey: a learner tries patterns in the sandbox and reads why each field matched or not.
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.mjs';
import { SandboxPage } from './pages/sandbox.mjs';
import { EventStorePage } from './pages/event-store.mjs';
import { savedDocument } from './documents.mjs';

test('the sandbox explains a miss field by field, and a sample event matches', async ({ page }) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await expect(sandbox.verdict).toHaveText('No match');
  await expect(sandbox.explanation).toContainText('`detail.premium_pence` is 45000; {"numeric":[">",50000]} needs a number > 50000');
  await expect(sandbox.explanation).toContainText('`source` is "dojo.quotes"');
  await sandbox.sample('QuoteIssued, £720');
  await expect(sandbox.verdict).toHaveText('Match');
});

test('an invalid pattern is refused with the AWS reason and its position', async ({ page }) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.pattern.fill('{\n  "source": "dojo.quotes"\n}');
  await expect(sandbox.patternError).toHaveText(
    'Event pattern is not valid. Reason: "source" must be an object or an array (line 2, column 13)');
  await expect(sandbox.verdict).toHaveText('The pattern is not valid');
  await expect(sandbox.pattern).toHaveAttribute('aria-invalid', 'true');
  await sandbox.pattern.fill('{"detail": {"premium_pence": [{"numeric": [">", 100, "<", 10]}]}}');
  await expect(sandbox.patternError).toContainText('Bottom must be less than top');
});

test('SNS policies are checked against typed attributes and bodies', async ({ page }) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await page.getByTestId('mode-sns-attributes').check();
  await expect(sandbox.verdict).toHaveText('No match');
  await expect(sandbox.explanation).toContainText('`premium` is 450; {"numeric":[">=",500]} needs a number >= 500');
  await sandbox.pattern.fill('{"store": {"nested": ["x"]}}');
  await expect(sandbox.patternError).toContainText('Filter policy scope MessageAttributes does not support nested filter policy');
  await page.getByTestId('mode-sns-body').check();
  await expect(sandbox.verdict).toHaveText('Match');
  await sandbox.event.fill('plain text body');
  await expect(page.getByTestId('sandbox-subject-error')).toContainText('plain text');
});

test('a pattern can be tested against the newest events in the log', async ({ page }) => {
  const store = new EventStorePage(page);
  await store.open();
  await store.source.fill('dojo.quotes');
  await store.publish({ stream: 'quote-1', type: 'QuoteIssued', data: '{"quote_id":"q1","premium_pence":60000}' });
  await expect(store.status).toContainText('position 1');
  await store.publish({ stream: 'quote-2', type: 'QuoteIssued', data: '{"quote_id":"q2","premium_pence":30000}' });
  await expect(store.status).toContainText('position 2');
  await page.getByRole('link', { name: 'Pattern sandbox' }).click();
  const sandbox = new SandboxPage(page);
  await expect(sandbox.verdict).toBeVisible();
  await page.getByTestId('sandbox-test-log').click();
  await expect(page.getByTestId('sandbox-log-summary')).toHaveText('1 of the last 2 events match.');
  await expect(page.getByRole('link', { name: '#1' })).toBeVisible();
});

test('the sandbox has no axe violations', async ({ page }) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  expect(await axeViolations(page)).toEqual([]);
  await sandbox.pattern.fill('{"source": "x"}');
  await expect(sandbox.patternError).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});

test('what the learner typed is kept per language and across a reload', async ({ page }) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  const mine = '{"detail-type": ["QuoteAccepted"]}';
  await sandbox.pattern.fill(mine);
  await page.getByTestId('mode-sns-body').check();
  await expect(sandbox.pattern).not.toHaveValue(mine);
  await sandbox.pattern.fill('{"cover": ["home"]}');
  await page.getByTestId('mode-eventbridge').check();
  await expect(sandbox.pattern).toHaveValue(mine);
  await expect.poll(() => savedDocument(page, 'event-dojo.sandbox')).toContain('QuoteAccepted');
  await page.reload();
  await expect(page.locator('.sandbox-page')).not.toHaveAttribute('inert');
  await expect(sandbox.pattern).toHaveValue(mine);
  await page.getByTestId('mode-sns-body').check();
  await expect(sandbox.pattern).toHaveValue('{"cover": ["home"]}');
});
