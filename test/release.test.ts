import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, tempRepo, type GitHubStub, type TempRepo } from '@myco-gates/testkit';
// @ts-expect-error plain JavaScript, run as is by release.yml
import { release } from '../scripts/release.js';

const TOKEN = 'ghs_release-test-token-0123456789';
const script = join(import.meta.dirname, '..', 'scripts', 'release.js');

// The release steps on a temporary repository: a real git history and a bare "GitHub" remote for the major tag, and
// the GitHub stub (checked against GitHub's OpenAPI description) for the release itself.
describe('release', () => {
  let repo: TempRepo;
  let remote: string;
  let github: GitHubStub;
  let env: NodeJS.ProcessEnv;
  let lines: string[];

  beforeEach(async () => {
    repo = tempRepo({ 'lerna.json': '{ "version": "1.2.0" }\n', 'README.md': 'x\n' }, { git: true });
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'v1.2.0');
    repo.git('tag', '-a', 'v1.2.0', '-m', 'v1.2.0');
    remote = mkdtempSync(join(tmpdir(), 'myco-remote-'));
    execFileSync('git', ['init', '-q', '--bare', remote]);
    github = await startGitHubStub();
    env = {
      PATH: process.env.PATH,
      HOME: repo.root,
      GIT_CONFIG_NOSYSTEM: '1',
      TAG: 'v1.2.0',
      GITHUB_REPOSITORY: 'myco/myco-gates',
      GH_TOKEN: TOKEN,
      GITHUB_API_URL: github.url,
      RELEASE_REMOTE: remote,
    };
    lines = [];
  });
  afterEach(async () => {
    github.assertNoViolations();
    await github.close();
    repo.remove();
    rmSync(remote, { recursive: true, force: true });
  });

  const run = (dryRun = false) => release({ cwd: repo.root, env, dryRun, log: (l: string) => lines.push(l) });
  const remoteTag = (tag: string) =>
    spawnSync('git', ['--git-dir', remote, 'rev-parse', '--verify', '-q', `${tag}^{commit}`], {
      encoding: 'utf8',
    }).stdout.trim();

  it('dry run: reads only, says what it would do', async () => {
    await run(true);
    expect(lines).toEqual([
      expect.stringMatching(/would create the GitHub release v1\.2\.0 on [0-9a-f]{12} with generated notes/),
      'release (dry run): would move v1 to v1.2.0',
    ]);
    expect(github.requests.map((r) => r.method)).toEqual(['GET']);
    expect(github.releases('myco', 'myco-gates')).toEqual([]);
    expect(remoteTag('v1')).toBe('');
  });

  it('creates the release with generated notes and moves the major tag; a second run refuses', async () => {
    const result = await run();
    expect(result.releaseUrl).toBe('https://github.com/myco/myco-gates/releases/tag/v1.2.0');
    const [created] = github.releases('myco', 'myco-gates');
    expect(created).toMatchObject({ tagName: 'v1.2.0', name: 'v1.2.0', draft: false, makeLatest: 'true' });
    expect(created.body).toContain("What's Changed");
    expect(remoteTag('v1')).toBe(repo.git('rev-parse', 'HEAD'));
    await expect(run()).rejects.toThrow(/already released, and releases are immutable: bump the version.*1\.2\.1/);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('the next minor moves v1 forward', async () => {
    await run();
    repo.write('lerna.json', '{ "version": "1.3.0" }\n');
    repo.git('commit', '-qam', 'v1.3.0');
    repo.git('tag', '-a', 'v1.3.0', '-m', 'v1.3.0');
    env.TAG = 'v1.3.0';
    await run();
    expect(remoteTag('v1')).toBe(repo.git('rev-parse', 'HEAD'));
    expect(github.releases('myco', 'myco-gates').at(-1)!.body).toContain('compare/v1.2.0...v1.3.0');
  });

  it.each([
    [{ TAG: 'v1.2' }, /TAG="v1\.2" is not a release tag/],
    [{ TAG: 'v1.2.1' }, /v1\.2\.1 does not match lerna\.json's version 1\.2\.0: tag with `npx lerna version/],
    [{ GH_TOKEN: '' }, /GH_TOKEN is empty.*contents: write/],
  ])('refuses %o with the fix', async (override, message) => {
    Object.assign(env, override);
    await expect(run()).rejects.toThrow(message);
    expect(github.releases('myco', 'myco-gates')).toEqual([]);
  });

  it('as a process: one line naming the problem, exit 1, no stack', () => {
    const result = spawnSync(process.execPath, [script], {
      cwd: repo.root,
      env: { ...env, TAG: 'v2.0.0' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "release failed: v2.0.0 does not match lerna.json's version 1.2.0: tag with `npx lerna version <x.y.z> --no-push`, which bumps and tags together.",
    );
  });
});
