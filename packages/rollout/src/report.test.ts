import { GateError, GateReportSchema, renderComment } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import { buildRollbackReport } from './report.js';
import type { RollbackResult } from './run.js';

const revision = (n: number, image: string, hash: string) => ({
  revision: n,
  formerRevisions: [],
  hash,
  objectName: `web-${hash}`,
  images: [`app=${image}`],
  template: {},
});

const base: RollbackResult = {
  mode: 'rollback',
  status: 'pass',
  rolledBack: true,
  workload: 'shop/deployment/web',
  strategy: 'kubectl',
  from: revision(3, 'web:bad-3', 'c3'),
  target: revision(2, 'web:2', 'b2'),
  targetReason: 'the revision before the current one (2)',
  broke: '3 pod(s) CrashLoopBackOff',
  steps: [
    { id: 'pre-check', title: 'Pre-checks', status: 'pass', seconds: 0.31, message: 'undo to revision 2' },
    { id: 'undo', title: 'kubectl rollout undo', status: 'pass', seconds: 0.12, message: 'undo to revision 2' },
    {
      id: 'rollout-status',
      title: 'kubectl rollout status',
      status: 'pass',
      seconds: 2.4,
      message: 'successfully rolled out',
    },
    { id: 'pods', title: 'Pods on the target template', status: 'pass', seconds: 0.1, message: '3/3 pod(s) ready' },
  ],
  durationSeconds: 2.93,
  dryRun: false,
};

describe('buildRollbackReport', () => {
  it('carries the facts notify reads and leads the comment with the verdict', () => {
    const report = GateReportSchema.parse(buildRollbackReport(base, '2026-12-06T12:00:00.000Z'));
    expect(report.facts).toEqual({
      'rolled-back': 'true',
      workload: 'shop/deployment/web',
      'duration-seconds': '2.9',
      strategy: 'kubectl',
      'from-revision': '3',
      'from-image': 'web:bad-3',
      'to-revision': '2',
      'to-image': 'web:2',
      revision: '2',
      'template-hash': 'b2',
      verified: 'true',
    });
    const comment = renderComment(report);
    expect(comment.split('\n')[0]).toBe(
      '✅ **Rolled back shop/deployment/web revision 3 (web:bad-3) → 2 (web:2) in 2.9 s — verified**',
    );
    expect(comment).toMatchSnapshot();
  });

  it.each([
    [
      {
        status: 'error' as const,
        rolledBack: false,
        error: new GateError('deployment/web is paused', { fix: 'resume' }),
      },
      /^Rollback of .* not done: deployment\/web is paused$/,
    ],
    [
      { status: 'fail' as const, error: new GateError('the re-check failed', { fix: 'x' }) },
      /not verified: the re-check failed/,
    ],
    [{ alreadyCurrent: true, rolledBack: false }, /already runs the target revision 2 \(web:2\) — nothing rolled back/],
    [{ dryRun: true, rolledBack: false }, /^Dry run: .* would roll back revision 3/],
    [{ mode: 'record' as const, target: undefined }, /^Recorded shop\/deployment\/web at revision 3 \(web:bad-3\)$/],
  ])('headline %#', (change, headline) => {
    expect(buildRollbackReport({ ...base, ...change }).headline).toMatch(headline);
  });

  it('record mode outputs the revision and its template hash', () => {
    const facts = buildRollbackReport({ ...base, mode: 'record', target: undefined, rolledBack: false }).facts!;
    expect(facts).toMatchObject({ revision: '3', 'template-hash': 'c3', images: 'web:bad-3', 'rolled-back': 'false' });
  });
});
