import { describe, expect, it } from 'vitest';
import { helmOwner, matchHelmRevision, templateFingerprint } from './helm.js';

const manifest = (image: string) => `---
# Source: tiny/templates/svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: store
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: store
spec:
  template:
    spec:
      containers:
        - name: app
          image: ${image}
`;

describe('helm', () => {
  it('recognises Helm ownership', () => {
    expect(
      helmOwner({
        metadata: {
          name: 'store',
          namespace: 'shop',
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': 'store', 'meta.helm.sh/release-namespace': 'shop' },
        },
      }),
    ).toEqual({ release: 'store', namespace: 'shop' });
    expect(
      helmOwner({ metadata: { name: 'x', labels: { 'app.kubernetes.io/managed-by': 'kustomize' } } }),
    ).toBeUndefined();
  });

  it('matches the newest non-deployed release revision that held the target template, ignoring API defaults', () => {
    const history = [
      { revision: 1, status: 'superseded' },
      { revision: 2, status: 'superseded' },
      { revision: 3, status: 'superseded' },
      { revision: 4, status: 'deployed' },
    ];
    const manifests = new Map([
      [1, manifest('shop:1')],
      [2, manifest('shop:2')],
      [3, manifest('shop:1')],
      [4, manifest('shop:bad')],
    ]);
    const defaulted = {
      metadata: { labels: { app: 'store' }, creationTimestamp: null },
      spec: {
        containers: [{ name: 'app', image: 'shop:1', imagePullPolicy: 'IfNotPresent', resources: {} }],
        dnsPolicy: 'ClusterFirst',
      },
    };
    expect(matchHelmRevision(history, manifests, 'deployment', 'store', defaulted)?.revision).toBe(3);
    expect(matchHelmRevision(history, manifests, 'deployment', 'other', defaulted)).toBeUndefined();
    expect(templateFingerprint(defaulted)).not.toBe(
      templateFingerprint({ spec: { containers: [{ name: 'app', image: 'shop:2' }] } }),
    );
  });
});
