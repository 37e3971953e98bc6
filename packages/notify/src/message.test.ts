import { GateReportSchema, type GateReport, type GateReportInput } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import {
  buildDeployMessage,
  decideVerdict,
  defaultDeployKey,
  deploymentState,
  escapeMrkdwn,
  mention,
  SLACK_LIMITS,
  type Block,
  type DeployContext,
} from './message.js';

const report = (input: Partial<GateReportInput> & Pick<GateReportInput, 'gate' | 'status' | 'headline'>): GateReport =>
  GateReportSchema.parse({ schemaVersion: 1, checks: [], metrics: {}, generatedAt: '2026-12-06T10:00:00Z', ...input });

const context: DeployContext = {
  repository: 'acme/shop',
  serverUrl: 'https://github.com',
  sha: '3f9c2e1d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
  ref: 'main',
  actor: 'octocat',
  workflow: 'deploy',
  runId: 1658821493,
  runUrl: 'https://github.com/acme/shop/actions/runs/1658821493',
  pullRequest: { number: 12, url: 'https://github.com/acme/shop/pull/12' },
  environment: 'production',
  environmentUrl: 'https://shop.example.com',
};

const slo = report({
  gate: 'slo',
  status: 'fail',
  headline:
    'SLO breached — rollback: backend-availability 5.20% bad (52 of 1000), at least 4.09% — over the 0.50% allowed',
  checks: [
    {
      id: 'backend-availability',
      title: 'Backend availability (rollback trigger)',
      status: 'fail',
      actual: '94.80%',
      expected: '≥ 99.50%',
    },
    { id: 'backend-latency', title: 'API latency P95 < 2 s', status: 'pass', actual: '99.10%', expected: '≥ 95.00%' },
  ],
  facts: { rollback: 'true', breached: 'backend-availability' },
});
const rollback = report({
  gate: 'rollback',
  status: 'pass',
  headline: 'Rolled back deployment/backend to revision 4 in 38 s; pods ready and SLOs recovered',
  facts: {
    'rolled-back': 'true',
    workload: 'deployment/backend',
    'from-image': 'ghcr.io/acme/backend:3f9c2e1',
    'to-image': 'ghcr.io/acme/backend:a1b2c3d',
    'from-revision': '5',
    'to-revision': '4',
    'duration-seconds': '38',
  },
});
const coverage = report({ gate: 'coverage', status: 'pass', headline: 'Coverage 84.12% lines (4 of 4 checks passed)' });

/** Every Slack limit the API enforces on a message's blocks. */
function expectWithinLimits(blocks: Block[], text: string) {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackChars);
  for (const block of blocks) {
    const t = block.text as { type: string; text: string } | undefined;
    if (block.type === 'header') {
      expect(t!.type).toBe('plain_text');
      expect([...t!.text].length).toBeLessThanOrEqual(SLACK_LIMITS.headerChars);
    }
    if (block.type === 'section') expect([...t!.text].length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    if (block.type === 'context')
      expect((block.elements as unknown[]).length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  }
}

describe('decideVerdict', () => {
  it.each<[string, string, GateReport[]]>([
    ['no report yet', 'in-progress', []],
    ['all pass', 'deployed', [coverage]],
    [
      'a warning',
      'warnings',
      [coverage, report({ gate: 'slo', status: 'inconclusive', headline: 'SLOs inconclusive' })],
    ],
    ['a breach before the rollback ran', 'failed', [coverage, slo]],
    ['the rollback done', 'rolled-back', [coverage, slo, rollback]],
    ['the rollback failed', 'rollback-failed', [slo, { ...rollback, status: 'fail' }]],
    ['an engine error', 'error', [report({ gate: 'slo', status: 'error', headline: 'SLOs could not be checked' })]],
    [
      'a record-mode rollback report is not a rollback',
      'deployed',
      [
        coverage,
        report({
          gate: 'rollback',
          status: 'pass',
          headline: 'Recorded revision 4',
          facts: { 'rolled-back': 'false' },
        }),
      ],
    ],
  ])('%s → %s', (_name, verdict, reports) => {
    expect(decideVerdict(reports)).toBe(verdict);
  });

  it('maps verdicts to GitHub deployment states', () => {
    expect(
      ['in-progress', 'deployed', 'warnings', 'failed', 'rolled-back', 'rollback-failed', 'error'].map((v) =>
        deploymentState(v as never),
      ),
    ).toEqual(['in_progress', 'success', 'success', 'failure', 'inactive', 'error', 'error']);
  });
});

describe('buildDeployMessage', () => {
  it('lays out a rolled-back deploy: verdict, one line per gate, the rollback, links', () => {
    const message = buildDeployMessage([coverage, slo, rollback], context, {
      mentionOnFailure: ['U024BE7LH', 'S0614TZR7'],
    });
    expect(message.verdict).toBe('rolled-back');
    expect(message.blocks).toMatchSnapshot();
    expect(message.text).toMatch(/^❌ Rolled back acme\/shop in production — Coverage: /);
    expectWithinLimits(message.blocks, message.text);
    expect(message.details.map((d) => d.id)).toEqual(['coverage', 'slo', 'rollback']);
    expect(message.details[1].blocks).toMatchSnapshot();
  });

  it('mentions only on alarming verdicts', () => {
    const ok = buildDeployMessage([coverage], context, { mentionOnFailure: ['U024BE7LH'] });
    expect(JSON.stringify(ok.blocks)).not.toContain('<@U024BE7LH>');
    const bad = buildDeployMessage([slo], context, { mentionOnFailure: ['U024BE7LH'] });
    expect(JSON.stringify(bad.blocks)).toContain('<@U024BE7LH>');
  });

  it('stays within Slack limits whatever the reports hold, sending the rest to the thread', () => {
    const huge = report({
      gate: 'contract',
      status: 'fail',
      headline: 'x'.repeat(500),
      checks: Array.from({ length: 2000 }, (_, i) => ({
        id: `c${i}`,
        title: `breaking change ${i} <script>&`,
        status: 'fail' as const,
        message: 'm'.repeat(400),
      })),
    });
    const many = Array.from({ length: 80 }, (_, i) =>
      report({ gate: `gate${i}`, status: 'pass', headline: 'h'.repeat(290) }),
    );
    const message = buildDeployMessage([huge, ...many], { ...context, repository: `acme/${'r'.repeat(200)}` });
    expectWithinLimits(message.blocks, message.text);
    for (const d of message.details) expectWithinLimits(d.blocks, d.text);
    const thread = message.details[0];
    expect(JSON.stringify(thread.blocks)).toMatch(
      /more checks: <https:\/\/github.com\/acme\/shop\/actions\/runs\/1658821493\|/,
    );
    expect(JSON.stringify(thread.blocks)).not.toContain('<script>');
    // More gate lines than 46 sections hold: the rest is pointed at, in the thread or the run summary.
    const crowd = Array.from({ length: 600 }, (_, i) =>
      report({ gate: `gate${i}`, status: 'pass', headline: 'h'.repeat(290) }),
    );
    const threaded = buildDeployMessage(crowd, context);
    expectWithinLimits(threaded.blocks, threaded.text);
    expect(JSON.stringify(threaded.blocks)).toMatch(/\d+ more line\(s\) in the thread/);
    const unthreaded = buildDeployMessage(crowd, context, { threadDetails: false });
    expect(JSON.stringify(unthreaded.blocks)).toMatch(
      /\d+ more line\(s\): <https:\/\/github.com\/acme\/shop\/actions\/runs\/1658821493\|the run summary>/,
    );
  });

  it('shows a deploy in progress before any gate reported', () => {
    const message = buildDeployMessage([], context);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🚀 Deploying acme/shop to production', emoji: true },
    });
    expect(JSON.stringify(message.blocks)).toContain('Waiting for the gates');
  });
});

describe('helpers', () => {
  it('escapes mrkdwn control characters and formats mentions', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(['U024BE7LH', '@W123ABC', 'S0614TZR7', 'here'].map(mention)).toEqual([
      '<@U024BE7LH>',
      '<@W123ABC>',
      '<!subteam^S0614TZR7>',
      '<!here>',
    ]);
  });

  it('keys a deploy by repository, workflow, run and environment (a re-run attempt keeps it)', () => {
    expect(defaultDeployKey(context)).toBe('acme/shop/deploy/1658821493/production');
    expect(defaultDeployKey({ ...context, environment: 'staging' })).not.toBe(defaultDeployKey(context));
  });
});
