import { defineConfig } from 'vitest/config';

// One `vitest run` for the whole repository: the packages and actions here, and each sample-app package with its own
// config (the frontend needs jsdom; its end-to-end test drives Chromium against the real backend).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'myco-gates',
          include: [
            'packages/*/src/**/*.test.ts',
            'actions/*/src/**/*.test.ts',
            'actions/*/test/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      'sample-app/*/vitest.config.ts',
      'sample-app/frontend/vitest.e2e.config.ts',
    ],
  },
});
