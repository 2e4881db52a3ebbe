import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
const port = 4198;
const server = spawn('node', ['e2e/serve.mjs', 'dist', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
    await page.goto(`http://127.0.0.1:${port}/lab`);
    await page.getByTestId('lab-preset').selectOption({ index: 3 });
    await page.getByTestId('lab-load-preset').click();
    await page.getByTestId('lab-put-event').click();
    await page.getByTestId('lab-message-queue').selectOption('orders.fifo');
    await page.getByTestId('lab-send-queue').click();
    await page.getByTestId('lab-send-queue').click();
    await page.getByTestId('node-queue:orders.fifo').click();
    await page.getByTestId('inspector-receive').click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `/tmp/lab-${scheme}.png`, fullPage: false });
    await page.locator('.lab-canvas svg.canvas').screenshot({ path: `/tmp/lab-canvas-${scheme}.png` });
    await page.getByTestId('node-rule:default/big-quotes').click();
    await page.getByTestId('inspector').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `/tmp/lab-rule-${scheme}.png`, fullPage: true });
    await page.close();
  }
} finally { await browser.close(); server.kill(); }
