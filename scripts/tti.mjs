// Time to first interaction on localhost: serves dist/ on 127.0.0.1, opens the app in a
// fresh headless Chromium profile seven times, and reports how long after navigation the
// start page could be used (its call to action shown, the loading screen gone; median and
// range). Usage, after `trunk build --release`:
//   node scripts/tti.mjs [DIST_DIR]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';

const port = 4193;
const server = spawn('node', ['e2e/serve.mjs', process.argv[2] || 'dist', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const times = [];
try {
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByTestId('start-exercise').waitFor({ state: 'visible' });
    await page.locator('#boot').waitFor({ state: 'detached' });
    times.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
} finally {
  await browser.close();
  server.kill();
}
times.sort((a, b) => a - b);
console.log(`time to first interaction: median ${times[3].toFixed(0)} ms (${times[0].toFixed(0)}–${times[6].toFixed(0)} ms, 7 fresh profiles)`);
console.log(JSON.stringify({ bench: 'app/time-to-first-interaction/localhost', value: Math.round(times[3]), unit: 'ms' }));
