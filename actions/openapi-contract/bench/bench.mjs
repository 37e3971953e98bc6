// Side-by-side timing: the whole action bundle (lint + diff + report, PR mode) against the Spectral CLI's lint alone
// (`extends: spectral:oas`) on the same spec, in the same run, alternating, ROUNDS times (default 3); prints each
// round and the medians. Usage: ROUNDS=3 node bench.mjs [twilio box asana kubernetes digitalocean]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const large = path.resolve(repo, '../shared/fixtures/openapi/large');
const bundle = path.join(here, '../dist/index.js');
const spectral = path.join(repo, 'node_modules/.bin/spectral');
const SPECS = {
  twilio: ['twilio-api-v2010/base.yaml', 'twilio-api-v2010/revision.yaml', 'openapi.yaml'],
  box: ['box-platform/base.json', 'box-platform/revision.json', 'openapi.json'],
  asana: ['asana/base.yaml', 'asana/revision.yaml', 'openapi.yaml'],
  kubernetes: ['kubernetes-swagger2/base-1.26.1.json', 'kubernetes-swagger2/revision-1.28.0.json', 'swagger.json'],
  digitalocean: [
    'digitalocean-multifile/base',
    'digitalocean-multifile/revision',
    'specification/DigitalOcean-public.v2.yaml',
  ],
};
const git = (cwd, ...args) =>
  execFileSync('git', ['-c', 'user.email=b@e.nch', '-c', 'user.name=bench', ...args], { cwd, encoding: 'utf8' }).trim();
const seconds = (ms) => (ms / 1000).toFixed(1);

for (const name of process.argv.slice(2).length ? process.argv.slice(2) : ['twilio', 'box']) {
  const [base, head, target] = SPECS[name];
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${name}-`));
  const put = (from) => {
    const src = path.join(large, from);
    if (from.endsWith('base') || from.endsWith('revision')) {
      rmSync(path.join(dir, 'specification'), { recursive: true, force: true });
      cpSync(path.join(src, 'specification'), path.join(dir, 'specification'), { recursive: true });
    } else cpSync(src, path.join(dir, target));
  };
  git(dir, 'init', '-q', '-b', 'main');
  put(base);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  const baseSha = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-qb', 'pr');
  put(head);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'revision');
  const runner = mkdtempSync(path.join(tmpdir(), 'bench-runner-'));
  const event = path.join(runner, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      pull_request: { number: 1, base: { sha: baseSha }, head: { sha: git(dir, 'rev-parse', 'HEAD') } },
      repository: { full_name: 'bench/api' },
    }),
  );
  for (const f of ['out', 'summary']) writeFileSync(path.join(runner, f), '');
  mkdirSync(path.join(runner, 'temp'));
  const env = {
    PATH: process.env.PATH,
    HOME: runner,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: path.join(runner, 'out'),
    GITHUB_STEP_SUMMARY: path.join(runner, 'summary'),
    GITHUB_REPOSITORY: 'bench/api',
    RUNNER_TEMP: path.join(runner, 'temp'),
    INPUT_SPEC: target,
    INPUT_COMMENT: 'false',
    INPUT_MODE: 'gate',
    'INPUT_FAIL-ON': 'never',
    'INPUT_WORKING-DIRECTORY': '.',
  };
  const rounds = Number(process.env.ROUNDS ?? 3);
  const actionTimes = [];
  const cliTimes = [];
  for (let round = 1; round <= rounds; round++) {
    let t = performance.now();
    const action = spawnSync(process.execPath, [bundle], {
      cwd: dir,
      env,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const actionMs = performance.now() - t;
    const timings = action.stdout
      .split('\n')
      .filter((l) => /^[a-z +()]+: \d+ ms$/.test(l))
      .join(', ');
    writeFileSync(path.join(runner, '.spectral.yaml'), 'extends: ["spectral:oas"]\n');
    t = performance.now();
    const cli = spawnSync(
      spectral,
      [
        'lint',
        '-r',
        path.join(runner, '.spectral.yaml'),
        '-f',
        'json',
        '-o',
        path.join(runner, 'cli.json'),
        '-q',
        target,
      ],
      { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    const cliMs = performance.now() - t;
    const headline =
      /::(?:error|warning)::openapi-contract: (.*)/.exec(action.stdout)?.[1] ??
      action.stdout.split('\n').find((l) => l.startsWith('::error::')) ??
      `status ${action.status}`;
    actionTimes.push(actionMs);
    cliTimes.push(cliMs);
    console.log(
      `${name} #${round}: action ${seconds(actionMs)} s (exit ${action.status}; ${timings}) | spectral CLI lint ${seconds(cliMs)} s (exit ${cli.status}) | ${headline.slice(0, 160)}`,
    );
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(
    `${name} median of ${rounds}: action ${seconds(median(actionTimes))} s | spectral CLI lint ${seconds(median(cliTimes))} s`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(runner, { recursive: true, force: true });
}
