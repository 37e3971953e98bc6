import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  repoRoot,
  runAction,
  startGitHubStub,
  webhookPayload,
  type GitHubStub,
  type NodeRuntime,
} from '@myco-gates/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outputs } from '../src/config.js';

/**
 * The built bundle run like the runner runs it, in a real git repository: a base commit and a pull request commit
 * with one breaking change, one addition and one lint problem on a changed line.
 */

const OWNER = 'acme';
const REPO = 'pets';
const PR = 7;

const BASE_SPEC = `openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
  description: The pet store.
  contact: { name: Team, url: https://example.com, email: team@example.com }
servers:
  - url: https://api.example.com
tags:
  - name: pets
    description: Pets.
security:
  - key: []
paths:
  /pets:
    get:
      operationId: listPets
      summary: List pets
      description: Lists every pet in the store.
      tags: [pets]
      parameters:
        - name: limit
          in: query
          description: Page size.
          schema: { type: integer }
      responses:
        '200':
          description: The pets.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-Key }
  schemas:
    Pet:
      type: object
      properties:
        name: { type: string, description: The name. }
`;

/** `limit` became required (breaking, ERR), POST /pets added (non-breaking), its description is too short (lint). */
const HEAD_SPEC = BASE_SPEC.replace('          in: query\n', '          in: query\n          required: true\n').replace(
  'components:\n',
  `    post:
      operationId: addPet
      summary: Add a pet
      description: Adds.
      tags: [pets]
      responses:
        '201':
          description: Added.
components:
`,
);

let github: GitHubStub;
let workspace: string;
let baseSha: string;
let headSha: string;
const temps: string[] = [];

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@e.st', '-c', 'user.name=test', ...args], {
    cwd: workspace,
    encoding: 'utf8',
  }).trim();
}

function write(path: string, text: string): void {
  mkdirSync(join(workspace, path, '..'), { recursive: true });
  writeFileSync(join(workspace, path), text);
}

beforeAll(async () => {
  github = await startGitHubStub();
  workspace = mkdtempSync(join(tmpdir(), 'contract-action-'));
  temps.push(workspace);
  git('init', '-q', '-b', 'main');
  // The repository's own generator: the project's installed openapi-typescript, like `npm ci` would provide.
  symlinkSync(join(repoRoot(), 'node_modules'), join(workspace, 'node_modules'));
  write('.gitignore', 'node_modules\n');
  write('api/openapi.yaml', BASE_SPEC);
  execFileSync(join(workspace, 'node_modules/.bin/openapi-typescript'), ['api/openapi.yaml', '-o', 'web/schema.ts'], {
    cwd: workspace,
    stdio: 'ignore',
  });
  git('add', '-A');
  git('commit', '-qm', 'base');
  baseSha = git('rev-parse', 'HEAD');
  git('checkout', '-qb', 'feature');
  write('api/openapi.yaml', HEAD_SPEC);
  git('commit', '-qam', 'change the API');
  headSha = git('rev-parse', 'HEAD');
  github.addPullRequest({ owner: OWNER, repo: REPO, number: PR, headSha, baseSha });
});

afterAll(async () => {
  await github.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function payload() {
  return webhookPayload('pull_request', 'opened', {
    number: PR,
    repository: { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER } },
    pull_request: { number: PR, base: { sha: baseSha, ref: 'main' }, head: { sha: headSha, ref: 'feature' } },
  });
}

async function gate(inputs: Record<string, string>, node: NodeRuntime = 'current') {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'contract-runner-temp-'));
  temps.push(runnerTemp);
  const result = await runAction({
    action: 'openapi-contract',
    inputs: { spec: 'api/openapi.yaml', ...inputs },
    eventName: 'pull_request',
    payload: payload(),
    sha: headSha,
    github,
    workspace,
    env: { RUNNER_TEMP: runnerTemp },
    node,
    timeoutMs: 50_000,
  });
  const report = result.outputs.report
    ? (JSON.parse(readFileSync(result.outputs.report, 'utf8')) as {
        status: string;
        headline: string;
        metrics: Record<string, number>;
      })
    : undefined;
  return { ...result, report };
}

describe.each<NodeRuntime>(['current', '24'])('openapi-contract bundle on node %s', (node) => {
  it('fails on the breaking change, reports the lint finding on the changed line and comments once', async () => {
    const first = await gate({}, node);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(1);
    expect(first.outputs).toMatchObject({ status: 'fail', breaking: '1', 'lint-errors': '1' });
    // Every output the action writes is declared: Outputs is action.yml's list (config.test.ts holds that).
    expect(Object.values(Outputs)).toEqual(expect.arrayContaining(Object.keys(first.outputs)));
    expect(first.report?.headline).toBe('1 breaking change in the API contract; 1 new lint finding');
    expect(first.summary).toContain('`request-parameter-became-required`');
    expect(first.summary).toContain('<details><summary>Changelog: ');
    expect(first.annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'error',
          file: 'api/openapi.yaml',
          title: 'Breaking change: request-parameter-became-required',
        }),
        expect.objectContaining({
          level: 'error',
          file: 'api/openapi.yaml',
          line: 36,
          title: 'Lint warn: house-operation-description',
        }),
      ]),
    );
    expect(
      first.annotations.some((a) => a.level === 'error' && a.message.startsWith('openapi-contract: 1 breaking change')),
    ).toBe(true);
    // The sticky comment is updated in place on the next run, never duplicated.
    await gate({}, node);
    const comments = github.comments(OWNER, REPO, PR).filter((c) => c.body.includes('<!-- myco-gates:contract -->'));
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/^❌ \*\*1 breaking change in the API contract/);
    github.assertNoViolations();
  });
});

describe('openapi-contract policy', () => {
  it.each([
    { failOn: 'never', exitCode: 0, status: 'warn' },
    { failOn: 'breaking', exitCode: 1, status: 'fail' },
  ])('fail-on $failOn exits $exitCode', async ({ failOn, exitCode, status }) => {
    const result = await gate({ 'fail-on': failOn, comment: 'false' });
    expect(result.exitCode).toBe(exitCode);
    expect(result.outputs.status).toBe(status);
  });

  it('passes once the breaking change is accepted and the lint finding is fixed by a ruleset override', async () => {
    write('.github/openapi-accept.yml', '');
    const fingerprint = await (async () => {
      const r = await gate({ 'fail-on': 'never', comment: 'false' });
      return /fingerprint: (\S+)/.exec(r.summary)?.[1];
    })();
    expect(fingerprint).toMatch(/\S+/);
    write(
      '.github/openapi-accept.yml',
      `accept:\n  - fingerprint: "${fingerprint}"\n    reason: limit was always sent by clients\n    owner: "@pets-team"\n    expires: 2999-12-31\n`,
    );
    write('ruleset.yaml', 'extends: [myco:house]\nrules:\n  house-operation-description: off\n');
    const result = await gate({ ruleset: 'ruleset.yaml', comment: 'false' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'pass', breaking: '0', 'lint-errors': '0' });
    expect(result.summary).toContain('limit was always sent by clients');
    rmSync(join(workspace, 'ruleset.yaml'));
  });

  it('fails on an expired accept entry, naming file:line and the entry', async () => {
    write(
      '.github/openapi-accept.yml',
      '# reviewed exceptions\naccept:\n  - rule: request-parameter-became-required\n    operation: GET /pets\n    reason: old\n    owner: "@pets-team"\n    expires: 2020-01-31\n',
    );
    const result = await gate({ comment: 'false', 'fail-on': 'breaking' });
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain(
      '.github/openapi-accept.yml:3: accept entry for request-parameter-became-required on GET /pets (owner @pets-team) expired on 2020-01-31',
    );
    rmSync(join(workspace, '.github/openapi-accept.yml'));
  });

  it('rejects a malformed accept file with one clear line', async () => {
    write('.github/openapi-accept.yml', 'accept:\n  - fingerprint: abc\n    owner: me\n    expires: 2030-01-01\n');
    const result = await gate({ comment: 'false' });
    rmSync(join(workspace, '.github/openapi-accept.yml'));
    expect(result.exitCode).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error');
    expect(error?.message).toBe(
      'openapi-contract failed with: .github/openapi-accept.yml:2: accept entry 1 has no `reason` — see docs/openapi-contract.md#accept-file; an entry is `{ fingerprint | rule + operation, reason, owner, expires: YYYY-MM-DD }`',
    );
  });

  it('says the committed client is out of date, with the command and generator version', async () => {
    const version = (
      JSON.parse(readFileSync(join(repoRoot(), 'node_modules/openapi-typescript/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const result = await gate({ client: 'web/schema.ts', 'fail-on': 'never', comment: 'false' });
    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(
      'Fix: run `npx openapi-typescript api/openapi.yaml -o web/schema.ts` and commit the result.',
    );
    expect(result.summary).toContain(`openapi-typescript@${version}`);
    expect(result.summary).toMatch(/```diff\n[\s\S]*\+\s+required: true|\+\s+limit: number;/);
  });

  it('names file:line when the base spec (loaded on the diff worker) is broken', async () => {
    writeFileSync(join(workspace, 'api/broken-base.yaml'), 'openapi: 3.0.3\ninfo: [unclosed\n');
    const result = await gate({ 'base-spec': 'api/broken-base.yaml', comment: 'false' });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^openapi-contract failed with: api\/broken-base\.yaml:\d+.* — /);
  });

  it('explains a missing spec', async () => {
    const result = await gate({ spec: 'api/missing.yaml', comment: 'false' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^openapi-contract failed with: api\/missing\.yaml: .*— /,
    );
  });
});
