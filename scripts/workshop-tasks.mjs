// Measures the workshop's page thread while it derives runs: for each preset, a run in
// the notification style, then a comparison with event-carried state (the other style's
// whole run), then a what-if branch that skips the second input compared with main. For
// each it prints the time from the click until the result shows and the page's long
// tasks meanwhile (a `PerformanceObserver` of type "longtask": tasks over 50 ms).
// Usage, after `trunk build --release`: node scripts/workshop-tasks.mjs [DIST_DIR]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';

const port = 4196;
const server = spawn('node', ['e2e/serve.mjs', process.argv[2] || 'dist', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });

// Runs `act`, waits for `done`, and says how long it took and which long tasks ran.
async function measure(page, label, act, done) {
  await page.evaluate(() => {
    window.__tasks = [];
    if (!window.__observing) {
      window.__observing = true;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__tasks.push(e.duration);
      }).observe({ type: 'longtask' });
    }
  });
  const t0 = Date.now();
  await act();
  await done();
  const ms = Date.now() - t0;
  // Long tasks are reported after they end; give the last one time to arrive.
  await page.waitForTimeout(200);
  const tasks = await page.evaluate(() => window.__tasks.map(Math.round));
  console.log(JSON.stringify({ action: label, ms, long_tasks: tasks.length, longest_task_ms: Math.max(0, ...tasks), tasks }));
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/workshop`);
  const summary = page.getByTestId('run-summary');
  for (const preset of ['quote-journey', 'callback-hotspot', 'spike']) {
    await page.getByTestId('scenario-preset').selectOption(preset);
    await page.getByTestId('scenario-style').selectOption('notification');
    await page.getByTestId('scenario-run').waitFor();
    await measure(page, `${preset}: run`, () => page.getByTestId('scenario-run').click(),
      () => summary.waitFor());
    const table = page.getByTestId('metrics-table');
    await measure(page, `${preset}: compare with event-carried state`,
      () => page.getByTestId('compare-style').selectOption('event_carried_state'),
      () => table.locator('th', { hasText: 'Event-carried state transfer (whole run)' }).waitFor());
    await page.getByTestId('compare-style').selectOption('');
    await page.getByTestId('branches').locator('summary').click();
    await page.getByTestId('skip-2').click();
    await measure(page, `${preset}: what-if branch compared with main`,
      () => page.getByTestId('branch-compare').first().click(),
      () => page.getByTestId('branch-comparison').filter({ hasText: 'main vs skip #2' }).waitFor());
    await page.getByTestId('branches').locator('summary').click();
  }
} finally {
  await browser.close();
  server.kill();
}
