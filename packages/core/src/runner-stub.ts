/**
 * Test-only: a throwaway runner environment. Points GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP at temp files
 * and records workflow commands written to stdout (`::error …`, `::add-mask::…`), which is exactly what the real
 * runner reads, so tests check our process boundary instead of mocking @actions/core.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunnerStub {
  dir: string;
  /** Workflow commands and log lines written to stdout, one per entry. */
  stdout: string[];
  /** Outputs written to GITHUB_OUTPUT. */
  outputs(): Record<string, string>;
  /** Content of GITHUB_STEP_SUMMARY. */
  summary(): string;
  /** Workflow commands of one kind (`error`, `warning`, `notice`, `add-mask`). */
  commands(kind: string): string[];
  restore(): void;
}

const VARIABLES = ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'RUNNER_TEMP', 'GITHUB_EVENT_PATH', 'GITHUB_API_URL'];

/**
 * Starts a runner stub; call `restore()` in `afterEach`.
 * @returns the stub.
 */
export function startRunnerStub(): RunnerStub {
  const dir = mkdtempSync(join(tmpdir(), 'myco-gates-runner-'));
  const saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  process.env.GITHUB_OUTPUT = outputFile;
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  process.env.RUNNER_TEMP = join(dir, 'temp');
  delete process.env.GITHUB_EVENT_PATH;
  delete process.env.GITHUB_API_URL;
  const stdout: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  const exitCode = process.exitCode;
  return {
    dir,
    stdout,
    outputs() {
      // GITHUB_OUTPUT uses heredoc blocks: name<<delimiter \n value \n delimiter.
      const text = readFileSync(outputFile, 'utf8');
      const result: Record<string, string> = {};
      const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
      for (const m of text.matchAll(re)) result[m[1]] = m[3];
      return result;
    },
    summary: () => readFileSync(summaryFile, 'utf8'),
    commands: (kind) => stdout.filter((l) => l.startsWith(`::${kind}`)),
    restore() {
      process.stdout.write = write;
      process.exitCode = exitCode;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
