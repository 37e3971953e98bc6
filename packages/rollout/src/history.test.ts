import { describe, expect, it } from 'vitest';
import { ROLLED_BACK_TO, readHistory, selectTarget, type KubeObject } from './history.js';

const deployment = (revision: number, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'd-uid',
    generation: 3,
    annotations: { 'deployment.kubernetes.io/revision': String(revision), ...(extra.annotations ?? {}) },
  },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } },
  status: { observedGeneration: 3 },
});

const rs = (hash: string, image: string, revision: number, former: number[] = [], owner = 'd-uid'): KubeObject => ({
  metadata: {
    name: `web-${hash}`,
    labels: { app: 'web', 'pod-template-hash': hash },
    annotations: {
      'deployment.kubernetes.io/revision': String(revision),
      ...(former.length ? { 'deployment.kubernetes.io/revision-history': former.join(',') } : {}),
    },
    ownerReferences: [{ uid: owner, controller: true }],
  },
  spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
});

describe('selectTarget', () => {
  // v1 (1), v2 (2), undo to 1 → v1 is 3 (history 1), v3 bad (4).
  const renumbered = readHistory('deployment', deployment(4), [
    rs('a1', 'web:1', 3, [1]),
    rs('b2', 'web:2', 2),
    rs('c3', 'web:bad-3', 4),
    rs('zz', 'other:1', 9, [], 'someone-else'),
  ]);

  it.each([
    ['', 'a1', 'the revision before the current one (3)'],
    ['1', 'a1', 'pinned revision 1 (now revision 3)'],
    ['2', 'b2', 'pinned revision 2'],
    ['b2', 'b2', 'pinned revision b2'],
  ])('to-revision %j → %s', (requested, hash, reason) => {
    const selection = selectTarget(renumbered, requested);
    expect(selection.target.hash).toBe(hash);
    expect(selection.reason).toBe(reason);
    expect(selection.alreadyCurrent).toBe(false);
  });

  it('ignores ReplicaSets of another owner', () => {
    expect(renumbered.revisions.map((r) => r.revision)).toEqual([4, 3, 2]);
  });

  it("after an undo, 'previous' is the release rolled back from, never kubectl's second-highest", () => {
    // v1 (1), v2 bad (2), undo → v1 is 3: the revision before 3 is 2 by number, which *is* v2 — but our marker says
    // the run already rolled back, so a re-run does nothing.
    const afterUndo = readHistory('deployment', deployment(3, { annotations: { [ROLLED_BACK_TO]: 'a1' } }), [
      rs('a1', 'web:1', 3, [1]),
      rs('b2', 'web:bad-2', 2),
    ]);
    expect(selectTarget(afterUndo)).toMatchObject({
      alreadyCurrent: true,
      reason: 'already rolled back by an earlier run',
    });
    // Numbers held by the current template are skipped: v1 (1), v2 (2), undo → v1 (3, was 1), v2 again (4, was 2).
    const flipFlop = readHistory('deployment', deployment(4), [rs('a1', 'web:1', 3, [1]), rs('b2', 'web:2', 4, [2])]);
    expect(selectTarget(flipFlop).target.hash).toBe('a1');
  });

  it('says when the target is already current', () => {
    expect(selectTarget(renumbered, '4').alreadyCurrent).toBe(true);
  });

  it('lists the revisions that exist when the requested one does not', () => {
    expect(() => selectTarget(renumbered, '7')).toThrow(/revision 7 of deployment\/web not found/);
    try {
      selectTarget(renumbered, '7');
    } catch (e) {
      expect((e as { fix: string }).fix).toMatch(/4: app=web:bad-3 \[current\]; 3 \(was 1\): app=web:1; 2: app=web:2/);
    }
  });

  it('explains no history', () => {
    expect(() => selectTarget(readHistory('deployment', deployment(1), []))).toThrow(/has no rollout history/);
    expect(() => selectTarget(readHistory('deployment', deployment(1), [rs('a1', 'web:1', 1)]))).toThrow(
      /no revision before the current one \(1\)/,
    );
  });

  it('reads ControllerRevisions: StatefulSet pods carry the name, DaemonSet pods the hash label', () => {
    const cr = (name: string, hash: string, revision: number, image: string): KubeObject => ({
      metadata: {
        name,
        labels: { 'controller-revision-hash': hash },
        ownerReferences: [{ uid: 's-uid', controller: true }],
      },
      revision,
      data: { spec: { template: { spec: { containers: [{ name: 'db', image }] } } } },
    });
    const sts: KubeObject = {
      metadata: { name: 'db', uid: 's-uid', generation: 2 },
      spec: { replicas: 2, selector: { matchLabels: { app: 'db' } } },
      status: { observedGeneration: 2, updateRevision: 'db-2' },
    };
    const crs = [cr('db-1', 'h1', 1, 'db:1'), cr('db-2', 'h2', 2, 'db:bad')];
    const history = readHistory('statefulset', sts, crs);
    expect(history.currentRevision).toBe(2);
    expect(selectTarget(history).target).toMatchObject({ hash: 'db-1', images: ['db=db:1'] });
    const ds = readHistory('daemonset', { ...sts, status: { observedGeneration: 2, desiredNumberScheduled: 4 } }, crs);
    expect(ds.desiredPods).toBe(4);
    expect(selectTarget(ds).target.hash).toBe('h1');
  });
});
