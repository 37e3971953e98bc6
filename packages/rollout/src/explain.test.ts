import { describe, expect, it } from 'vitest';
import { explainFailure, parseForbidden } from './explain.js';

describe('explainFailure', () => {
  it('names the verb, resource, group and namespace to grant', () => {
    const stderr =
      'Error from server (Forbidden): deployments.apps "web" is forbidden: User "ci" cannot patch resource "deployments" in API group "apps" in the namespace "shop"';
    expect(parseForbidden(stderr)).toEqual({
      user: 'ci',
      verb: 'patch',
      resource: 'deployments',
      apiGroup: 'apps',
      namespace: 'shop',
    });
    const error = explainFailure('undoing deployment/web', stderr);
    expect(error.message).toBe('RBAC forbids undoing deployment/web: patch deployments');
    expect(error.fix).toMatch(
      /grant "ci" the verb `patch` on `deployments` \(a Role in namespace "shop", rule `\{apiGroups: \["apps"\]/,
    );
  });

  it('reads core-group and cluster-scoped denials', () => {
    expect(
      parseForbidden(
        'User "system:serviceaccount:ci:deployer" cannot list resource "pods" in API group "" in the namespace "a"',
      ),
    ).toMatchObject({
      user: 'system:serviceaccount:ci:deployer',
      apiGroup: '',
      resource: 'pods',
    });
    expect(explainFailure('x', 'User "u" cannot get resource "nodes" in API group ""').fix).toMatch(/a ClusterRole/);
  });

  it.each([
    [
      'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?',
      /unreachable/,
    ],
    ['Unable to connect to the server: dial tcp: lookup k8s.example: no such host', /unreachable/],
    ['error: You must be logged in to the server (Unauthorized)', /rejected the credentials/],
    ['Error from server (NotFound): deployments.apps "ghost" not found', /deployments.apps "ghost" not found/],
    ['error: something else', /failed x: error: something else/],
  ])('%s', (stderr, message) => expect(explainFailure('x', stderr).message).toMatch(message));
});
