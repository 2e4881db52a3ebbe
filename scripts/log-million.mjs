// Measures the event log at a million events: loads the 1,000,000-event sample history
// into a fresh profile while recording the page's long tasks (a `PerformanceObserver` of
// type "longtask": main-thread tasks over 50 ms) and the frame times of a scroll of the
// page that runs throughout the load, then times scroll frames and seeks in the loaded
// log, then the console's first fold of it into read models and a rebuild from the
// beginning, with the page's long tasks during the rebuild. Usage, after
// `trunk build --release`: node scripts/log-million.mjs [DIST_DIR]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
const port = 4197;
// Another of the sample sizes the page offers, for a quicker look: SAMPLE=100000.
const size = process.env.SAMPLE || '1000000';
const server = spawn('node', ['e2e/serve.mjs', process.argv[2] || 'dist', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/store`);
  await page.getByTestId('sample-size').selectOption(size);
  // From here to the end of the load: every long task, and the time between frames
  // while the page scrolls down and up by 40 px a frame (what a learner reading the page
  // during the load sees).
  await page.evaluate(() => {
    window.__longTasks = [];
    window.__frames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ at: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
    let last = performance.now();
    let down = true;
    const frame = (now) => {
      if (window.__loadDone) return;
      window.__frames.push(now - last);
      last = now;
      const max = document.scrollingElement.scrollHeight - innerHeight;
      if (window.scrollY >= max) down = false;
      if (window.scrollY <= 0) down = true;
      window.scrollBy(0, down ? 40 : -40);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  const t0 = Date.now();
  // Clicked from the page, since the page is already scrolling under the pointer.
  await page.getByTestId('sample-load').evaluate((button) => {
    window.__loadStarted = performance.now();
    button.click();
  });
  await page.getByTestId('log-summary').filter({ hasText: `${size} events in the store` }).waitFor({ timeout: 1_800_000 });
  const loadMs = Date.now() - t0;
  console.log(`loaded ${size} events in ${loadMs} ms`);
  const during = await page.evaluate(() => {
    window.__loadDone = true;
    const tasks = window.__longTasks.map((t) => t.ms);
    const started = window.__loadStarted;
    const frames = [...window.__frames].sort((a, b) => a - b);
    const at = (q) => frames[Math.min(frames.length - 1, Math.floor(frames.length * q))];
    return {
      long_tasks: tasks.length,
      long_tasks_over_100ms: tasks.filter((d) => d > 100).length,
      longest_task_ms: Math.round(Math.max(0, ...tasks)),
      long_task_total_ms: Math.round(tasks.reduce((a, b) => a + b, 0)),
      // When each task over 100 ms began, in ms after the click.
      over_100ms_at: window.__longTasks.filter((t) => t.ms > 100)
        .map((t) => `${Math.round(t.ms)} ms at +${Math.round(t.at - started)}`),
      frames: frames.length,
      frame_median_ms: Math.round(at(0.5) * 10) / 10,
      frame_p95_ms: Math.round(at(0.95) * 10) / 10,
      frame_max_ms: Math.round(frames[frames.length - 1] * 10) / 10,
    };
  });
  console.log('during the load', JSON.stringify(during));
  await page.evaluate(() => window.scrollTo(0, 0));
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

  // The console's read models: its first fold of the loaded log, then a rebuild from the
  // beginning, both in the store worker; the long tasks on the page during the rebuild.
  const t3 = Date.now();
  await page.goto(`http://127.0.0.1:${port}/console`);
  const start = page.getByTestId('rm-start');
  await start.filter({ hasText: `folded ${size} events` }).waitFor({ timeout: 1_800_000 });
  console.log(`console read models, first fold: ${Date.now() - t3} ms (${await start.innerText()})`);
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  const t4 = Date.now();
  await page.getByTestId('rebuild').click();
  await start.filter({ hasText: `Rebuilt from the beginning of the log: folded ${size} events` }).waitFor({ timeout: 1_800_000 });
  const rebuildMs = Date.now() - t4;
  const tasks = await page.evaluate(() => window.__longTasks);
  console.log(`rebuild from the log: ${rebuildMs} ms`, JSON.stringify({
    long_tasks: tasks.length,
    long_tasks_over_100ms: tasks.filter((d) => d > 100).length,
    longest_task_ms: Math.round(Math.max(0, ...tasks)),
  }));
} finally { await browser.close(); server.kill(); }
