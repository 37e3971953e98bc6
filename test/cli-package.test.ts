import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The CLI as users get it from npm: `npm pack` (which builds the bundle), installed from the tarball into an empty
// folder outside this repository with no network (`--offline`: the package must carry everything), then run there.
const cliDir = join(import.meta.dirname, '..', 'packages', 'cli');

describe('@myco-gates/cli as a packed npm package', () => {
  let dir: string;
  let bin: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'myco-cli-'));
    execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: cliDir, stdio: 'ignore' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(dir, 'package.json'), '{ "name": "user-project", "private": true }\n');
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`], {
      cwd: dir,
      stdio: 'ignore',
    });
    bin = join(dir, 'node_modules', '.bin', 'myco-gates');
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(bin, args, { cwd: dir, encoding: 'utf8' });

  it('holds only the bundle, its licenses and the README; no dependencies to download', () => {
    const files = execFileSync(
      'tar',
      [
        'tzf',
        join(
          dir,
          readdirSync(dir).find((f) => f.endsWith('.tgz'))!,
        ),
      ],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .sort();
    expect(files).toEqual([
      'package/README.md',
      'package/dist/index.js',
      'package/dist/licenses.txt',
      'package/dist/package.json',
      'package/package.json',
    ]);
    expect(readdirSync(join(dir, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['@myco-gates']);
  });

  it('gates coverage in a folder without this repository: pass at 40 %, fail at 90 %', () => {
    writeFileSync(join(dir, 'lcov.info'), 'TN:\nSF:src/a.js\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\n');
    const pass = run('coverage', '--reports', 'lcov.info', '--thresholds', 'lines=40');
    expect(pass.status, pass.stderr).toBe(0);
    expect(pass.stdout).toContain('Coverage 50.00% lines');
    const fail = run('coverage', '--reports', 'lcov.info', '--thresholds', 'lines=90');
    expect(fail.status).toBe(1);
  });

  it('generates Prometheus rules from an SLO spec, and names the file and the fix on bad input', () => {
    writeFileSync(
      join(dir, 'slos.yaml'),
      `version: prometheus/v1
service: api
slos:
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
`,
    );
    const generated = run('slo', 'generate', 'slos.yaml');
    expect(generated.status, generated.stderr).toBe(0);
    const bad = run('coverage', '--reports', 'missing.info');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/missing\.info/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
