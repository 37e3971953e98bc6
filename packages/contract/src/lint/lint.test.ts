import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintSpec } from './spectral.js';

const root = mkdtempSync(path.join(tmpdir(), 'lint-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return rel;
}

/** A spec that passes every house rule; each case below breaks exactly one thing. */
const GOOD = `openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
  description: Pet store.
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
      responses:
        '200':
          description: The pets.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
        '404':
          description: Not found.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Error' }
        '500':
          description: Failure.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Error' }
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-Key }
  schemas:
    Pet:
      type: object
      properties:
        name: { type: string, description: The name. }
    Error:
      type: object
      properties:
        code: { type: integer, description: The code. }
`;

const house = <F extends { rule: string }>(findings: F[]) => findings.filter((f) => f.rule.startsWith('house-'));

describe('house ruleset', () => {
  it('finds nothing on a spec that follows it', async () => {
    const run = await lintSpec({ entry: write('good/openapi.yaml', GOOD), root });
    expect(run.findings).toEqual([]);
    expect(run.ruleset).toBe('house');
  });

  it.each([
    {
      name: 'short operation description',
      spec: GOOD.replace('description: Lists every pet in the store.', 'description: Pets.'),
      rule: 'house-operation-description',
      line: 19,
      message: /is 5 characters; keep it between 10 and 500/,
    },
    {
      name: 'missing operation description',
      spec: GOOD.replace('      description: Lists every pet in the store.\n', ''),
      rule: 'house-operation-description',
      line: 16,
      message: /no description/,
    },
    {
      name: 'long operation description',
      spec: GOOD.replace('Lists every pet in the store.', 'x'.repeat(501)),
      rule: 'house-operation-description',
      line: 19,
      message: /501 characters/,
    },
    {
      name: 'property without description',
      spec: GOOD.replace('name: { type: string, description: The name. }', 'name: { type: string }'),
      rule: 'house-property-description',
      line: 44,
      message: /Property "name" has no description/,
    },
    {
      name: 'a different error schema',
      spec: GOOD.replace(
        "        '500':\n          description: Failure.\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/Error' }",
        "        '500':\n          description: Failure.\n          content:\n            application/json:\n              schema: { type: object, properties: { msg: { type: string, description: Text. } } }",
      ),
      rule: 'house-error-schema',
      line: 36,
      message: /GET \/pets 500 differs/,
    },
    {
      name: 'no security at all',
      spec: GOOD.replace('security:\n  - key: []\n', ''),
      rule: 'house-operation-security',
      line: 14,
      message: /GET \/pets has no security requirement/,
    },
  ])('reports $name at the right line', async ({ name, spec, rule, line, message }) => {
    const file = write(`cases/${name.replace(/\W+/g, '-')}.yaml`, spec);
    const run = await lintSpec({ entry: file, root });
    const found = house(run.findings);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule, file, line });
    expect(found[0].message).toMatch(message);
  });

  it('accepts an explicit `security: []` on a public operation', async () => {
    const spec = GOOD.replace('security:\n  - key: []\n', '').replace(
      '      operationId: listPets\n',
      '      operationId: listPets\n      security: []\n',
    );
    const run = await lintSpec({ entry: write('public.yaml', spec), root });
    expect(house(run.findings)).toEqual([]);
  });

  it('treats a structurally equal inline error schema as the same schema', async () => {
    const spec = GOOD.replace(
      "        '500':\n          description: Failure.\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/Error' }",
      "        '500':\n          description: Failure.\n          content:\n            application/json:\n              schema: { type: object, properties: { code: { type: integer, description: Other words. } } }",
    );
    const run = await lintSpec({ entry: write('equal.yaml', spec), root });
    expect(house(run.findings)).toEqual([]);
  });
});

describe('locations', () => {
  it('points into the referenced file of a multi-file spec', async () => {
    write(
      'multi/schemas/pet.yaml',
      'type: object\nproperties:\n  name:\n    type: string\n  age:\n    type: integer\n    description: Years.\n',
    );
    const entry = write(
      'multi/openapi.yaml',
      GOOD.replace("schema: { $ref: '#/components/schemas/Pet' }", "schema: { $ref: './schemas/pet.yaml' }"),
    );
    const run = await lintSpec({ entry, root });
    const found = house(run.findings);
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'house-property-description',
        file: 'multi/schemas/pet.yaml',
        line: 3,
        column: 8,
      }),
    ]);
    expect(run.files).toEqual(['multi/openapi.yaml', 'multi/schemas/pet.yaml']);
  });

  it('gives line and column in JSON specs', async () => {
    const json = {
      openapi: '3.0.3',
      info: {
        title: 'T',
        version: '1',
        description: 'D.',
        contact: { name: 'n', url: 'https://e.com', email: 'a@e.com' },
      },
      servers: [{ url: 'https://api.example.com' }],
      security: [{ key: [] }],
      paths: {
        '/a': {
          get: { operationId: 'a', tags: [], description: 'short', responses: { '200': { description: 'ok' } } },
        },
      },
      components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'K' } } },
    };
    const entry = write('json/openapi.json', JSON.stringify(json, null, 2));
    const run = await lintSpec({ entry, root });
    const found = house(run.findings);
    expect(found).toEqual([
      expect.objectContaining({ rule: 'house-operation-description', file: 'json/openapi.json', line: 28, column: 24 }),
    ]);
  });

  it('does not fetch remote $refs', async () => {
    const entry = write(
      'remote.yaml',
      GOOD.replace("schema: { $ref: '#/components/schemas/Pet' }", "schema: { $ref: 'http://127.0.0.1:9/pet.yaml' }"),
    );
    const run = await lintSpec({ entry, root });
    expect(run.findings.some((f) => f.rule === 'invalid-ref')).toBe(true);
  });
});

describe('user ruleset', () => {
  it('replaces the house ruleset and resolves local extends', async () => {
    write(
      'rules/base.yaml',
      'rules:\n  title-is-pets:\n    given: $.info.title\n    severity: error\n    then: { function: pattern, functionOptions: { match: "^Dogs$" } }\n',
    );
    const ruleset = write('rules/.spectral.yaml', 'extends: [./base.yaml]\n');
    const run = await lintSpec({ entry: 'good/openapi.yaml', root, ruleset });
    expect(run.findings.map((f) => [f.rule, f.severity, f.line])).toEqual([['title-is-pets', 'error', 3]]);
    expect(run.ruleset).toBe('rules/.spectral.yaml');
  });

  it('can extend the house ruleset by name', async () => {
    const ruleset = write('rules/house-plus.yaml', 'extends: [myco:house]\nrules:\n  house-operation-security: off\n');
    const spec = write('nosec.yaml', GOOD.replace('security:\n  - key: []\n', ''));
    const run = await lintSpec({ entry: spec, root, ruleset });
    expect(run.findings).toEqual([]);
  });

  it.each([
    {
      text: 'rules:\n  r:\n    given: $\n    then:\n      function: nope\n',
      error: /rules\/bad-1\.yaml:5: unknown Spectral function "nope"/,
    },
    { text: 'extends: [https://example.com/r.yaml]\n', error: /bad-2\.yaml:1: remote ruleset .* is not fetched/ },
    { text: 'extends:\n  - "@acme/ruleset"\n', error: /bad-3\.yaml:2: ruleset "@acme\/ruleset" is not a local file/ },
    { text: 'rules: [\n', error: /bad-4\.yaml:\d+: the ruleset is not valid YAML/ },
    { text: 'functions: [x]\n', error: /bad-5\.yaml:1: custom JavaScript functions/ },
    { text: 'extends: [./missing.yaml]\n', error: /rules\/missing\.yaml: the Spectral ruleset file does not exist/ },
  ])('rejects a bad ruleset with file:line ($error)', async ({ text, error }) => {
    const n = /bad-(\d)/.exec(String(error))?.[1] ?? '6';
    const ruleset = write(`rules/bad-${n}.yaml`, text);
    await expect(lintSpec({ entry: 'good/openapi.yaml', root, ruleset })).rejects.toThrow(error);
  });

  it('names the spec when it does not exist', async () => {
    await expect(lintSpec({ entry: 'nope/openapi.yaml', root })).rejects.toThrow(
      /nope\/openapi\.yaml: the OpenAPI spec file does not exist.*Fix: set `spec`/,
    );
  });
});
