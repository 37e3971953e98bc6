#!/usr/bin/env node
// The release steps of .github/workflows/release.yml, after check-dist passed on the tagged commit:
//   1. the tag is vX.Y.Z, equals lerna.json's version and points at the checked-out commit;
//   2. releases are immutable: a tag that already has a release fails (bump the version instead of moving it);
//   3. the GitHub release is created with GitHub's generated notes;
//   4. the major tag users pin (v1) moves to the new release.
// `--dry-run` makes only read requests and prints what it would do. Environment: TAG, GITHUB_REPOSITORY, GH_TOKEN,
// GITHUB_API_URL (default https://api.github.com), GITHUB_SERVER_URL (https://github.com), RELEASE_REMOTE (where the
// major tag is pushed; default the repository on GITHUB_SERVER_URL). The token never appears on a command line.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A user mistake, printed as one line with the fix. */
export class ReleaseError extends Error {}

/**
 * Runs the release.
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, dryRun?: boolean, log?: (line: string) => void }} options
 * @returns {Promise<{ tag: string, major: string, releaseUrl?: string }>}
 */
export async function release({ cwd, env, dryRun = false, log = console.log }) {
  const tag = env.TAG ?? '';
  const repository = env.GITHUB_REPOSITORY ?? '';
  const token = env.GH_TOKEN ?? '';
  const api = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, '');
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/$/, '');
  const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!match) throw new ReleaseError(`TAG=${JSON.stringify(tag)} is not a release tag: push a tag such as v1.4.2.`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository))
    throw new ReleaseError('GITHUB_REPOSITORY is not owner/name: run this from GitHub Actions or set it.');
  if (!token) throw new ReleaseError('GH_TOKEN is empty: pass `github.token` (the job needs `contents: write`).');
  const major = `v${match[1]}`;
  const git = (...args) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  const version = JSON.parse(readFileSync(join(cwd, 'lerna.json'), 'utf8')).version;
  if (`v${version}` !== tag)
    throw new ReleaseError(
      `${tag} does not match lerna.json's version ${version}: tag with \`npx lerna version <x.y.z> --no-push\`, which bumps and tags together.`,
    );
  const head = git('rev-parse', 'HEAD');
  let tagged;
  try {
    tagged = git('rev-parse', `${tag}^{commit}`);
  } catch {
    throw new ReleaseError(`${tag} is not a tag of this checkout: fetch it (actions/checkout does for a tag push).`);
  }
  if (tagged !== head)
    throw new ReleaseError(`${tag} points at ${tagged.slice(0, 12)}, not the checked-out ${head.slice(0, 12)}.`);

  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json',
    'user-agent': 'myco-gates-release',
  };
  const existing = await fetch(`${api}/repos/${repository}/releases/tags/${tag}`, { headers });
  await existing.arrayBuffer();
  if (existing.status === 200)
    throw new ReleaseError(
      `${tag} is already released, and releases are immutable: bump the version (\`npx lerna version ${match[1]}.${match[2]}.${Number(match[3]) + 1} --no-push\`) instead of moving the tag.`,
    );
  if (existing.status !== 404) throw new ReleaseError(`GitHub answered ${existing.status} when looking up ${tag}.`);

  if (dryRun) {
    log(`release (dry run): would create the GitHub release ${tag} on ${head.slice(0, 12)} with generated notes`);
    log(`release (dry run): would move ${major} to ${tag}`);
    return { tag, major };
  }
  const created = await fetch(`${api}/repos/${repository}/releases`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      tag_name: tag,
      name: tag,
      generate_release_notes: true,
      make_latest: 'true',
    }),
  });
  const body = await created.json();
  if (created.status !== 201)
    throw new ReleaseError(`GitHub refused to create the release ${tag} (${created.status}): ${body.message ?? ''}`);
  log(`release: created ${body.html_url}`);

  git('tag', '--force', major, `${tag}^{commit}`);
  // The token goes to git through its environment-only configuration, never on the command line or in a URL.
  const remote = env.RELEASE_REMOTE || `${server}/${repository}.git`;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  execFileSync('git', ['push', '--force', remote, `refs/tags/${major}:refs/tags/${major}`], {
    cwd,
    env: {
      ...env,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.${server}/.extraheader`,
      GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
      GIT_TERMINAL_PROMPT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  log(`release: moved ${major} to ${tag}`);
  return { tag, major, releaseUrl: body.html_url };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await release({ cwd: process.cwd(), env: process.env, dryRun: process.argv.includes('--dry-run') });
  } catch (error) {
    const message = error instanceof ReleaseError ? error.message : `${error.stack ?? error}`;
    console.error(`release failed: ${message}`);
    process.exit(1);
  }
}
