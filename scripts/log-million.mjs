// Measures the event log at a million events: loads the 1,000,000-event sample history
// into a fresh profile, then times scroll frames and seeks. Usage, after
// `trunk build --release`: node scripts/log-million.mjs [DIST_DIR]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
const port = 4197;
const server = spawn('node', ['e2e/serve.mjs', process.argv[2] || 'dist', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByTestId('sample-size').selectOption('1000000');
  const t0 = Date.now();
  await page.getByTestId('sample-load').click();
  await page.getByTestId('log-summary').filter({ hasText: '1000000 events in the store' }).waitFor({ timeout: 1_800_000 });
  console.log(`loaded 1,000,000 events in ${Date.now() - t0} ms`);
  const vp = page.getByTestId('log-viewport');
  const frames = await vp.evaluate(async (el) => {
    const times = [];
    let last = performance.now();
    for (let i = 0; i < 120; i++) {
      el.scrollTop += 400;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    times.sort((a, b) => a - b);
    return { median: times[60], p95: times[114], max: times[119] };
  });
  console.log('scroll frames (ms)', JSON.stringify(frames));
  const t1 = Date.now();
  await vp.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.locator('[data-testid="event-row"][data-position="1"]').waitFor();
  console.log(`seek to the oldest event: ${Date.now() - t1} ms`);
  const t2 = Date.now();
  await vp.evaluate((el) => { el.scrollTop = (el.scrollHeight - el.clientHeight) / 2; });
  await page.locator('[data-testid="event-row"][data-position="500000"]').waitFor();
  console.log(`seek to the middle (#500000): ${Date.now() - t2} ms`);
  const top = await page.locator('[data-testid="event-row"][data-position="1"]').count();
  console.log('rows in DOM', await page.getByTestId('event-row').count(), top);
} finally { await browser.close(); server.kill(); }
