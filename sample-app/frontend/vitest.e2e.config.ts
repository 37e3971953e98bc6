import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'frontend-e2e',
    root: import.meta.dirname,
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
