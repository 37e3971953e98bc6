import { GateReportSchema, renderComment } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import { parseAcceptFile } from '../accept/accept-file.js';
import { applyAcceptFile } from '../accept/apply.js';
import type { ClientStatus } from '../client/client-sync.js';
import type { Change } from '../diff/types.js';
import type { LintFinding } from '../lint/spectral.js';
import { changedLinesFromDiff } from '../lint/changed-lines.js';
import { summarizeLint } from '../lint/summary.js';
import { buildContractReport, type ContractReportInput, type FailOn } from './build.js';

const change = (
  id: string,
  level: Change['level'],
  operation: string,
  fingerprint: string,
  line: number,
  side: Change['side'] = 'head',
): Change => ({
  id,
  level,
  message: `${id} on ${operation}`,
  operation,
  path: `/paths/${operation}`,
  location: { file: 'api/openapi.yaml', line },
  side,
  fingerprint,
});

const CHANGES: Change[] = [
  change('request-parameter-became-required', 'ERR', 'GET /pets', 'fp-required', 20),
  change('api-path-removed-without-deprecation', 'ERR', 'DELETE /pets/{id}', 'fp-removed', 40, 'base'),
  change('response-property-enum-value-added', 'WARN', 'GET /pets', 'fp-enum', 25),
  change('endpoint-added', 'INFO', 'POST /owners', 'fp-added', 60),
  change('response-optional-property-added', 'INFO', 'GET /pets', 'fp-opt', 30),
];

const finding = (rule: string, severity: LintFinding['severity'], line: number): LintFinding => ({
  rule,
  severity,
  message: `${rule} message`,
  jsonPath: '',
  file: 'api/openapi.yaml',
  line,
  column: 7,
  endLine: line,
});
const FINDINGS = [
  finding('house-operation-description', 'warn', 21),
  finding('oas3-valid-media-example', 'error', 300),
  finding('oas3-valid-media-example', 'error', 310),
  finding('house-property-description', 'warn', 320),
];
const LINT = {
  summary: summarizeLint(FINDINGS, changedLinesFromDiff('+++ b/api/openapi.yaml\n@@ -1 +20,3 @@\n')),
  ruleset: 'house',
  total: FINDINGS.length,
};

const ACCEPT = parseAcceptFile(
  'accept:\n  - fingerprint: fp-removed\n    reason: Deprecated since v1.2, no traffic\n    owner: "@pets-team"\n    expires: 2026-12-31\n  - rule: request-parameter-became-required\n    operation: GET /owners\n    reason: Old\n    owner: "@x"\n    expires: 2026-01-01\n',
  '.github/openapi-accept.yml',
);

const CLIENT_STALE: ClientStatus = {
  upToDate: false,
  client: 'web/src/api/schema.ts',
  fixCommand: 'npx openapi-typescript api/openapi.yaml -o web/src/api/schema.ts',
  generator: 'openapi-typescript@7.13.0',
  changedFiles: ['.'],
  diffExcerpt:
    'diff --git a/committed/schema.ts b/regenerated/schema.ts\n@@ -1,2 +1,3 @@\n   name: string;\n+  age?: number;',
  diffLinesOmitted: 12,
  durationMs: 900,
};

function input(overrides: Partial<ContractReportInput> = {}): ContractReportInput {
  const changes = overrides.changes ?? CHANGES;
  return {
    changes,
    acceptance: applyAcceptFile(changes, ACCEPT, { today: '2026-06-01' }),
    lint: LINT,
    failOn: 'breaking',
    spec: 'api/openapi.yaml',
    base: 'compared',
    links: { head: 'https://github.com/acme/pets/blob/head123', base: 'https://github.com/acme/pets/blob/base456' },
    commit: 'head1234567',
    pullRequest: 7,
    generatedAt: '2026-06-01T12:00:00.000Z',
    ...overrides,
  };
}

describe('buildContractReport', () => {
  it('renders the full comment (snapshot)', () => {
    const report = GateReportSchema.parse(buildContractReport(input({ client: CLIENT_STALE })));
    expect(renderComment(report)).toMatchSnapshot();
  });

  it('renders a clean pull request (snapshot)', () => {
    const changes = CHANGES.filter((c) => c.level === 'INFO');
    const clean = {
      summary: summarizeLint([FINDINGS[1]], changedLinesFromDiff('')),
      ruleset: '.spectral.yaml',
      total: 1,
    };
    const client = { ...CLIENT_STALE, upToDate: true, changedFiles: [], diffExcerpt: undefined };
    const acceptance = applyAcceptFile(changes, { entries: [], allowBreakingOnMajor: false }, { today: '2026-06-01' });
    const report = GateReportSchema.parse(
      buildContractReport({ ...input({ changes, lint: clean, client }), acceptance }),
    );
    expect(report.headline).toBe('API contract: no breaking changes, 2 additions');
    expect(report.status).toBe('pass');
    expect(renderComment(report)).toMatchSnapshot();
  });

  it.each<{ failOn: FailOn; changes: Change[]; lint: boolean; status: string; headline: string }>([
    {
      failOn: 'breaking',
      changes: CHANGES,
      lint: true,
      status: 'fail',
      headline: '1 breaking change in the API contract; 1 new lint finding, 1 expired accept entry',
    },
    {
      failOn: 'never',
      changes: CHANGES,
      lint: true,
      status: 'warn',
      headline: '1 breaking change in the API contract; 1 new lint finding, 1 expired accept entry',
    },
    {
      failOn: 'breaking',
      changes: CHANGES.slice(2),
      lint: false,
      status: 'fail',
      headline: 'API contract: no breaking changes, 2 additions; 1 expired accept entry',
    },
    {
      failOn: 'warning',
      changes: CHANGES.slice(2),
      lint: false,
      status: 'fail',
      headline:
        'API contract: no breaking changes, 2 additions; 1 change that may break clients, 1 expired accept entry',
    },
    {
      failOn: 'never',
      changes: CHANGES.slice(2),
      lint: false,
      status: 'warn',
      headline: 'API contract: no breaking changes, 2 additions; 1 expired accept entry',
    },
  ])('fail-on $failOn with $changes.length changes → $status', ({ failOn, changes, lint, status, headline }) => {
    const report = buildContractReport(input({ failOn, changes, lint: lint ? LINT : undefined }));
    expect(report.status).toBe(status);
    expect(report.headline).toBe(headline);
  });

  it('passes with warnings only under fail-on breaking, without expired entries', () => {
    const changes = CHANGES.slice(2);
    const report = buildContractReport({
      ...input({ changes, lint: undefined }),
      acceptance: applyAcceptFile(changes, { entries: [], allowBreakingOnMajor: false }, { today: '2026-06-01' }),
    });
    expect(report.status).toBe('warn');
    expect(report.metrics).toMatchObject({ breaking: 0, warnings: 1, additions: 2 });
  });

  it('counts only unaccepted breaking changes and new lint findings in the metrics', () => {
    const report = buildContractReport(input());
    expect(report.metrics).toEqual({
      breaking: 1,
      warnings: 1,
      accepted: 1,
      additions: 2,
      'lint-errors': 1,
      'lint-pre-existing': 3,
    });
  });

  it('annotates breaking changes and new lint findings first', () => {
    const report = buildContractReport(input());
    const ranked = [...(report.annotations ?? [])].sort((a, b) => (a.priority ?? 50) - (b.priority ?? 50));
    expect(ranked.slice(0, 3).map((a) => [a.level, a.title, a.line])).toEqual([
      ['error', 'Breaking change: request-parameter-became-required', 20],
      ['error', 'Lint warn: house-operation-description', 21],
      ['warning', 'Breaking change: response-property-enum-value-added', 25],
    ]);
    expect(ranked.at(-1)).toMatchObject({ level: 'notice', title: 'Lint warn: house-property-description' });
  });

  it('points base-side changes at the head entry and says where they were', () => {
    const changes = [change('api-path-removed-without-deprecation', 'ERR', 'DELETE /pets/{id}', 'fp-x', 40, 'base')];
    const report = buildContractReport(input({ changes, lint: undefined }));
    expect(report.annotations?.[0]).toMatchObject({
      file: 'api/openapi.yaml',
      line: 1,
      message: expect.stringContaining('(was at api/openapi.yaml:40 in the base spec)'),
    });
  });

  it.each([
    {
      base: 'new' as const,
      headline: 'API contract: api/openapi.yaml is new in this pull request, nothing to compare',
    },
    {
      base: 'none' as const,
      headline: 'API contract: api/openapi.yaml linted; no base spec to compare (not a pull request)',
    },
  ])('says when there is nothing to compare ($base)', ({ base, headline }) => {
    const report = buildContractReport({
      ...input({ changes: [], lint: undefined, base }),
      acceptance: applyAcceptFile([], { entries: [], allowBreakingOnMajor: false }, { today: '2026-06-01' }),
    });
    expect(report.headline).toBe(headline);
    expect(report.status).toBe('pass');
  });

  it('lists accept entries that matched nothing, collapsed', () => {
    const accept = parseAcceptFile(
      'accept:\n  - fingerprint: gone\n    reason: shipped\n    owner: "@a"\n    expires: 2030-01-01\n',
      'x.yml',
    );
    const report = buildContractReport({
      ...input(),
      acceptance: applyAcceptFile(CHANGES, accept, { today: '2026-06-01' }),
    });
    expect(report.sections?.find((s) => s.title === 'Unused accept entries (1)')).toEqual({
      title: 'Unused accept entries (1)',
      collapsed: true,
      priority: 75,
      markdown:
        '- line 2: fingerprint `gone` (@a, until 2030-01-01) matched no change; remove it once the change has shipped',
    });
  });

  it('gives one row to a shared-schema edit reached through several operations, and counts every change', () => {
    const shared = (operation: string, fingerprint: string) => ({
      ...change('request-property-became-enum', 'ERR', operation, fingerprint, 88),
      message: 'the request property `kind` was restricted to a list of enum values',
    });
    const changes = [
      shared('POST /pets', 'fp-1'),
      shared('PUT /pets/{id}', 'fp-2'),
      // The same operation reaching the schema by a second path: one more place, not one more operation.
      { ...shared('PUT /pets/{id}', 'fp-3'), path: '/paths/put/other' },
      // Two removed operations each point at their own base line: separate rows.
      change('api-path-removed-without-deprecation', 'ERR', 'DELETE /a', 'fp-a', 40, 'base'),
      change('api-path-removed-without-deprecation', 'ERR', 'DELETE /b', 'fp-b', 50, 'base'),
    ];
    const report = buildContractReport(input({ changes, lint: undefined }));
    const section = report.sections?.find((s) => s.title === 'Breaking changes (5)');
    expect(section?.table?.rows.map((r) => [r[2], r[3]])).toEqual([
      [
        '`POST /pets` and 1 more',
        'the request property `kind` was restricted to a list of enum values _(3 places in 2 operations)_',
      ],
      ['`DELETE /a`', 'api-path-removed-without-deprecation on DELETE /a'],
      ['`DELETE /b`', 'api-path-removed-without-deprecation on DELETE /b'],
    ]);
    expect(section?.note).toBe('5 changes in 3 rows: changes from one edit of a shared schema share a row.');
    expect(report.metrics.breaking).toBe(5);
    expect(report.annotations?.filter((a) => a.level === 'error')).toHaveLength(3);
    expect(report.annotations?.[0].message).toContain('Also in 1 more operation: PUT /pets/{id}');
  });

  it('leaves out the lint section when the spec has no finding at all, and keeps it for pre-existing ones', () => {
    const lintSection = (findings: LintFinding[]) => {
      const lint = { summary: summarizeLint(findings, changedLinesFromDiff('')), ruleset: 'house', total: 0 };
      return renderComment(GateReportSchema.parse(buildContractReport(input({ changes: [], lint })))).includes(
        '<summary>Lint (',
      );
    };
    expect(lintSection([])).toBe(false);
    expect(lintSection([FINDINGS[1]])).toBe(true);
  });

  it('validates against the GateReport schema', () => {
    expect(() => GateReportSchema.parse(buildContractReport(input({ client: CLIENT_STALE })))).not.toThrow();
  });
});
