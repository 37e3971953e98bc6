import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '@myco-gates/testkit/temp-repo';
import { main } from './main.js';

let repo: TempRepo;
let root: string;
const write = (path: string, content: string) => repo.write(path, content);
const git = (...args: string[]) => repo.git(...args);

const spec = (extraProperty: string, required = '[id]') => `openapi: 3.1.0
info: { title: Pets, version: 1.0.0 }
security: []
paths:
  /pets/{id}:
    get:
      operationId: getPet
      summary: Get a pet
      description: Returns one pet by its identifier.
      tags: [pets]
      parameters:
        - { name: id, in: path, required: true, description: The pet id., schema: { type: string } }
      responses:
        '200':
          description: The pet.
          content:
            application/json:
              schema:
                type: object
                required: ${required}
                properties:
                  id: { type: string, description: The id. }
${extraProperty}`;

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: root });
  return { code, stdout, stderr };
}

beforeAll(() => {
  repo = tempRepo({}, { git: true, prefix: 'cli-contract-' });
  root = repo.root;
  write('api/openapi.yaml', spec('                  name: { type: string, description: The name. }\n', '[id, name]'));
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  // The PR removes a required response property: a breaking change for clients that read it.
  write('api/openapi.yaml', spec(''));
  git('commit', '-q', '-am', 'remove name');
});
afterAll(() => repo.remove());

describe('myco-gates contract', () => {
  it('reports the breaking change against the merge base and exits 1', async () => {
    const { code, stdout } = await run(['contract', '--spec', 'api/openapi.yaml', '--base', 'main']);
    expect(stdout).toContain('1 breaking change');
    expect(stdout).toContain('response-required-property-removed');
    expect(code).toBe(1);
  });

  it('passes with fail-on never, and prints JSON on request', async () => {
    const { code, stdout } = await run([
      'contract',
      '--spec',
      'api/openapi.yaml',
      '--base',
      'main',
      '--fail-on',
      'never',
      '--format',
      'json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ gate: 'contract', status: 'warn', metrics: { breaking: 1 } });
    expect(code).toBe(0);
  });

  it.each([
    [['contract'], /--spec is required/],
    [['contract', '--spec', 'api/openapi.yaml', '--nope', 'x'], /--nope is not a flag/],
    [['contract', '--spec', 'api/openapi.yaml', '--base', 'no-such-branch'], /--base no-such-branch is not a commit/],
    [['contract', '--spec', 'api/missing.yaml'], /missing\.yaml/],
  ])('%j fails with one clear line and exit 2', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });
});

describe('myco-gates slo generate', () => {
  const sampleSpec = join(import.meta.dirname, '..', '..', '..', 'sample-app', 'monitoring', 'slos.yaml');

  it('writes the rules and dashboards, then --check finds them up to date; a stale file fails --check', async () => {
    mkdirSync(join(root, 'monitoring'), { recursive: true });
    copyFileSync(sampleSpec, join(root, 'monitoring', 'slos.yaml'));
    expect((await run(['slo', 'generate', 'monitoring/slos.yaml'])).stderr).toContain(
      'wrote: prometheus/slo-rules.yaml',
    );
    expect((await run(['slo', 'generate', 'monitoring/slos.yaml', '--check'])).code).toBe(0);
    write('monitoring/grafana/slo-dashboard.json', '{}\n');
    const stale = await run(['slo', 'generate', 'monitoring/slos.yaml', '--check']);
    expect(stale.stderr).toContain('out of date: grafana/slo-dashboard.json');
    expect(stale.code).toBe(1);
  });

  it('names the file and line of a bad spec', async () => {
    write('bad.yaml', 'apiVersion: openslo/v1\nkind: SLO\nmetadata: { name: Bad Name }\n');
    const { code, stderr } = await run(['slo', 'generate', 'bad.yaml']);
    expect(stderr).toMatch(/bad\.yaml:1: SLO name `Bad Name` is not a DNS label/);
    expect(code).toBe(2);
  });
});
