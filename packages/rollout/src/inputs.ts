import { defineInputs } from '@myco-gates/core';

/** Every input of actions/k8s-rollback (its config.test.ts checks them against action.yml). */
export const K8S_ROLLBACK_INPUTS = defineInputs({
  mode: {
    kind: 'enum',
    values: ['record', 'rollback'],
    default: 'rollback',
    description:
      '`record` (before the deploy): output the current revision, its images and template hash. `rollback`: roll the workload back to `to-revision` and verify it recovered.',
  },
  kind: {
    kind: 'enum',
    values: ['deployment', 'statefulset', 'daemonset'],
    default: 'deployment',
    description: 'Workload kind: `deployment`, `statefulset` or `daemonset`.',
  },
  name: { kind: 'string', required: true, description: 'Workload name (DNS-1123).' },
  namespace: { kind: 'string', default: 'default', description: 'Namespace of the workload.' },
  'to-revision': {
    kind: 'string',
    description:
      "The pinned target: the `revision` (or `template-hash`) output of `mode: record` run before the deploy. A number still finds its template after an earlier undo renumbered it. Default: the revision that was current before the current one was rolled out (not kubectl's second-highest).",
  },
  timeout: {
    kind: 'string',
    default: '5m',
    description: 'Budget of the whole rollback: undo, `rollout status --timeout`, pod verification (`90s`, `5m`).',
  },
  'dry-run': {
    kind: 'boolean',
    default: 'false',
    description:
      'Check and plan only: every pre-check, the target, and a server-side dry run of the undo (proves RBAC); nothing changes.',
  },
  kubeconfig: {
    kind: 'string',
    description:
      "Path of the kubeconfig; default the runner's (`$KUBECONFIG` or `~/.kube/config`). Its credentials are masked.",
  },
  context: { kind: 'string', description: 'kubeconfig context; default its current context.' },
  kubectl: { kind: 'string', default: 'kubectl', description: 'Path of the kubectl binary.' },
  helm: {
    kind: 'enum',
    values: ['auto', 'never'],
    default: 'auto',
    description:
      "`auto`: a workload owned by a Helm release is rolled back with `helm rollback` to the release revision that held the target template, so Helm's history stays true. `never`: always kubectl.",
  },
  'helm-path': { kind: 'string', default: 'helm', description: 'Path of the helm binary.' },
  'resume-paused': {
    kind: 'boolean',
    default: 'false',
    description:
      'A paused Deployment cannot be rolled back; `true` resumes it first (its pending changes are replaced by the rollback). Default: fail and explain.',
  },
  'verify-report': {
    kind: 'string',
    description:
      'Re-check after the rollback: path of a slo-validate GateReport; passes when its status is `pass` or `warn` and its `rollback` fact is not `true`. Read after `verify-command`, so the command can write it.',
  },
  'verify-command': {
    kind: 'string',
    description:
      'Re-check after the rollback: a command whose exit code 0 says the service is healthy, e.g. `curl -fsS --retry 5 https://shop.example/health`. Split like a shell would quote it, run without a shell.',
  },
  comment: {
    kind: 'boolean',
    default: 'true',
    description: 'Post or update one sticky comment on the pull request, when the workflow runs for one.',
  },
  'comment-id': {
    kind: 'string',
    description: 'Distinguishes the sticky comments of several runs (one per environment).',
  },
  'github-token': {
    kind: 'string',
    default: '${{ github.token }}',
    secret: true,
    description: 'Token for the pull request comment (`pull-requests: write`).',
  },
});
