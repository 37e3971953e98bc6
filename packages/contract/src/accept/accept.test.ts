import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAcceptFile, readAcceptFile } from './accept-file.js';
import { applyAcceptFile, majorOf, type AcceptableChange } from './apply.js';

const FILE = '.github/openapi-accept.yml';

const VALID = `# reviewed exceptions
policy:
  allow-breaking-on-major: true
accept:
  - fingerprint: "0a1b2c3d"
    reason: Clients migrated, see PR 12
    owner: "@payments"
    expires: 2026-12-31
  - rule: response-property-removed
    operation: get  /pets/{id}
    reason: Field was never populated
    owner: "@pets"
    expires: 2026-01-31
`;

describe('parseAcceptFile', () => {
  it('reads entries with their lines and the policy', () => {
    const file = parseAcceptFile(VALID, FILE);
    expect(file.allowBreakingOnMajor).toBe(true);
    expect(file.entries).toEqual([
      {
        index: 0,
        line: 5,
        fingerprint: '0a1b2c3d',
        rule: undefined,
        operation: undefined,
        reason: 'Clients migrated, see PR 12',
        owner: '@payments',
        expires: '2026-12-31',
      },
      {
        index: 1,
        line: 9,
        fingerprint: undefined,
        rule: 'response-property-removed',
        operation: 'GET /pets/{id}',
        reason: 'Field was never populated',
        owner: '@pets',
        expires: '2026-01-31',
      },
    ]);
  });

  it.each([
    { text: '', entries: 0 },
    { text: '# nothing accepted yet\n', entries: 0 },
    { text: 'accept: []\n', entries: 0 },
  ])('accepts an empty file ($text)', ({ text, entries }) => {
    expect(parseAcceptFile(text, FILE).entries).toHaveLength(entries);
  });

  it.each([
    {
      name: 'bad YAML',
      text: 'accept:\n  - fingerprint: [\n',
      error: /openapi-accept\.yml:\d+: the accept file is not valid YAML/,
    },
    { name: 'not a mapping', text: '- a\n', error: /:1: the accept file must be a mapping/ },
    { name: 'unknown top key', text: 'accepted: []\n', error: /:1: unknown top-level key "accepted"/ },
    { name: 'accept not a list', text: 'accept: {}\n', error: /:1: `accept` must be a list/ },
    {
      name: 'unknown entry key',
      text: 'accept:\n  - fingerprint: a\n    reason: r\n    owner: o\n    expires: 2026-01-01\n    note: x\n',
      error: /:6: unknown key "note" in accept entry 1/,
    },
    {
      name: 'no matcher',
      text: 'accept:\n  - reason: r\n    owner: o\n    expires: 2026-01-01\n',
      error: /:2: accept entry 1 must name a `fingerprint`, or a `rule` together with an `operation`/,
    },
    {
      name: 'rule without operation',
      text: 'accept:\n  - rule: x\n    reason: r\n    owner: o\n    expires: 2026-01-01\n',
      error: /:2: .*`rule` together with an `operation`/,
    },
    {
      name: 'both matchers',
      text: 'accept:\n  - fingerprint: a\n    rule: x\n    operation: GET /a\n    reason: r\n    owner: o\n    expires: 2026-01-01\n',
      error: /:2: .*use one way of matching/,
    },
    {
      name: 'missing owner',
      text: 'accept:\n  - fingerprint: a\n    reason: r\n    expires: 2026-01-01\n',
      error: /:2: accept entry 1 has no `owner`/,
    },
    {
      name: 'bad date',
      text: 'accept:\n  - fingerprint: a\n    reason: r\n    owner: o\n    expires: 2026-02-30\n',
      error: /:5: `expires` "2026-02-30" of accept entry 1 is not a date — .*|Fix: write the date as YYYY-MM-DD/,
    },
    {
      name: 'numeric fingerprint',
      text: 'accept:\n  - fingerprint: 1234\n    reason: r\n    owner: o\n    expires: 2026-01-01\n',
      error: /:2: `fingerprint` of accept entry 1 must be a non-empty string \(quote it\)/,
    },
    {
      name: 'bad operation',
      text: 'accept:\n  - rule: x\n    operation: /pets\n    reason: r\n    owner: o\n    expires: 2026-01-01\n',
      error: /:3: `operation` "\/pets" must be `METHOD \/path`/,
    },
    {
      name: 'bad policy value',
      text: 'policy:\n  allow-breaking-on-major: yes\n',
      error: /:2: `allow-breaking-on-major` must be true or false/,
    },
  ])('rejects $name with file:line', ({ text, error }) => {
    expect(() => parseAcceptFile(text, FILE)).toThrow(error);
  });
});

describe('readAcceptFile', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'accept-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('treats a missing default file as no entries, but a missing explicit file as an error', async () => {
    expect(await readAcceptFile(undefined, root)).toEqual({ entries: [], allowBreakingOnMajor: false });
    await expect(readAcceptFile('api/accept.yml', root)).rejects.toThrow(
      /api\/accept\.yml: the accept file cannot be read/,
    );
  });

  it('reads the default path', async () => {
    mkdirSync(path.join(root, '.github'));
    writeFileSync(path.join(root, FILE), VALID);
    expect((await readAcceptFile('', root)).entries).toHaveLength(2);
  });
});

describe('applyAcceptFile', () => {
  const change = (
    id: string,
    level: AcceptableChange['level'],
    operation: string,
    fingerprint: string,
  ): AcceptableChange => ({ id, level, operation, fingerprint });
  const changes = [
    change('response-property-removed', 'ERR', 'GET /pets/{id}', 'f1'),
    change('request-parameter-removed', 'ERR', 'GET /pets', '0a1b2c3d'),
    change('response-property-removed', 'WARN', 'GET /owners', 'f3'),
    change('endpoint-added', 'INFO', 'POST /pets', 'f4'),
  ];
  const file = parseAcceptFile(VALID.replace('allow-breaking-on-major: true', 'allow-breaking-on-major: false'), FILE);

  it.each([
    { today: '2026-01-31', open: ['f3'], accepted: ['f1', '0a1b2c3d'], expired: [] as string[] },
    { today: '2026-02-01', open: ['f1', 'f3'], accepted: ['0a1b2c3d'], expired: ['.github/openapi-accept.yml:9'] },
    {
      today: '2027-01-01',
      open: ['f1', '0a1b2c3d', 'f3'],
      accepted: [],
      expired: ['.github/openapi-accept.yml:5', '.github/openapi-accept.yml:9'],
    },
  ])('on $today', ({ today, open, accepted, expired }) => {
    const result = applyAcceptFile(changes, file, { today });
    expect(result.open.map((c) => c.fingerprint)).toEqual(open);
    expect(result.accepted.map((a) => a.change.fingerprint)).toEqual(accepted);
    expect(result.expired.map((e) => `${e.file}:${e.entry.line}`)).toEqual(expired);
  });

  it('names the file, line, entry and fix of an expired entry', () => {
    const [expired] = applyAcceptFile(changes, file, { today: '2026-02-01' }).expired;
    expect(expired.message).toBe(
      '.github/openapi-accept.yml:9: accept entry for response-property-removed on GET /pets/{id} (owner @pets) expired on 2026-01-31 — renew `expires` after a new review, or remove the entry and fix the change',
    );
    expect(expired.matched.map((c) => c.fingerprint)).toEqual(['f1']);
  });

  it('lists entries that matched nothing', () => {
    const result = applyAcceptFile(changes.slice(2), file, { today: '2026-01-01' });
    expect(result.unused.map((e) => e.index)).toEqual([0, 1]);
  });

  it.each([
    { base: '1.4.0', head: '2.0.0', policy: true, accepted: 3 },
    { base: 'v1', head: 'v2-beta', policy: true, accepted: 3 },
    { base: '1.4.0', head: '1.5.0', policy: true, accepted: 0 },
    { base: '1.4.0', head: '2.0.0', policy: false, accepted: 0 },
    { base: 'beta', head: '2.0.0', policy: true, accepted: 0 },
  ])('major bump $base → $head with policy $policy accepts $accepted', ({ base, head, policy, accepted }) => {
    const result = applyAcceptFile(
      changes,
      { entries: [], allowBreakingOnMajor: policy },
      { today: '2026-01-01', baseVersion: base, headVersion: head },
    );
    expect(result.accepted).toHaveLength(accepted);
    expect(result.open).toHaveLength(3 - accepted);
  });

  it('reads the major of a version', () => {
    expect(['2.1.0', 'v3', ' 10.0', 'beta', undefined].map(majorOf)).toEqual([2, 3, 10, undefined, undefined]);
  });
});
