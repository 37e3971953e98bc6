import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // server.ts only imports main() and awaits it; main() itself is tested.
      exclude: ['src/**/*.test.ts', 'src/testing.ts', 'src/server.ts'],
      reporter: ['text', 'lcov', 'json', 'json-summary', 'cobertura'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 85, branches: 85, functions: 85, statements: 85 },
    },
  },
});
