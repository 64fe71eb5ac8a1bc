import { defineConfig } from '@playwright/test';

// End-to-end tests: Debian's Chromium (never a downloaded browser) against the real gateway, which each
// test file starts itself on a free loopback port (e2e/gateway.ts).
export default defineConfig({
  testDir: 'e2e',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  forbidOnly: true,
  outputDir: 'test-results/artifacts',
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-results.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.AQ_CHROMIUM ?? '/usr/bin/chromium' },
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
