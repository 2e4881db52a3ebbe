// One source of truth in the workshop, as the learner sees it: for every preset in every
// style, at a spread of steps, the panels on screen agree with each other. The narration's
// queue depths are the queue panel's counts, the read models' lag never exceeds the cost
// table's worst lag so far (and is zero outside CQRS), the canvas's callback edges add up
// to the table's callbacks, and the description names the chosen style. (Every step of
// every run is checked natively by engine/tests/workshop_cursor.rs; this walks what the
// browser renders.)
import { test, expect } from '@playwright/test';
import { WorkshopPage } from './pages/workshop.mjs';

const PRESETS = ['quote-journey', 'callback-hotspot', 'spike'];
const STYLES = [
  ['notification', 'Event notification'],
  ['event_carried_state', 'Event-carried state transfer'],
  ['event_sourcing', 'Event sourcing'],
  ['cqrs', 'CQRS'],
];

/** What the learner sees, read off the page. */
async function readPanels(page) {
  return page.evaluate(() => {
    const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
    const queues = {};
    for (const el of document.querySelectorAll('[data-testid^="queue-"]')) {
      const m = el.textContent.match(/(\d+) visible, (\d+) in flight, (\d+) delayed/);
      if (m) queues[el.dataset.testid.slice(6)] = Number(m[1]) + Number(m[2]) + Number(m[3]);
    }
    const lags = [...document.querySelectorAll('[data-testid^="rm-lag-"]')].map((el) => {
      const m = el.textContent.match(/: (\d+) events, (\d+) ms/);
      return { events: Number(m[1]), ms: Number(m[2]) };
    });
    const row = (label) => [...document.querySelectorAll('[data-testid="metrics-table"] tr')]
      .find((tr) => tr.querySelector('th')?.textContent === label)?.querySelector('td')?.textContent ?? '';
    const callbackCounts = [...document.querySelectorAll('[data-testid="canvas"] .edge.back')].length;
    return {
      narration: text('narration'),
      position: text('debugger-position'),
      description: text('scenario-description'),
      queues,
      lags,
      callbacks: Number(row('Callbacks to Customer Management')),
      maxLag: row('Read-model lag (max)'),
      callbackEdges: callbackCounts,
      edgeCounts: [...document.querySelectorAll('[data-testid="canvas"] .edge-count')].map((e) => e.textContent),
    };
  });
}

for (const preset of PRESETS) {
  test(`every panel agrees at every sampled step of ${preset}, in every style`, async ({ page }) => {
    test.setTimeout(120_000);
    const ws = new WorkshopPage(page);
    await ws.open();
    for (const [style, name] of STYLES) {
      await ws.runScenario(preset, style);
      const description = await page.getByTestId('scenario-description').innerText();
      expect(description).toContain(name);
      for (const [, other] of STYLES.filter(([s]) => s !== style)) expect(description).not.toContain(other);
      const total = Number((await ws.position.innerText()).match(/of (\d+)/)[1]);
      const steps = [...new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, Math.floor(total / 3), Math.floor(total / 2), total - 1, total])]
        .filter((s) => s >= 0 && s <= total);
      for (const step of steps) {
        await page.getByTestId('debugger-jump').fill(String(step));
        await page.getByTestId('debugger-jump').press('Enter');
        await expect(ws.position).toHaveText(`#${step} of ${total}`);
        const seen = await readPanels(page);
        const at = `${preset} / ${style} / #${step}`;
        // The narration's depths are what the queue panel holds.
        for (const [, queue, depth] of seen.narration.matchAll(/queue:([\w-]+) \(depth (\d+)\)/g)) {
          expect(seen.queues[queue], `${at}: ${seen.narration}`).toBe(Number(depth));
        }
        // Lag at the cursor within the worst lag so far; none without a projector.
        const [maxEvents, maxMs] = seen.maxLag.match(/(\d+) events, (\d+) ms/).slice(1).map(Number);
        for (const lag of seen.lags) {
          expect(lag.events, at).toBeLessThanOrEqual(maxEvents);
          expect(lag.ms, at).toBeLessThanOrEqual(maxMs);
          if (style !== 'cqrs') expect(lag, at).toEqual({ events: 0, ms: 0 });
        }
        // Callbacks: drawn on the canvas in the notification style, and counted the same.
        if (style === 'notification') {
          expect(seen.callbackEdges, at).toBe(2);
          const cbCounts = await page.evaluate(() => {
            // The counts drawn beside the two callback curves (left of the service column).
            const counts = [...document.querySelectorAll('[data-testid="canvas"] .edge-count')];
            return counts.filter((c) => Number(c.getAttribute('x')) < 0).map((c) => Number(c.textContent));
          });
          expect(cbCounts.reduce((a, b) => a + b, 0), at).toBe(seen.callbacks);
        } else {
          expect(seen.callbackEdges, at).toBe(0);
          expect(seen.callbacks, at).toBe(0);
        }
      }
    }
  });
}
