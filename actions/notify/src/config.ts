import { defineInputs, maskSecrets, readInputs } from '@myco-gates/core';

/** Every input of action.yml, read once (config.test.ts checks ids, `required` and defaults against action.yml). */
export const inputs = defineInputs({
  reports: {
    kind: 'list',
    description:
      'GateReport JSON files or globs from earlier steps and jobs (the `report` output of coverage-gate, openapi-contract, slo-validate, k8s-rollback), one per line or comma-separated. Files that do not exist yet are skipped: a gate that did not run has nothing to say. None at all: the message says the deploy is in progress.',
  },
  'slack-token': {
    kind: 'string',
    secret: true,
    description:
      'Bot token (`xoxb-…`) with `chat:write` and `channels:history` (`groups:history` for private channels): posts once, then updates the same message in place. Masked.',
  },
  'slack-webhook': {
    kind: 'string',
    secret: true,
    description:
      'Incoming webhook URL, instead of `slack-token`: posts a new message each time (webhooks cannot update or thread). Masked.',
  },
  channel: {
    kind: 'string',
    description:
      'Channel id (`C0123456789`, preferred) or name (`#deploys`, needs `channels:read`). Required with `slack-token`.',
  },
  'slack-api-url': {
    kind: 'string',
    default: 'https://slack.com/api/',
    description: 'Slack Web API base URL; change it only for a proxy.',
  },
  key: {
    kind: 'string',
    description:
      "What identifies this deploy's message. Default `<owner/repo>/<workflow>/<run id>/<environment>`, so every job and re-run attempt of one run updates one message per environment.",
  },
  'thread-details': {
    kind: 'boolean',
    default: 'true',
    description: "Put each gate's details in a thread reply under the message (updated in place too).",
  },
  'mention-on-failure': {
    kind: 'list',
    description:
      'User (`U…`) or user group (`S…`) ids, or `here`, to mention when the deploy failed, was rolled back or could not be verified.',
  },
  environment: {
    kind: 'string',
    description: 'Environment name shown in the message and used for the deployment status (e.g. `production`).',
  },
  'environment-url': {
    kind: 'string',
    description: 'URL of the deployed environment, linked in the message and set on the deployment status.',
  },
  'deployment-status': {
    kind: 'boolean',
    default: 'false',
    description:
      "Set a GitHub deployment status from the verdict (`in_progress`, `success`, `failure`, `inactive` when rolled back, `error`) on this commit's deployment to `environment` (created when there is none). Needs `deployments: write`.",
  },
  'github-token': {
    kind: 'string',
    default: '${{ github.token }}',
    secret: true,
    description: 'Token for deployment statuses (`deployments: write`) and the PR comment (`pull-requests: write`).',
  },
  comment: {
    kind: 'boolean',
    default: 'false',
    description: 'Also post the verdict as one sticky comment on the pull request, when the workflow runs for one.',
  },
  'retry-timeout': {
    kind: 'string',
    default: '60s',
    description: 'How long one Slack call may retry rate limits (429 + Retry-After), 5xx and network errors.',
  },
  'fail-on-error': {
    kind: 'boolean',
    default: 'false',
    description:
      'Fail the step when the notification could not be sent. Default `false`: a broken notification never hides the result of the deploy; the reason is a warning.',
  },
});

/** Output ids, equal to action.yml's. */
export const Outputs = {
  Ts: 'ts',
  Channel: 'channel',
  Permalink: 'permalink',
  Status: 'status',
  Verdict: 'verdict',
  Notified: 'notified',
  Key: 'key',
  Report: 'report',
} as const;

/** The action's settings, read once. */
export type ActionConfig = ReturnType<typeof readActionConfig>;

/**
 * Reads every input once (secret inputs masked first).
 * @param getInput raw input source; defaults to the runner's `INPUT_*` variables.
 * @returns the typed values.
 */
export function readActionConfig(getInput?: (id: string) => string) {
  const values = readInputs(inputs, getInput);
  // The webhook's path is the credential; mask it on its own too, since a log may show the path without the host.
  if (values.slackWebhook) maskSecrets([values.slackWebhook.replace(/^https?:\/\/[^/]+/, '')]);
  return values;
}
