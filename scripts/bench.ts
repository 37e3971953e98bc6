// `npm run bench`: our speed and memory beside the peers', measured in the same run, on the same input, the same way
// (a separate process each, peak RSS reported by each Node process itself through scripts/bench/rss.cjs and summed
// over the processes of one run, wall time from spawn to exit). Inputs come from ../shared (the 52 MB lcov generator
// and the large OpenAPI pairs); without it the sections say they are skipped.
//   npm run bench                 both sections
//   npm run bench -- coverage     one section (coverage | contract | slo)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { repoRoot } from '@myco-gates/testkit';
import { benchSlo } from './bench/slo.js';

const root = repoRoot();
const shared = join(root, '..', 'shared');
const work = join(root, '.tmp', 'bench');
const rssHook = join(root, 'scripts', 'bench', 'rss.cjs');
const node24 = join(root, 'tools', 'node24', 'node_modules', 'node', 'bin', 'node');
const only = process.argv[2];

interface Measurement {
  wallMs: number;
  rssMb: number;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs one process with the RSS hook preloaded (through NODE_OPTIONS, so a Node child it starts reports too: its
 * figure is the sum of their peaks); kills it after `timeoutMs`.
 */
function measure(
  nodeBin: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<Measurement> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(nodeBin, args, {
      cwd: options.cwd ?? root,
      // Its own process group, so a timeout kills everything it started (workers, a child node), not just the parent.
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_OPTIONS: `--require ${JSON.stringify(rssHook)}`,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const peaks = [...stderr.matchAll(/@@bench-rss (\d+)/g)].map((m) => Number(m[1]));
      resolve({
        wallMs,
        rssMb: peaks.length ? peaks.reduce((a, b) => a + b, 0) / 1024 : NaN,
        exitCode,
        timedOut,
        stdout,
        stderr: stderr.replace(/\n?@@bench-rss \d+\n?/g, ''),
      });
    });
  });
}

/** Median of `runs` measurements by wall time (the RSS of that same run). */
async function median(runs: number, run: () => Promise<Measurement>): Promise<Measurement> {
  const all: Measurement[] = [];
  for (let i = 0; i < runs; i++) all.push(await run());
  all.sort((a, b) => a.wallMs - b.wallMs);
  return all[Math.floor(all.length / 2)];
}

function cell(m: Measurement, limitNote = '', okExitCodes = [0]): string[] {
  if (m.timedOut) return [`> ${(m.wallMs / 1000).toFixed(0)} s (killed)`, '—', limitNote];
  if (!okExitCodes.includes(m.exitCode ?? -1)) {
    const why = /heap out of memory|Allocation failed/i.test(m.stderr) ? 'out of memory' : `exit ${m.exitCode}`;
    return [`${(m.wallMs / 1000).toFixed(2)} s`, Number.isFinite(m.rssMb) ? `${m.rssMb.toFixed(0)} MB` : '—', why];
  }
  return [`${(m.wallMs / 1000).toFixed(2)} s`, `${m.rssMb.toFixed(0)} MB`, limitNote];
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
}

/** A workspace like the generator's monorepo: 40 npm workspace packages, so the gate evaluates every package. */
function coverageWorkspace(lcov: string): string {
  const ws = join(work, 'coverage-ws');
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'bench', private: true, workspaces: ['packages/*'] }));
  for (let i = 0; i < 40; i++) {
    mkdirSync(join(ws, 'packages', `pkg${i}`), { recursive: true });
    writeFileSync(
      join(ws, 'packages', `pkg${i}`, 'package.json'),
      JSON.stringify({ name: `pkg${i}`, version: '1.0.0' }),
    );
  }
  if (!existsSync(join(ws, 'big.lcov'))) writeFileSync(join(ws, 'big.lcov'), readFileSync(lcov));
  return ws;
}

async function benchCoverage(): Promise<void> {
  const generator = join(shared, 'bench', 'gen-lcov.js');
  if (!existsSync(generator)) {
    console.log(
      `\ncoverage: skipped — ${generator} is not here (it ships beside the repository in CI, not in a clone).`,
    );
    return;
  }
  mkdirSync(work, { recursive: true });
  const lcov = join(work, 'big.lcov');
  if (!existsSync(lcov)) await measure(process.execPath, [generator, '20000', lcov]);
  const ws = coverageWorkspace(lcov);
  const bundle = join(root, 'actions', 'coverage-gate', 'dist', 'index.js');
  const gateEnv = (): Record<string, string> => {
    const out = join(work, 'gate-output');
    writeFileSync(out, '');
    writeFileSync(join(work, 'gate-summary'), '');
    return {
      INPUT_REPORTS: 'big.lcov',
      INPUT_THRESHOLDS: 'lines=85,branches=85,functions=85',
      'INPUT_PACKAGE-THRESHOLDS': '*: lines=80',
      INPUT_COMMENT: 'false',
      INPUT_MODE: 'gate',
      'INPUT_FAIL-ON-ERROR': 'true',
      'INPUT_MISSING-BASE': 'skip',
      INPUT_ANNOTATIONS: 'true',
      'INPUT_BASE-ARTIFACT': 'coverage-gate-report',
      'INPUT_GITHUB-TOKEN': '',
      GITHUB_WORKSPACE: ws,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: join(work, 'gate-summary'),
      RUNNER_TEMP: work,
      GITHUB_REPOSITORY: 'bench/bench',
      GITHUB_ACTIONS: 'true',
    };
  };
  const size = (statSync(lcov).size / 1e6).toFixed(1);
  console.log(
    `\ncoverage: ${size} MB lcov, 20,000 files in 40 packages (node ../shared/bench/gen-lcov.js 20000); median of 3 runs`,
  );
  const rows: string[][] = [];
  for (const [label, bin] of [
    ['Myco Gates coverage-gate, whole gate (Node 20)', process.execPath],
    ['Myco Gates coverage-gate, whole gate (Node 24)', node24],
  ] as const) {
    if (!existsSync(bin)) continue;
    const m = await median(3, () => measure(bin, [bundle], { env: gateEnv(), cwd: ws }));
    if (m.exitCode !== 0 && m.exitCode !== 1)
      console.log(`${label} failed:\n${m.stdout.slice(-2000)}\n${m.stderr.slice(-2000)}`);
    const outputs = readFileSync(join(work, 'gate-output'), 'utf8');
    const output = (name: string) => new RegExp(`^${name}<<(\\S+)\\n([^\\n]*)`, 'm').exec(outputs)?.[2] ?? '?';
    // Exit 1 is the gate failing a threshold (a result); anything else is a crash.
    rows.push([label, ...cell(m, `status ${output('status')}, lines ${output('lines')}%`, [0, 1])]);
  }
  for (const peer of ['@friedemannsommer/lcov-parser', 'parse-lcov', 'lcov-parse']) {
    const m = await median(3, () =>
      measure(process.execPath, [join(root, 'scripts', 'bench', 'peer-lcov.mjs'), peer, lcov], { timeoutMs: 120_000 }),
    );
    let lines = '';
    try {
      const totals = JSON.parse(m.stdout) as { linesFound: number; linesHit: number };
      lines = `lines ${(Math.floor((totals.linesHit * 10000) / totals.linesFound) / 100).toFixed(2)}%`;
    } catch {
      // shown as failed by cell()
    }
    rows.push([`${peer} (parse + totals only, Node 20)`, ...cell(m, lines)]);
  }
  table(
    'Coverage gate on the 52 MB lcov (target: ≤ 1.0 s wall, ≤ 150 MB peak RSS)',
    ['run', 'wall', 'peak RSS', 'result'],
    rows,
  );
}

/**
 * A git repository where a pull request turns the pair's base spec into its revision: one commit each, on `main` and a
 * branch, with the event file GitHub would give the action. A multi-file pair (`…/base/<tree>`, `…/revision/<tree>`)
 * keeps its tree; a single file becomes `openapi.<ext>`.
 */
function pullRequestRepo(large: string, name: string, pair: { base: string; revision: string }) {
  const dir = join(work, 'pr', name);
  const runner = join(work, 'runner', name);
  rmSync(dir, { recursive: true, force: true });
  rmSync(runner, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync(runner, { recursive: true });
  const tree = (file: string, side: string) => {
    const parts = file.split('/');
    const at = parts.indexOf(side);
    return at < 0
      ? { from: join(large, file), to: `openapi${extname(file)}`, spec: `openapi${extname(file)}` }
      : { from: join(large, ...parts.slice(0, at + 2)), to: parts[at + 1], spec: parts.slice(at + 1).join('/') };
  };
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  const commit = (side: ReturnType<typeof tree>, message: string) => {
    rmSync(join(dir, side.to), { recursive: true, force: true });
    cpSync(side.from, join(dir, side.to), { recursive: true });
    git('add', '-A');
    git('commit', '-qm', message);
    return git('rev-parse', 'HEAD');
  };
  git('init', '-q', '-b', 'main');
  const baseSha = commit(tree(pair.base, 'base'), 'base');
  git('checkout', '-qb', 'pull-request');
  const headSide = tree(pair.revision, 'revision');
  const headSha = commit(headSide, 'revision');
  const event = join(runner, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      pull_request: { number: 1, base: { sha: baseSha }, head: { sha: headSha } },
      repository: { full_name: 'bench/bench' },
    }),
  );
  return { dir, runner, event, spec: headSide.spec };
}

async function benchContract(): Promise<void> {
  const large = join(shared, 'fixtures', 'openapi', 'large');
  if (!existsSync(large)) {
    console.log(`\ncontract: skipped — ${large} is not here (it ships beside the repository in CI, not in a clone).`);
    return;
  }
  const summary = JSON.parse(readFileSync(join(large, 'SUMMARY.json'), 'utf8')) as Record<
    string,
    { base: string; revision: string }
  >;
  const script = join(root, 'scripts', 'bench', 'contract.ts');
  const spectral = join(root, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
  const action = join(root, 'actions', 'openapi-contract', 'dist', 'index.js');
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const diffRows: string[][] = [];
  const lintRows: string[][] = [];
  for (const [name, pair] of Object.entries(summary)) {
    const base = join(large, pair.base);
    const head = join(large, pair.revision);
    // The diff alone, timed inside the process (module loading excluded for both engines alike). Ours is the median
    // of `rounds` runs by its own timing (the first read of DigitalOcean's 2,900 files is the slowest); openapi-diff
    // runs once, as it takes minutes or runs out of memory on most of these.
    for (const engine of ['ours', 'openapi-diff']) {
      // `--import tsx` in the measured process itself (the tsx CLI would fork a child the RSS hook can't see).
      const once = () =>
        measure(process.execPath, ['--import', 'tsx', script, engine, base, head, large], {
          timeoutMs: engine === 'ours' ? 120_000 : 90_000,
        });
      const parse = (m: Measurement) => {
        const result = /@@diff (\{.*\})/.exec(m.stdout)?.[1];
        return result ? (JSON.parse(result) as { ms: number; changes: number; breaking: number }) : undefined;
      };
      const runs = [await once()];
      while (engine === 'ours' && runs.length < rounds) runs.push(await once());
      runs.sort((a, b) => (parse(a)?.ms ?? a.wallMs) - (parse(b)?.ms ?? b.wallMs));
      const m = runs[Math.floor(runs.length / 2)];
      const parsed = parse(m);
      const [wall, rss, note] = cell(m);
      diffRows.push([
        name,
        engine === 'ours' ? `Myco Gates (median of ${rounds})` : 'openapi-diff 0.24.1',
        parsed ? `${(parsed.ms / 1000).toFixed(2)} s` : wall,
        rss,
        parsed
          ? `${parsed.changes} changes, ${parsed.breaking} breaking`
          : note ||
            m.stderr
              .split('\n')
              .find((l) => /Error/.test(l))
              ?.slice(0, 60) ||
            'failed',
      ]);
    }
    // The whole action (lint + diff + report) against Spectral CLI's lint alone, both as processes, alternating and
    // `rounds` times each (median shown): single runs of a 20 s lint vary by ±15 % on a shared 2-core machine. The
    // action runs as on a pull request: the base spec read from git at the merge base, lint findings split by the lines
    // the PR changed, its diff worker's memory counted with its own.
    const pr = pullRequestRepo(large, name, pair);
    const runOurs = () => {
      for (const f of ['output', 'summary']) writeFileSync(join(pr.runner, f), '');
      return measure(process.execPath, [action], {
        cwd: pr.dir,
        timeoutMs: 300_000,
        env: {
          INPUT_SPEC: pr.spec,
          INPUT_COMMENT: 'false',
          'INPUT_FAIL-ON': 'never',
          INPUT_MODE: 'gate',
          'INPUT_GITHUB-TOKEN': '',
          GITHUB_WORKSPACE: pr.dir,
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: pr.event,
          GITHUB_OUTPUT: join(pr.runner, 'output'),
          GITHUB_STEP_SUMMARY: join(pr.runner, 'summary'),
          RUNNER_TEMP: pr.runner,
          GITHUB_REPOSITORY: 'bench/bench',
          GITHUB_ACTIONS: 'true',
        },
      });
    };
    const runSpectral = async () => {
      const ruleset = join(root, 'scripts', 'bench', 'spectral-oas.yaml');
      const s = await measure(
        process.execPath,
        [spectral, 'lint', '--ruleset', ruleset, '--format', 'json', '--quiet', pr.spec],
        { cwd: pr.dir, timeoutMs: 300_000 },
      );
      // Spectral exits 1 when it found errors: that is its result, not a failure.
      return { ...s, exitCode: s.exitCode === 1 ? 0 : s.exitCode };
    };
    const ours: Measurement[] = [];
    const theirs: Measurement[] = [];
    for (let i = 0; i < rounds; i++) {
      if (existsSync(action)) ours.push(await runOurs());
      theirs.push(await runSpectral());
    }
    const mid = (all: Measurement[]) => [...all].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(all.length / 2)];
    if (ours.length) {
      const m = mid(ours);
      const error = m.stdout.split('\n').find((l) => l.startsWith('::error'));
      lintRows.push([
        name,
        'Myco Gates openapi-contract (lint + diff + report)',
        ...cell(m, m.exitCode === 0 ? '' : (error?.slice(0, 80) ?? '')),
      ]);
    }
    lintRows.push([name, 'Spectral CLI lint alone (spectral:oas)', ...cell(mid(theirs))]);
  }
  table(
    'OpenAPI breaking-change diff on the 5 large pairs (target: ≤ 2 s, ≤ 1 GB each)',
    ['pair', 'engine', 'diff time', 'peak RSS', 'result'],
    diffRows,
  );
  table(
    `Whole openapi-contract action on a pull request vs the Spectral CLI lint alone, median of ${rounds} alternating runs (target: no slower)`,
    ['spec', 'run', 'wall', 'peak RSS', 'note'],
    lintRows,
  );
}

if (!only || only === 'coverage') await benchCoverage();
if (!only || only === 'contract') await benchContract();
if (!only || only === 'slo') await benchSlo(table, join(root, 'sample-app', 'monitoring', 'slos.yaml'));
