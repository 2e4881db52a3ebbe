// End-to-end tests run the release build from dist/ in Debian's Chromium. Playwright
// starts the static server on 127.0.0.1 and stops it when the run ends.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT || 4173);
// The same app built with `--public-url /dojo/sub/` into dist-sub, served only under
// that path (see e2e/subpath.spec.mjs).
export const subPort = Number(process.env.E2E_SUB_PORT || port + 1);

export default defineConfig({
  testDir: './e2e',
  timeout: 60_000,
  // One retry, and a journey that passes on it is listed as flaky (scripts/test.sh counts
  // them). The flake found this way: a form's Edit moves the focus to its first field a
  // frame later, and a field filled before that saw its text land in the focused one
  // under a full run's load ("comms0"); the journeys now wait for that focus.
  retries: 1,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
        '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `node e2e/serve.mjs dist ${port}`,
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node e2e/serve.mjs dist-sub ${subPort} /dojo/sub/`,
      url: `http://127.0.0.1:${subPort}/dojo/sub/`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
