#!/usr/bin/env node
// `npm test`: the whole suite (vitest projects), then one plain closing line "N passed, N failed, N skipped" that any
// CI can read. Extra arguments go to vitest (e.g. `npm test -- packages/core`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.tmp', 'vitest-results.json');
mkdirSync(join(root, '.tmp'), { recursive: true });
rmSync(out, { force: true });
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
let summary = 'tests: no results were written (vitest crashed before reporting)';
try {
  const results = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = results.numPendingTests + results.numTodoTests;
  summary = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`;
} catch {
  // keep the crash summary
}
console.log(`\n${summary}`);
process.exit(run.status ?? 1);
