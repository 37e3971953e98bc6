import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClient } from './client-sync.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const generatorVersion = (
  JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/openapi-typescript/package.json'), 'utf8')) as {
    version: string;
  }
).version;

const SPEC = `openapi: 3.0.3
info: { title: Pets, version: 1.0.0 }
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { type: object, properties: { name: { type: string } } }
`;

describe('checkClient', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'client-sync-'));
  const bare = mkdtempSync(path.join(tmpdir(), 'client-bare-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  });
  beforeAll(() => {
    // The "repository" uses the project's own installed openapi-typescript, as a real repo's node_modules would.
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'openapi.yaml'), SPEC);
    mkdirSync(path.join(dir, 'src'));
    execFileSync(path.join(dir, 'node_modules/.bin/openapi-typescript'), ['openapi.yaml', '-o', 'src/schema.ts'], {
      cwd: dir,
      stdio: 'ignore',
    });
  });

  it('says a freshly generated client is up to date, even with CRLF line endings', async () => {
    const status = await checkClient({ spec: 'openapi.yaml', client: 'src/schema.ts', cwd: dir });
    expect(status).toMatchObject({
      upToDate: true,
      changedFiles: [],
      generator: `openapi-typescript@${generatorVersion}`,
      fixCommand: 'npx openapi-typescript openapi.yaml -o src/schema.ts',
    });
    const file = path.join(dir, 'src/schema.ts');
    const lf = readFileSync(file, 'utf8');
    writeFileSync(file, lf.replace(/\n/g, '\r\n'));
    expect((await checkClient({ spec: 'openapi.yaml', client: 'src/schema.ts', cwd: dir })).upToDate).toBe(true);
    writeFileSync(file, lf);
  });

  it('says when the spec moved on, with the fix command and a diff excerpt', async () => {
    writeFileSync(
      path.join(dir, 'openapi.yaml'),
      SPEC.replace('name: { type: string }', 'name: { type: string }, age: { type: integer }'),
    );
    const status = await checkClient({ spec: 'openapi.yaml', client: 'src/schema.ts', cwd: dir });
    writeFileSync(path.join(dir, 'openapi.yaml'), SPEC);
    expect(status.upToDate).toBe(false);
    expect(status.changedFiles).toEqual(['.']);
    expect(status.fixCommand).toBe('npx openapi-typescript openapi.yaml -o src/schema.ts');
    expect(status.diffExcerpt).toMatch(/^diff --git a\/committed\/schema\.ts b\/regenerated\/schema\.ts/);
    expect(status.diffExcerpt).toMatch(/^\+\s+age\?: number;$/m);
  });

  it('runs a custom command with placeholders and compares folders', async () => {
    mkdirSync(path.join(dir, 'gen'));
    writeFileSync(path.join(dir, 'gen/openapi.yaml'), SPEC);
    const command = 'cp {spec} {out}/openapi.yaml && echo extra > {out}/extra.txt';
    const status = await checkClient({ spec: 'openapi.yaml', client: 'gen', cwd: dir, command });
    expect(status).toMatchObject({
      upToDate: false,
      changedFiles: ['extra.txt'],
      fixCommand: 'cp openapi.yaml gen/openapi.yaml && echo extra > gen/extra.txt',
      generator: undefined,
    });
    writeFileSync(path.join(dir, 'gen/extra.txt'), 'extra\n');
    expect((await checkClient({ spec: 'openapi.yaml', client: 'gen', cwd: dir, command })).upToDate).toBe(true);
  });

  it.each([
    {
      name: 'no generator installed',
      options: { spec: 'openapi.yaml', client: 'schema.ts', cwd: bare },
      error: /schema\.ts: openapi-typescript is not installed in the repository.*npm ci/,
      setup: true,
    },
    {
      name: 'missing committed client',
      options: { spec: 'openapi.yaml', client: 'src/none.ts', cwd: dir },
      error:
        /src\/none\.ts: the committed client does not exist.*npx openapi-typescript openapi\.yaml -o src\/none\.ts/,
    },
    {
      name: 'failing generator',
      options: {
        spec: 'openapi.yaml',
        client: 'src/schema.ts',
        cwd: dir,
        command: 'echo broken spec >&2; exit 3 # {out}',
      },
      error: /the client generator exited with 3: broken spec/,
    },
    {
      name: 'hanging generator',
      options: { spec: 'openapi.yaml', client: 'src/schema.ts', cwd: dir, command: 'sleep 20 # {out}', timeoutMs: 300 },
      error: /timed out after 0 s/,
    },
    {
      name: 'command without {out}',
      options: { spec: 'openapi.yaml', client: 'src/schema.ts', cwd: dir, command: 'true' },
      error: /no `\{out\}` placeholder/,
    },
    {
      name: 'generator writing nothing',
      options: { spec: 'openapi.yaml', client: 'src/schema.ts', cwd: dir, command: 'true {out}' },
      error: /wrote no file at \{out\}/,
    },
  ])('explains: $name', async ({ options, error, setup }) => {
    if (setup) writeFileSync(path.join(bare, 'schema.ts'), '');
    await expect(checkClient(options)).rejects.toThrow(error);
  });
});
