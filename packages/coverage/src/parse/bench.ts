/**
 * Parse benchmark: our lcov parser next to the npm peers, each in its own process so max RSS is per parser.
 *
 *   node /work/shared/bench/gen-lcov.js 20000 /tmp/big.lcov
 *   npx tsx packages/coverage/src/parse/bench.ts /tmp/big.lcov [--only myco]
 *
 * Prints wall time, CPU time and peak RSS of: parse + merge + totals (ours), lcov-parse, parse-lcov,
 * @friedemannsommer/lcov-parser. Not a test: timings depend on the machine and its load.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { mergeCoverage, totals } from '../merge.js';
import { parseCoverageFile } from './index.js';

const CANDIDATES = ['myco', 'lcov-parse', 'parse-lcov', '@friedemannsommer/lcov-parser'] as const;
type Candidate = (typeof CANDIDATES)[number];

interface Result {
  candidate: Candidate;
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  files: number;
}

const require = createRequire(import.meta.url);

async function runOne(candidate: Candidate, file: string): Promise<number> {
  switch (candidate) {
    case 'myco': {
      const report = await parseCoverageFile(file);
      const set = mergeCoverage([report], { workspace: process.cwd(), adoptParsedFiles: true });
      totals(set.files.values());
      return set.files.size;
    }
    case 'lcov-parse': {
      const parse = require('lcov-parse') as (path: string, cb: (err: unknown, data: unknown[]) => void) => void;
      return new Promise((resolve, reject) =>
        parse(file, (err, data) => (err ? reject(err as Error) : resolve(data.length))),
      );
    }
    case 'parse-lcov': {
      const mod = require('parse-lcov') as { default?: (text: string) => unknown[] } & ((text: string) => unknown[]);
      const parse = mod.default ?? mod;
      return parse(readFileSync(file, 'utf8')).length;
    }
    case '@friedemannsommer/lcov-parser': {
      const mod = (await import('@friedemannsommer/lcov-parser')) as unknown as {
        default: (o: { from: NodeJS.ReadableStream }) => Promise<unknown[]>;
      };
      return (await mod.default({ from: createReadStream(file) })).length;
    }
  }
}

async function child(candidate: Candidate, file: string): Promise<void> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const files = await runOne(candidate, file);
  const used = process.cpuUsage(cpu);
  const result: Result = {
    candidate,
    wallMs: Math.round(performance.now() - start),
    cpuMs: Math.round((used.user + used.system) / 1000),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    files,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function parent(file: string, only: string | undefined): void {
  const self = fileURLToPath(import.meta.url);
  const rows: string[] = [];
  for (const candidate of CANDIDATES) {
    if (only && candidate !== only) continue;
    const run = spawnSync(process.execPath, [...process.execArgv, self, '--child', candidate, file], {
      encoding: 'utf8',
      timeout: 180_000,
      maxBuffer: 1024 * 1024,
    });
    const line = run.stdout.trim().split('\n').pop() ?? '';
    if (run.status !== 0 || !line.startsWith('{')) {
      rows.push(`| ${candidate} | failed: ${(run.error?.message ?? run.stderr).split('\n')[0]} | | | |`);
      continue;
    }
    const r = JSON.parse(line) as Result;
    rows.push(`| ${r.candidate} | ${r.wallMs} | ${r.cpuMs} | ${r.maxRssMB} | ${r.files} |`);
  }
  console.log(`| parser | wall ms | cpu ms | max RSS MB | files |\n|---|---|---|---|---|\n${rows.join('\n')}`);
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1] as Candidate, args[2]!);
else if (!args[0]) console.error('usage: bench.ts <lcov file> [--only <parser>]');
else parent(args[0], args[1] === '--only' ? args[2] : undefined);
