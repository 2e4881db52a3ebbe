// Offline and installable: after one visit the service worker has cached the app, every
// page's lazily loaded modules included, so with the server gone a reload of any page
// (even a deep link) still starts it, with the learner's data; and Chromium finds nothing missing to install it. The test runs its own server so
// that it can really take it away.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { freePort } from './processes.mjs';

async function serve(port) {
  const server = spawn('node', ['e2e/serve.mjs', 'dist', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return server; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error('the test server did not start');
}

test('after one visit the app reloads and works with the server gone', async ({ page }) => {
  const port = await freePort();
  let server = await serve(port);
  try {
    const root = `http://127.0.0.1:${port}/`;
    await page.goto(`${root}store`);
    await expect(page.getByTestId('log-empty')).toBeVisible();
    // The worker has installed (and cached the app) once it is ready.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.getByTestId('publish-stream').fill('customer-offline');
    await page.getByTestId('publish-type').fill('CustomerRegistered');
    await page.getByTestId('publish-submit').click();
    await expect(page.getByTestId('publish-status')).toHaveText('Appended to customer-offline as version 1 at position 1.');

    server.kill();
    await new Promise((r) => server.on('exit', r));
    await expect(fetch(root)).rejects.toThrow();

    await page.reload();
    await expect(page.getByTestId('log-summary')).toHaveText('1 event in the store, newest first.');
    await page.goto(`${root}event/1`);
    await expect(page.getByText('"streamid": "customer-offline"')).toBeVisible();
    // The start page, too, opens offline.
    await page.goto(root);
    await expect(page.getByTestId('start-exercise')).toHaveText('Start with exercise 1');
    await page.goto(`${root}console`);
    await expect(page.getByTestId('command-form')).toBeVisible();
    // Working offline includes writing.
    await page.getByTestId('command-submit').click();
    await expect(page.getByTestId('command-result')).toContainText('appended to customer-c1');
    // The store worker's files were cached too: a sample load works offline.
    await page.goto(`${root}store`);
    await expect(page.getByTestId('log-summary')).toContainText('in the store');
    const before = Number((await page.getByTestId('log-summary').innerText()).match(/^(\d+) event/)[1]);
    await page.getByTestId('sample-load').click();
    await expect(page.getByTestId('log-summary')).toHaveText(`${before + 1000} events in the store, newest first.`, { timeout: 30_000 });
    // Every page's own wasm modules were cached with the app (the worker follows the
    // split loader to them), including pages this visit never opened.
    for (const [path, heading] of [
      ['sandbox', 'Pattern sandbox'], ['lab', 'Channels lab'], ['workshop', 'Workshop'],
      ['learn', 'Learn'], ['learn/events-and-commands', 'Events are facts, commands can be refused'],
      ['quiz', 'Quiz'], ['classroom', 'Classroom'],
    ]) {
      await page.goto(`${root}${path}`);
      await expect(page.locator('main h1')).toHaveText(heading);
    }
    // So was the run worker's: the workshop runs a scenario offline, and the console's
    // read models (folded in the store worker) show the command appended above.
    await page.goto(`${root}workshop`);
    await page.getByTestId('scenario-run').click();
    await expect(page.getByTestId('run-summary')).toContainText('events,');
    await page.goto(`${root}console`);
    await expect(page.getByTestId('console-customers')).toContainText('c1');
  } finally {
    server.kill();
  }
});

test('the app is installable: a manifest and a worker, with nothing missing', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const manifest = await (await page.request.get('/manifest.webmanifest')).json();
  expect(manifest).toMatchObject({ name: 'Event Dojo', start_url: './', display: 'standalone' });
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  // Playwright's browser contexts are incognito, which Chromium never installs from;
  // that is about the test's browser, not the app, so it is the one error allowed.
  expect(installabilityErrors.map((e) => e.errorId)).toContain('in-incognito');
  expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([]);
});
