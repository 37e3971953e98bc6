import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // index.ts only re-exports the modules below, each of which is measured.
      exclude: ['src/**/*.test.ts', 'src/index.ts'],
      reporter: ['text', 'lcov', 'json', 'json-summary', 'cobertura'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 85, branches: 85, functions: 85, statements: 85 },
    },
  },
});
