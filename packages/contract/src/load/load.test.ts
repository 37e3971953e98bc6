import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContractInputError, loadSpec } from './index.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Writes `files` (path -> content) into a fresh directory and returns it. */
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'contract-load-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const MINIMAL = (paths: string, extra = '') => `openapi: 3.0.3
info: { title: t, version: '1' }
paths:
${paths}
${extra}`;

function loadError(dir: string, entry = 'openapi.yaml'): ContractInputError {
  try {
    loadSpec(path.join(dir, entry), { root: dir });
  } catch (e) {
    if (e instanceof ContractInputError) return e;
    throw e;
  }
  throw new Error('expected a ContractInputError');
}

describe('loadSpec', () => {
  it('resolves $refs relative to the referring file, across folders', () => {
    const dir = repo({
      'api/openapi.yaml': MINIMAL(`  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: 'schemas/pet.yaml#/Pet' }`),
      'api/schemas/pet.yaml': `Pet:
  type: object
  properties:
    owner: { $ref: '../common/owner.yaml' }
`,
      'api/common/owner.yaml': `type: object
properties:
  name: { type: string }
`,
    });
    const spec = loadSpec(path.join(dir, 'api/openapi.yaml'), { root: dir });
    const schema = spec.document.paths['/pets'].get.responses['200'].content['application/json'].schema;
    expect(schema.properties.owner.properties.name.type).toBe('string');
    expect(spec.files.sort()).toEqual(['api/common/owner.yaml', 'api/openapi.yaml', 'api/schemas/pet.yaml']);
    expect(spec.locate(schema.properties.owner.properties, 'name')).toEqual({
      file: 'api/common/owner.yaml',
      line: 3,
      column: 3,
    });
    expect(spec.pointer(schema, 'properties')).toBe('/Pet/properties');
    expect(
      spec.locatePointer(
        '/paths/~1pets/get/responses/200/content/application~1json/schema/properties/owner/properties/name',
      ),
    ).toEqual({
      file: 'api/common/owner.yaml',
      line: 3,
      column: 3,
    });
    expect(spec.locatePointer('/paths/~1pets/get/nothing/here')?.line).toBe(5);
  });

  it('decodes JSON-pointer escapes (~0 ~1) and %-encoding in $ref fragments and paths', () => {
    const dir = repo({
      'openapi.yaml': MINIMAL(
        `  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/a~1b~0c' }
        '201':
          description: ok
          content:
            application/json:
              schema: { $ref: 'my%20schemas/x.yaml#/X%20Y' }`,
        `components:
  schemas:
    a/b~c: { type: integer }`,
      ),
      'my schemas/x.yaml': `X Y: { type: boolean }\n`,
    });
    const spec = loadSpec(path.join(dir, 'openapi.yaml'), { root: dir });
    const responses = spec.document.paths['/a'].get.responses;
    expect(responses['200'].content['application/json'].schema.type).toBe('integer');
    expect(responses['201'].content['application/json'].schema.type).toBe('boolean');
  });

  it('keeps cyclic schemas as a finite graph', () => {
    const dir = repo({
      'openapi.yaml': MINIMAL(
        '  {}',
        `components:
  schemas:
    Node:
      type: object
      properties:
        children: { type: array, items: { $ref: '#/components/schemas/Node' } }`,
      ),
    });
    const spec = loadSpec(path.join(dir, 'openapi.yaml'), { root: dir });
    const node = spec.document.components.schemas.Node;
    expect(node.properties.children.items).toBe(node);
  });

  it('reads OpenAPI 3.2 with 3.1 rules (sibling `$ref` merge, type arrays)', () => {
    const dir = repo({
      'openapi.yaml': `openapi: 3.2.0
info: { title: t, version: '1' }
paths: {}
components:
  schemas:
    A: { type: [string, 'null'] }
    B: { $ref: '#/components/schemas/A', maxLength: 3 }
`,
    });
    const spec = loadSpec(path.join(dir, 'openapi.yaml'), { root: dir });
    expect(spec.dialect).toBe('3.1');
    expect(spec.document.components.schemas.B).toMatchObject({ type: ['string', 'null'], maxLength: 3 });
  });

  it('parses JSON with positions and keeps a property literally named `default`', () => {
    const dir = repo({
      'openapi.json': JSON.stringify(
        {
          openapi: '3.1.0',
          info: { title: 't', version: '1' },
          paths: {},
          components: {
            schemas: {
              S: { type: 'object', properties: { default: { $ref: '#/components/schemas/T' } } },
              T: { type: ['string', 'null'] },
            },
          },
        },
        null,
        2,
      ),
    });
    const spec = loadSpec(path.join(dir, 'openapi.json'), { root: dir });
    expect(spec.dialect).toBe('3.1');
    const s = spec.document.components.schemas.S;
    expect(s.properties.default.type).toEqual(['string', 'null']);
    expect(spec.locate(s.properties, 'default')?.line).toBe(13);
  });

  it('normalizes Swagger 2.0 to the 3.x shape', () => {
    const dir = repo({
      'swagger.yaml': `swagger: '2.0'
info: { title: t, version: '1' }
consumes: [application/json]
produces: [application/json]
paths:
  /pets/{id}:
    parameters:
      - { name: id, in: path, required: true, type: string }
    put:
      parameters:
        - { name: body, in: body, required: true, schema: { $ref: '#/definitions/Pet' } }
        - { name: limit, in: query, type: integer, maximum: 10 }
      responses:
        '200': { description: ok, schema: { $ref: '#/definitions/Pet' }, headers: { X-Rate: { type: integer } } }
    post:
      consumes: [multipart/form-data]
      parameters:
        - { name: file, in: formData, type: file, required: true }
      responses:
        '204': { description: done }
definitions:
  Pet: { type: object, required: [name], properties: { name: { type: string } } }
`,
    });
    const spec = loadSpec(path.join(dir, 'swagger.yaml'), { root: dir });
    expect(spec.dialect).toBe('2.0');
    const put = spec.document.paths['/pets/{id}'].put;
    expect(put.requestBody.required).toBe(true);
    expect(put.requestBody.content['application/json'].schema.required).toEqual(['name']);
    expect(put.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'query:limit',
    ]);
    expect(put.parameters[1].schema).toEqual({ type: 'integer', maximum: 10 });
    expect(put.responses['200'].content['application/json'].schema).toBe(spec.document.components.schemas.Pet);
    expect(put.responses['200'].headers['X-Rate'].schema.type).toBe('integer');
    const form = spec.document.paths['/pets/{id}'].post.requestBody.content['multipart/form-data'].schema;
    expect(form.properties.file).toEqual({ type: 'string', format: 'binary' });
    expect(form.required).toEqual(['file']);
    expect(spec.locate(put.requestBody)?.line).toBe(11);
  });

  const badInputs: Array<{
    name: string;
    files: Record<string, string>;
    entry?: string;
    message: RegExp;
    file: string;
    line?: number;
    column?: number;
  }> = [
    {
      name: 'invalid YAML names file, line and column',
      files: { 'openapi.yaml': 'openapi: 3.0.0\ninfo:\n  title: [unclosed\n' },
      message: /invalid YAML/,
      file: 'openapi.yaml',
      line: 4,
    },
    {
      name: 'invalid JSON names file, line and column',
      files: { 'openapi.json': '{\n  "openapi": "3.0.0",\n  "info": {,}\n}' },
      entry: 'openapi.json',
      message: /invalid JSON: expected a quoted property name/,
      file: 'openapi.json',
      line: 3,
      column: 12,
    },
    {
      name: 'missing referenced file names the referrer line and the missing path',
      files: { 'openapi.yaml': MINIMAL(`  /a:\n    $ref: 'paths/a.yaml'`) },
      message: /missing file paths\/a\.yaml/,
      file: 'openapi.yaml',
      line: 5,
    },
    {
      name: 'remote refs are refused, never fetched',
      files: { 'openapi.yaml': MINIMAL(`  /a:\n    $ref: 'https://example.com/a.yaml'`) },
      message: /remote; the gate never fetches/,
      file: 'openapi.yaml',
      line: 5,
    },
    {
      name: 'refs leaving the repository are refused',
      files: { 'openapi.yaml': MINIMAL(`  /a:\n    $ref: '../../etc/passwd'`) },
      message: /points outside the repository/,
      file: 'openapi.yaml',
      line: 5,
    },
    {
      name: 'a pointer to nothing names the missing segment',
      files: { 'openapi.yaml': MINIMAL(`  /a:\n    $ref: '#/components/pathItems/nope'`, 'components: {}') },
      message: /"pathItems" not found/,
      file: 'openapi.yaml',
      line: 5,
    },
    {
      name: 'a $ref loop without a value is an error, not a hang',
      files: {
        'openapi.yaml': MINIMAL(
          '  {}',
          "components:\n  schemas:\n    A: { $ref: '#/components/schemas/B' }\n    B: { $ref: '#/components/schemas/A' }",
        ),
      },
      message: /reference loop/,
      file: 'openapi.yaml',
    },
    {
      name: 'not an OpenAPI document',
      files: { 'openapi.yaml': 'title: hello\n' },
      message: /no `openapi` or `swagger` version field/,
      file: 'openapi.yaml',
      line: 1,
    },
    {
      name: 'unsupported version',
      files: { 'openapi.yaml': 'openapi: 4.0.0\n' },
      message: /unsupported OpenAPI version "4.0.0"/,
      file: 'openapi.yaml',
    },
    {
      name: 'missing entry file',
      files: {},
      message: /spec file not found/,
      file: 'openapi.yaml',
    },
    {
      name: 'duplicate YAML keys',
      files: { 'openapi.yaml': 'openapi: 3.0.0\nopenapi: 3.1.0\n' },
      message: /invalid YAML/,
      file: 'openapi.yaml',
      line: 2,
    },
  ];

  it.each(badInputs)('$name', ({ files, entry, message, file, line, column }) => {
    const err = loadError(repo(files), entry);
    expect(err.message).toMatch(message);
    expect(err.file).toBe(file);
    if (line !== undefined) expect(err.line).toBe(line);
    if (column !== undefined) expect(err.column).toBe(column);
    expect(err.fix.length).toBeGreaterThan(10);
  });

  it('refuses a symlink that leads out of the repository', () => {
    const outside = repo({ 'secret.yaml': 'type: string\n' });
    const dir = repo({ 'openapi.yaml': MINIMAL(`  /a:\n    $ref: 'link/secret.yaml'`) });
    symlinkSync(outside, path.join(dir, 'link'));
    expect(loadError(dir).message).toMatch(/points outside the repository/);
  });

  it('bounds YAML alias bombs with a clear error', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const dir = repo({
      'openapi.yaml': `openapi: 3.0.0\ninfo: { title: t, version: '1' }\npaths: {}\nx-bomb:\n  ${levels.join('\n  ')}\n`,
    });
    const started = Date.now();
    const err = loadError(dir);
    expect(err.message).toMatch(/aliases expand too much/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses files above the size limit before parsing them', () => {
    const dir = repo({ 'openapi.yaml': MINIMAL('  {}', `x-padding: "${'x'.repeat(4096)}"`) });
    expect(() => loadSpec(path.join(dir, 'openapi.yaml'), { root: dir, maxFileBytes: 1024 })).toThrow(
      /file is 4\.1 KiB, above the 1\.0 KiB limit/,
    );
  });

  it('positions keys in YAML with Windows line endings', () => {
    const dir = repo({
      'openapi.yaml': MINIMAL(`  /a:\n    get:\n      security:\n      - oauth: [read]\n      responses: {}`).replace(
        /\n/g,
        '\r\n',
      ),
    });
    const spec = loadSpec(path.join(dir, 'openapi.yaml'), { root: dir });
    const get = spec.document.paths['/a'].get;
    expect(spec.locate(get, 'security')).toEqual({ file: 'openapi.yaml', line: 6, column: 7 });
    expect(spec.locate(get.security[0])?.line).toBe(7);
  });

  it('refuses a 50 MB spec by size, without reading it', () => {
    const dir = repo({});
    const file = path.join(dir, 'openapi.yaml');
    writeFileSync(file, '');
    truncateSync(file, 50 * 1024 * 1024);
    const started = Date.now();
    const err = loadError(dir);
    expect(err.message).toMatch(/file is 50\.0 MiB, above the 32\.0 MiB limit/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('accepts anchors and merge keys within the alias limit', () => {
    const dir = repo({
      'openapi.yaml': MINIMAL(
        '  {}',
        `components:
  schemas:
    Base: &base { type: object, properties: { id: { type: string } } }
    Copy: *base
    Merged:
      <<: *base
      description: merged`,
      ),
    });
    const spec = loadSpec(path.join(dir, 'openapi.yaml'), { root: dir });
    expect(spec.document.components.schemas.Merged.properties.id.type).toBe('string');
    expect(spec.locate(spec.document.components.schemas, 'Merged')?.line).toBe(9);
  });
});
