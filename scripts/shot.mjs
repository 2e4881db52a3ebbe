import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { startBroker, stop } from '../e2e/processes.mjs';
const server = spawn('node', ['e2e/serve.mjs', 'dist', '4399'], { stdio: 'ignore' });
const broker = await startBroker(18890, '/tmp/shotbroker');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
await new Promise(r => setTimeout(r, 800));
async function join(page, learner, team, role) {
  await page.goto('http://127.0.0.1:4399/classroom');
  await page.getByTestId('room-broker').fill('ws://127.0.0.1:18890/');
  await page.getByTestId('room-name').fill('monday');
  await page.getByTestId('room-learner').fill(learner);
  await page.getByTestId(`room-role-${role}`).check();
  if (team) await page.getByTestId('room-team').fill(team);
  await page.getByTestId('room-join').click();
  await page.waitForSelector('[data-testid=room-status][data-state=connected]');
}
const t = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
const a = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
await join(t, 'teacher', null, 'instructor');
await join(a, 'alice', 'red', 'learner');
for (const [s, ty] of [['customer-1', 'CustomerRegistered'], ['quote-7', 'QuoteRequested']]) {
  await a.getByRole('link', { name: 'Event store' }).click();
  await a.getByTestId('publish-stream').fill(s); await a.getByTestId('publish-type').fill(ty);
  await a.getByTestId('publish-submit').click(); await a.waitForTimeout(300);
}
await a.getByRole('link', { name: 'Classroom', exact: true }).click();
await a.waitForTimeout(500);
await a.screenshot({ path: '/tmp/shots/learner.png', fullPage: true });
await t.screenshot({ path: '/tmp/shots/instructor.png', fullPage: true });
await stop(broker, 'SIGKILL');
await a.waitForTimeout(1500);
await a.getByRole('link', { name: 'Event store' }).click();
await a.getByTestId('publish-stream').fill('quote-8'); await a.getByTestId('publish-type').fill('QuoteRequested');
await a.getByTestId('publish-submit').click(); await a.waitForTimeout(500);
await a.evaluate(() => window.scrollTo(0, 0)); await a.waitForTimeout(2500);
await a.screenshot({ path: '/tmp/shots/offline.png', clip: { x: 0, y: 0, width: 1280, height: 300 } });
await a.getByRole('link', { name: 'Classroom', exact: true }).click(); await a.waitForTimeout(300);
await a.screenshot({ path: '/tmp/shots/offline-page.png', clip: { x: 0, y: 0, width: 1280, height: 500 } });
await browser.close(); server.kill();
