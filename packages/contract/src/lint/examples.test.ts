import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, Ruleset, Spectral, type RulesetDefinition } from '@stoplight/spectral-core';
import { oas } from '@stoplight/spectral-rulesets';
import { describe, expect, it } from 'vitest';
import { fastOas } from '../../rulesets/examples.js';
import { Parsers } from './spectral.js';

/**
 * `fastOas` must be `spectral:oas` with nothing changed but speed: every spec here is linted with both and the
 * findings (rule, path, message, range, severity) must be identical. The inline specs make each swapped rule fire,
 * so an equality of two empty lists can't pass for a check.
 */

async function lint(definition: RulesetDefinition, text: string, name: string): Promise<string[]> {
  const spectral = new Spectral();
  spectral.setRuleset(new Ruleset({ extends: [[definition, 'recommended']] }, { severity: 'recommended' }));
  const document = name.endsWith('.json')
    ? new Document(text, Parsers.Json, name)
    : new Document(text, Parsers.Yaml, name);
  const results = await spectral.run(document);
  return results
    .map((r) => JSON.stringify([r.code, r.path, r.message, r.range, r.severity]))
    .sort((a, b) => a.localeCompare(b));
}

async function compare(text: string, name: string): Promise<string[]> {
  const theirs = await lint(oas as RulesetDefinition, text, name);
  const ours = await lint(fastOas, text, name);
  expect(ours, name).toEqual(theirs);
  return ours;
}

const rulesOf = (findings: string[]) => new Set(findings.map((f) => (JSON.parse(f) as string[])[0]));

const OAS30 = `openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /a:
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
            # The request may omit the readOnly id: valid.
            example: { name: rex }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
              # Same schema text as the request's, but a response must carry the readOnly id: invalid.
              example: { name: rex }
            application/xml:
              schema: { $ref: '#/components/schemas/Pet' }
              examples:
                good: { value: { id: 1, name: rex } }
                bad: { value: { id: one, name: rex } }
                external: { externalValue: 'https://example.com/x.json' }
        '201':
          description: ok
          content:
            application/json:
              schema: { type: string, nullable: true, enum: [a, b, a] }
              example: 7
  /b:
    get:
      parameters:
        - name: q
          in: query
          schema: { type: integer, default: none }
          example: 3
        - name: r
          in: query
          schema: { type: integer, minimum: 5 }
          examples:
            low: { value: 1 }
      responses:
        '200':
          description: ok
          headers:
            X-Rate:
              schema: { type: integer }
              example: fast
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: { type: integer, readOnly: true }
        name: { type: string, example: 5 }
        secret: { type: string, writeOnly: true }
        tags: { type: array, items: { type: string }, default: [1] }
    Nullable:
      type: object
      nullable: true
      properties:
        n: { type: integer, nullable: true, example: x }
    WithId:
      type: object
      properties:
        id: { type: string }
        nested: { type: object, properties: { id: { type: string } }, example: { id: 3 } }
`;

const OAS31 = `openapi: 3.1.0
info: { title: t, version: '1' }
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { type: [string, 'null'], maxLength: 2 }
              examples:
                long: { value: toolong }
                none: { value: null }
components:
  schemas:
    Pair:
      type: object
      properties:
        v: { type: [integer, 'null'], example: x }
        e: { enum: [1, 1], type: integer }
`;

const SWAGGER2 = JSON.stringify({
  swagger: '2.0',
  info: { title: 't', version: '1' },
  paths: {
    '/a': {
      get: {
        parameters: [
          { name: 'q', in: 'query', type: 'integer', 'x-example': 'x' },
          { name: 'e', in: 'query', type: 'string', enum: ['a', 'a'] },
        ],
        responses: {
          '200': {
            description: 'ok',
            schema: { $ref: '#/definitions/Pet' },
            examples: { 'application/json': { name: 3 }, 'text/plain': { name: 'ok', id: 1 } },
          },
        },
      },
    },
  },
  definitions: {
    Pet: {
      type: 'object',
      required: ['name'],
      properties: {
        id: { type: 'integer', 'x-nullable': true, example: null },
        name: { type: 'string', example: 4 },
        kind: { type: 'string', enum: ['x', 'y', 'x'], default: 'z' },
      },
    },
    Flag: { type: 'boolean', required: true, example: 'yes' },
  },
});

describe('fastOas gives exactly spectral:oas findings', () => {
  it.each([
    ['OpenAPI 3.0', OAS30, 'spec.yaml', ['oas3-valid-media-example', 'oas3-valid-schema-example']],
    ['OpenAPI 3.1', OAS31, 'spec.yaml', ['oas3-valid-media-example', 'oas3-valid-schema-example']],
    ['Swagger 2.0', SWAGGER2, 'spec.json', ['oas2-valid-media-example', 'oas2-valid-schema-example']],
  ])('%s', async (_name, text, file, fired) => {
    const findings = await compare(text, file);
    for (const rule of [...fired, 'duplicated-entry-in-enum']) expect(rulesOf(findings), rule).toContain(rule);
  });

  it('keeps request and response examples of one schema apart (readOnly/writeOnly are relaxed per side)', async () => {
    const findings = (await compare(OAS30, 'spec.yaml')).filter((f) => f.includes('"/a","post"'));
    const at = (side: string) => findings.filter((f) => f.includes(side)).length;
    expect(at('"requestBody"')).toBe(0);
    expect(at('"responses","200","content","application/json"')).toBe(1);
  });

  it('still finds a wrong example in the second of two schemas with the same text', async () => {
    const twice = OAS31.replace(
      'components:',
      `  /b:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { type: [string, 'null'], maxLength: 2 }
              example: way too long
components:`,
    );
    const findings = await compare(twice, 'spec.yaml');
    expect(findings.some((f) => f.includes('"/b"') && f.includes('oas3-valid-media-example'))).toBe(true);
  });
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const pairs = path.resolve(repoRoot, '../shared/fixtures/openapi/pairs');
const twilio = path.resolve(repoRoot, '../shared/fixtures/openapi/large/twilio-api-v2010/revision.yaml');

describe.skipIf(!existsSync(pairs))('fastOas on the shared fixtures (../shared)', () => {
  it('gives the same findings as spectral:oas on all 338 specs of the oasdiff pairs', async () => {
    let specs = 0;
    let fired = 0;
    for (const pair of readdirSync(pairs, { withFileTypes: true })) {
      if (!pair.isDirectory()) continue;
      for (const file of readdirSync(path.join(pairs, pair.name))) {
        if (!/\.(ya?ml|json)$/.test(file) || file === 'expected.json') continue;
        const findings = await compare(readFileSync(path.join(pairs, pair.name, file), 'utf8'), file);
        specs++;
        if ([...rulesOf(findings)].some((r) => /valid-(media|schema)-example|duplicated-entry/.test(r))) fired++;
      }
    }
    expect(specs).toBeGreaterThan(300);
    expect(fired).toBeGreaterThan(0);
  }, 180_000);

  it('gives the same 295 findings as spectral:oas on Twilio (1.5 MB)', async () => {
    const findings = await compare(readFileSync(twilio, 'utf8'), 'revision.yaml');
    expect(rulesOf(findings)).toContain('oas3-valid-media-example');
  }, 120_000);
});

if (!existsSync(pairs)) console.log(`fastOas shared-fixture checks skipped: ${pairs} is not here (CI has it).`);
