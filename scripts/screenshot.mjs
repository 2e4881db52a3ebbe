// Takes screenshots of the built app (dist/) for a person to look at:
//   node scripts/screenshot.mjs OUT_DIR [README_DIR]
// With README_DIR (docs/screenshots), it also writes the README's two pictures there:
// the workshop and an exercise, light, at the size of the window.
// Serves dist/ on 127.0.0.1, publishes a few events, and captures light and dark views.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const out = process.argv[2] || 'target/screenshots';
const readme = process.argv[3];
if (readme) mkdirSync(readme, { recursive: true });
const port = 4199;
mkdirSync(out, { recursive: true });
const server = spawn('node', ['e2e/serve.mjs', 'dist', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
try {
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByTestId('start-exercise').waitFor();
    await page.screenshot({ path: `${out}/start-${scheme}.png`, fullPage: true });
    await page.goto(`http://127.0.0.1:${port}/store`);
    await page.getByTestId('publish-form').waitFor();
    const publish = async (stream, type, data) => {
      await page.getByTestId('publish-stream').fill(stream);
      await page.getByTestId('publish-type').fill(type);
      await page.getByTestId('publish-data').fill(data);
      await page.getByTestId('publish-submit').click();
      await page.getByTestId('publish-status').filter({ hasText: 'Appended' }).waitFor();
    };
    await publish('customer-42', 'CustomerRegistered', '{"name":"Ada Lovelace","postcode":"EH1 1AA"}');
    await publish('quote-7', 'QuoteRequested', '{"customerId":"customer-42","cover":"home"}');
    await publish('quote-7', 'QuoteIssued', '{"premium":450}');
    await page.getByTestId('publish-data').fill('{"premium": 450,}');
    await page.getByTestId('publish-submit').click();
    await page.screenshot({ path: `${out}/event-store-${scheme}.png`, fullPage: true });
    await page.getByRole('link', { name: 'Pattern sandbox' }).click();
    await page.getByTestId('sandbox-verdict').waitFor();
    await page.getByTestId('sandbox-test-log').click();
    await page.getByTestId('sandbox-log-summary').waitFor();
    await page.screenshot({ path: `${out}/sandbox-${scheme}.png`, fullPage: true });
    await page.getByTestId('sandbox-pattern').fill('{\n  "source": "dojo.quotes"\n}');
    await page.getByTestId('sandbox-pattern-error').filter({ hasText: 'Reason' }).waitFor();
    await page.screenshot({ path: `${out}/sandbox-invalid-${scheme}.png`, fullPage: true });
    await page.getByRole('link', { name: 'Workshop' }).click();
    await page.getByTestId('scenario-preset').selectOption('callback-hotspot');
    await page.getByTestId('scenario-style').selectOption('notification');
    await page.getByTestId('scenario-run').click();
    await page.getByTestId('run-summary').waitFor();
    await page.getByTestId('compare-style').selectOption('event_carried_state');
    await page.getByTestId('debugger-jump').fill('40');
    await page.getByTestId('debugger-jump').press('Enter');
    await page.getByTestId('branches').locator('summary').click();
    await page.getByTestId('skip-3').click();
    await page.getByTestId('branch-compare').click();
    await page.getByTestId('branch-comparison').waitFor();
    await page.screenshot({ path: `${out}/workshop-${scheme}.png`, fullPage: true });
    if (readme && scheme === 'light') {
      // The canvas, counting what crossed each arrow, with the panels beside and below it.
      await page.evaluate(() => {
        const heading = [...document.querySelectorAll('h2')].find((h) => h.textContent === 'Architecture');
        window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY - 40);
      });
      await page.screenshot({ path: `${readme}/workshop.png` });
    }
    await page.getByRole('link', { name: 'Event console' }).click();
    await page.getByTestId('command-submit').click();
    await page.getByTestId('command-result').waitFor();
    await page.getByTestId('command-kind').selectOption('RequestQuote');
    await page.getByTestId('command-submit').click();
    await page.getByTestId('command-kind').selectOption('AcceptQuote');
    await page.getByTestId('command-submit').click();
    await page.getByTestId('error-view').waitFor();
    await page.screenshot({ path: `${out}/console-${scheme}.png`, fullPage: true });
    await page.getByRole('link', { name: 'Channels lab' }).click();
    await page.getByTestId('lab-preset').selectOption({ index: 3 });
    await page.getByTestId('lab-load-preset').click();
    await page.getByTestId('lab-put-event').click();
    await page.getByTestId('lab-message-queue').selectOption('orders.fifo');
    await page.getByTestId('lab-send-queue').click();
    await page.getByTestId('lab-send-queue').click();
    await page.getByTestId('node-queue:orders.fifo').click();
    await page.getByTestId('inspector-receive').click();
    await page.getByTestId('lab-rule-pattern').fill('{"detail-type": "QuoteIssued"}');
    await page.screenshot({ path: `${out}/lab-${scheme}.png`, fullPage: true });
    await page.getByTestId('node-rule:default/big-quotes').click();
    await page.locator('.lab-canvas').screenshot({ path: `${out}/lab-canvas-rule-${scheme}.png` });
    await page.getByRole('link', { name: 'Learn' }).click();
    await page.getByTestId('learn-summary').waitFor();
    await page.screenshot({ path: `${out}/learn-${scheme}.png`, fullPage: true });
    await page.getByTestId('level-fan-out-filter').getByRole('link').click();
    await page.getByTestId('check').click();
    await page.getByTestId('hint-next').click();
    await page.getByTestId('checks').waitFor();
    await page.screenshot({ path: `${out}/exercise-${scheme}.png`, fullPage: true });
    if (readme && scheme === 'light') {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${readme}/exercise.png` });
    }
    await page.goto(`http://127.0.0.1:${port}/quiz?seed=5`);
    await page.getByTestId('q0-o0').check();
    await page.getByTestId('quiz-check').click();
    await page.screenshot({ path: `${out}/quiz-${scheme}.png`, fullPage: true });
    await page.close();
  }
} finally {
  await browser.close();
  server.kill();
}
console.log(`screenshots in ${out}`);
