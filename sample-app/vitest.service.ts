import { defineConfig } from 'vitest/config';

/**
 * The vitest config every Node service of the sample app shares: node environment, coverage with the reporters the
 * gates read (lcov, istanbul JSON, Cobertura) and the 85 % floor on all four metrics.
 * @param exclude files left out of coverage besides tests, each with a reason at the call site.
 */
export function serviceConfig(exclude: string[]) {
  return defineConfig({
    test: {
      environment: 'node',
      include: ['src/**/*.test.ts'],
      testTimeout: 20_000,
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.test.ts', ...exclude],
        reporter: ['text', 'lcov', 'json', 'json-summary', 'cobertura'],
        reportsDirectory: 'coverage',
        thresholds: { lines: 85, branches: 85, functions: 85, statements: 85 },
      },
    },
  });
}
