import { describe, expect, it } from 'vitest';
import { closeOpenFences, codeBlock, escapeCell, escapeMarkdown } from './markdown.js';
import { commentMarker, formatMetric, renderComment, renderSummary, reportOutputs } from './render.js';
import { GateReportSchema, type GateReport, type GateReportInput } from './report.js';

const base: GateReportInput = {
  schemaVersion: 1,
  gate: 'coverage',
  status: 'fail',
  headline: 'Coverage 84.12% lines — below the 85% threshold',
  checks: [
    { id: 'lines', title: 'Lines', status: 'fail', actual: '84.12%', expected: '≥ 85%' },
    { id: 'branches', title: 'Branches', status: 'pass', actual: '90.00%', expected: '≥ 85%' },
    {
      id: 'patch',
      title: 'Patch coverage',
      status: 'warn',
      actual: 70,
      expected: '≥ 80%',
      message: '3 new lines uncovered',
      location: { file: 'src/app.ts', line: 12 },
    },
  ],
  metrics: { lines: 84.12, branches: 90, 'package:backend:lines': 81.5 },
  sections: [
    {
      title: 'Files with lowest coverage',
      priority: 20,
      table: {
        columns: ['File', 'Lines'],
        align: ['l', 'r'],
        rows: [
          ['src/app.ts', '61.00%'],
          ['src/db.ts', '75.50%'],
        ],
      },
      note: 'Only files changed in this PR.',
    },
    {
      title: 'Uncovered lines',
      collapsed: true,
      priority: 60,
      table: { columns: ['File', 'Lines'], rows: [['src/app.ts', '12-14, 40']] },
    },
    { title: 'Policy', collapsed: true, priority: 90, markdown: 'Thresholds come from `.github/coverage.yml`.' },
  ],
  annotations: [
    { level: 'warning', file: 'src/app.ts', line: 12, endLine: 14, title: 'Uncovered', message: '3 lines' },
  ],
  detailsUrl: 'https://github.com/o/r/actions/runs/42',
  commit: '0123456789abcdef0123456789abcdef01234567',
  generatedAt: '2026-01-01T00:00:00Z',
};
const make = (over: Partial<GateReportInput> = {}): GateReport => GateReportSchema.parse({ ...base, ...over });

/**
 * Structural checks of rendered markdown: balanced <details>, closed code fences, and every table row with exactly
 * the header's number of cells (unescaped pipes), so user text cannot have broken a table.
 */
function assertWellFormed(markdown: string): void {
  expect(markdown.match(/<details>/g)?.length ?? 0).toBe(markdown.match(/<\/details>/g)?.length ?? 0);
  let depth = 0;
  for (const m of markdown.matchAll(/<\/?details>/g)) {
    depth += m[0] === '<details>' ? 1 : -1;
    expect(depth).toBeGreaterThanOrEqual(0);
    expect(depth).toBeLessThanOrEqual(1);
  }
  const lines = markdown.split('\n');
  let fence: string | null = null;
  let cells: number | null = null;
  for (const line of lines) {
    const f = /^(`{3,}|~{3,})/.exec(line);
    if (f) fence = fence === null ? f[1] : line.trim() === fence ? null : fence;
    if (fence !== null) continue;
    if (line.startsWith('|')) {
      const count = line.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length - 2;
      if (cells === null) cells = count;
      else expect(count, line).toBe(cells);
    } else cells = null;
  }
  expect(fence).toBeNull();
}

describe('renderComment', () => {
  it('renders a failing report', () => {
    const md = renderComment(make());
    assertWellFormed(md);
    expect(md.split('\n')[0]).toBe('❌ **Coverage 84.12% lines — below the 85% threshold**');
    expect(md.trimEnd().endsWith('<!-- myco-gates:coverage -->')).toBe(true);
    expect(md).toMatchSnapshot();
  });

  it('renders a passing report without checks', () => {
    const md = renderComment(make({ status: 'pass', headline: 'All good', checks: [], sections: [] }));
    expect(md).toMatchSnapshot();
  });

  it.each([
    ['coverage', undefined, '<!-- myco-gates:coverage -->'],
    ['coverage', 'backend (node 20)', '<!-- myco-gates:coverage:backend--node-20- -->'],
    ['slo', 'x-->y<script>', '<!-- myco-gates:slo:x---y-script- -->'],
  ])('marker for %s / %s', (gate, id, expected) => {
    expect(commentMarker(gate, id)).toBe(expected);
    expect(renderComment(make({ gate, commentId: id }))).toContain(expected);
  });

  it('keeps user-controlled cell text inside its cell and out of HTML', () => {
    const evil = [
      'a|b',
      'line1\nline2',
      '<script>alert(1)</script>',
      '</details><details><summary>x',
      'back\\|slash',
      'even\\\\|run',
      '<!-- myco-gates:coverage -->',
    ];
    const md = renderComment(
      make({
        headline: '**bold** <img src=x> \n second line',
        sections: [
          {
            title: 'Files </summary>',
            collapsed: true,
            table: { columns: ['Name', 'Other'], rows: evil.map((e) => [e, 'ok']) },
          },
        ],
      }),
    );
    assertWellFormed(md);
    expect(md).not.toMatch(/<script|<img|<\/details><details>/);
    expect(md.match(/<!-- myco-gates:coverage -->/g)).toHaveLength(1);
    expect(md.split('\n')[0]).toBe('❌ **\\*\\*bold\\*\\* &lt;img src=x&gt; second line**');
    expect(md).toContain('| a\\|b | ok |');
    expect(md).toContain('| line1<br>line2 | ok |');
    expect(md).toContain('| back\\|slash | ok |');
    expect(md).toContain('<details><summary>Files &lt;/summary&gt;</summary>');
  });

  it('shows untrusted markdown as code and defuses mentions', () => {
    const md = renderComment(
      make({
        headline: 'ping @octocat',
        sections: [
          {
            title: 'Raw',
            markdown: '<img src=https://evil.test/x> @org/team ```',
            table: { columns: ['A'], rows: [['[phish](https://evil.test) @octocat']] },
          },
        ],
      }),
      { untrusted: true },
    );
    assertWellFormed(md);
    expect(md).not.toMatch(/@octocat|@org/);
    expect(md).toContain('````markdown\n<img src=https://evil.test/x> @\u200borg/team ```\n````');
    expect(md).toContain('\\[phish\\](https://evil.test)');
    expect(md).toMatchSnapshot();
  });

  it('closes a code fence a trusted markdown block left open', () => {
    const md = renderComment(make({ sections: [{ title: 'Log', collapsed: true, markdown: '```\nunterminated' }] }));
    assertWellFormed(md);
  });
});

describe('renderComment over budget', () => {
  const rows = (n: number, prefix = 'src/file') =>
    Array.from({ length: n }, (_v, i) => [`${prefix}-${i}.ts | <b>`, `${(i % 100).toFixed(2)}%`]);

  it('fits a 100,000-row report into maxChars with valid markup and a pointer to the full report', () => {
    const report = make({
      sections: [
        { title: 'All files', priority: 30, table: { columns: ['File', 'Lines'], rows: rows(100_000) } },
        {
          title: 'Uncovered',
          collapsed: true,
          priority: 70,
          table: { columns: ['File', 'Lines'], rows: rows(100_000, 'u') },
        },
      ],
    });
    const started = performance.now();
    const md = renderComment(report);
    const ms = performance.now() - started;
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md.length).toBeGreaterThan(50_000); // the budget is used, not wasted
    assertWellFormed(md);
    expect(md).toContain('more rows (see the full report)');
    expect(md).toContain('[the full report](https://github.com/o/r/actions/runs/42)');
    expect(md).toContain('section “Uncovered”');
    expect(md.split('\n')[0]).toBe('❌ **Coverage 84.12% lines — below the 85% threshold**');
    expect(md.trimEnd().endsWith('<!-- myco-gates:coverage -->')).toBe(true);
    expect(ms).toBeLessThan(5_000);
  });

  it.each([10_000, 20_000, 60_000])('never exceeds maxChars %i', (maxChars) => {
    const md = renderComment(
      make({ sections: [{ title: 'Big', table: { columns: ['File', 'Lines'], rows: rows(5_000) } }] }),
      { maxChars },
    );
    expect(md.length).toBeLessThanOrEqual(maxChars);
    assertWellFormed(md);
  });

  const prioritySections = () => {
    const section = (title: string, priority: number, collapsed: boolean) => ({
      title,
      priority,
      collapsed,
      table: { columns: ['File', 'Lines'], rows: rows(100, title) },
    });
    return [
      section('keep-expanded-10', 10, false),
      section('expanded-80', 80, false),
      section('collapsed-80', 80, true),
      section('collapsed-20', 20, true),
    ];
  };
  const shown = (md: string, title: string) => {
    const at = md.indexOf(
      title.endsWith('-10') || title.startsWith('expanded') ? `#### ${title}` : `<summary>${title}</summary>`,
    );
    if (at < 0) return 'dropped';
    const next = md.slice(at).search(/\n(#### |<details>|> \[!NOTE\])/);
    return /more rows/.test(md.slice(at, next < 0 ? undefined : at + next)) ? 'trimmed' : 'complete';
  };

  it.each([
    [
      12_000,
      {
        'keep-expanded-10': 'complete',
        'collapsed-20': 'complete',
        'collapsed-80': 'dropped',
        'expanded-80': 'trimmed',
      },
    ],
    [
      9_000,
      {
        'keep-expanded-10': 'complete',
        'collapsed-20': 'trimmed',
        'collapsed-80': 'dropped',
        'expanded-80': 'dropped',
      },
    ],
    [
      5_000,
      { 'keep-expanded-10': 'trimmed', 'collapsed-20': 'dropped', 'collapsed-80': 'dropped', 'expanded-80': 'dropped' },
    ],
  ])(
    'at %i chars drops the highest priority numbers first, collapsed before expanded, then trims rows',
    (maxChars, expected) => {
      const md = renderComment(make({ checks: [], sections: prioritySections() }), { maxChars });
      assertWellFormed(md);
      expect(md.length).toBeLessThanOrEqual(maxChars);
      expect(Object.fromEntries(Object.keys(expected).map((t) => [t, shown(md, t)]))).toEqual(expected);
    },
  );

  it('snapshot of dropped and trimmed sections', () => {
    expect(renderComment(make({ sections: prioritySections() }), { maxChars: 9_000 })).toMatchSnapshot();
  });

  it('snapshot of a trimmed comment', () => {
    const md = renderComment(
      make({
        sections: [{ title: 'Files', table: { columns: ['File', 'Lines'], align: ['l', 'r'], rows: rows(400) } }],
      }),
      { maxChars: 4_096, detailsUrl: 'https://github.com/o/r/actions/runs/7' },
    );
    expect(md.length).toBeLessThanOrEqual(4_096);
    expect(md).toMatchSnapshot();
  });

  it('points to the job summary when no details URL is known', () => {
    const md = renderComment(
      make({ detailsUrl: undefined, sections: [{ title: 'Files', table: { columns: ['F'], rows: rows(2_000) } }] }),
      {
        maxChars: 5_000,
      },
    );
    expect(md).toContain('See the job summary of this workflow run for everything.');
  });

  it('rejects a budget too small to hold the essentials', () => {
    expect(() => renderComment(make(), { maxChars: 100 })).toThrow(RangeError);
  });
});

describe('renderSummary', () => {
  it('renders everything: checks, metrics, sections and all annotations', () => {
    const md = renderSummary(make(), { annotationsDropped: 12 });
    assertWellFormed(md);
    expect(md).toContain('12 annotations were not shown on the diff');
    expect(md).toContain('| package:backend:lines | 81.50 |');
    expect(md).toContain('| warning | src/app.ts:12-14 | Uncovered | 3 lines |');
    expect(md).not.toContain('myco-gates:coverage -->');
    expect(md).toMatchSnapshot();
  });

  it('stays within the byte budget with multi-byte text', () => {
    const rows = Array.from({ length: 50_000 }, (_v, i) => [`ファイル-${i}.ts`, '✅']);
    const md = renderSummary(make({ sections: [{ title: 'Files', table: { columns: ['File', 'OK'], rows } }] }), {
      maxBytes: 200_000,
    });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(200_000);
    // Bytes, not characters, were counted: the budget is used up in bytes while far fewer characters were written.
    expect(Buffer.byteLength(md)).toBeGreaterThan(190_000);
    expect(md.length).toBeLessThan(170_000);
    assertWellFormed(md);
  });
});

describe('reportOutputs', () => {
  it('maps status, report path and metrics: fractions with two decimals, whole numbers as counts', () => {
    expect(reportOutputs(make({ metrics: { lines: 84.1, 'a b/c': 2, status: 5 } }), '/tmp/r.json')).toEqual({
      status: 'fail',
      report: '/tmp/r.json',
      lines: '84.10',
      'a-b-c': '2',
    });
  });

  it.each([
    [90, 'percent', '90.00'],
    [84.125, 'percent', '84.13'],
    [3, 'count', '3'],
    [3, undefined, '3'],
    [2.5, undefined, '2.50'],
    [0.99512345, 'ratio', '0.995123'],
    [1.5, 'seconds', '1.50'],
    [Number.NaN, 'percent', 'NaN'],
  ] as const)('formats %d as a %s metric: %s', (value, unit, expected) => {
    expect(formatMetric(value, unit)).toBe(expected);
  });

  it('uses the units the gate declares for its outputs', () => {
    const report = make({ metrics: { lines: 90, breaking: 2 }, metricUnits: { lines: 'percent', breaking: 'count' } });
    expect(reportOutputs(report)).toEqual({ status: 'fail', lines: '90.00', breaking: '2' });
  });
});

describe('markdown helpers', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['a\\|b', 'a\\|b'],
    ['a\\\\|b', 'a\\\\\\|b'],
    ['x\r\ny', 'x<br>y'],
    ['<b>&', '&lt;b&gt;&amp;'],
  ])('escapeCell(%j)', (input, expected) => {
    expect(escapeCell(input)).toBe(expected);
  });

  it('escapeMarkdown neutralises emphasis, links and HTML', () => {
    expect(escapeMarkdown('*a* [b](c) ~~s~~ `c` <i>')).toBe('\\*a\\* \\[b\\](c) \\~\\~s\\~\\~ \\`c\\` &lt;i&gt;');
  });

  it.each([
    ['```\ncode', '```\ncode\n```'],
    ['```\ncode\n```', '```\ncode\n```'],
    ['~~~~\nx\n~~~', '~~~~\nx\n~~~\n~~~~'],
    ['text', 'text'],
  ])('closeOpenFences(%j)', (input, expected) => {
    expect(closeOpenFences(input)).toBe(expected);
  });

  it('codeBlock uses a fence longer than any backtick run inside', () => {
    expect(codeBlock('a ```` b')).toBe('`````\na ```` b\n`````');
  });
});
