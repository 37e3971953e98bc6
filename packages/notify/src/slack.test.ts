import { GateReportSchema, type GateReport } from '@myco-gates/core';
import {
  checkBlocks,
  slackSpecAvailable,
  slackSpecPath,
  startSlackStub,
  type SlackStub,
} from '@myco-gates/testkit/slack-stub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeployMessage, type DeployContext } from './message.js';
import { createSlackClient, DEPLOY_EVENT, postWebhook, publishDeployMessage, slackError } from './slack.js';

const available = slackSpecAvailable();
if (!available) console.log(`notify Slack tests skipped: Slack's Web API description is not at ${slackSpecPath()}.`);

const DEPLOYS = 'C0DEPLOYS1';
const context: DeployContext = {
  repository: 'acme/shop',
  serverUrl: 'https://github.com',
  sha: '3f9c2e1d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
  workflow: 'deploy',
  runId: 42,
  runUrl: 'https://github.com/acme/shop/actions/runs/42',
  environment: 'production',
};
const report = (gate: string, status: GateReport['status'], headline: string, extra: object = {}): GateReport =>
  GateReportSchema.parse({
    schemaVersion: 1,
    gate,
    status,
    headline,
    checks: [],
    metrics: {},
    generatedAt: '2026-12-06T10:00:00Z',
    ...extra,
  });
const coverage = report('coverage', 'pass', 'Coverage 86.40% lines');
const slo = report('slo', 'fail', 'SLO breached — rollback', { facts: { rollback: 'true' } });

describe.skipIf(!available)('publishDeployMessage against the Slack stub', () => {
  let slack: SlackStub;
  beforeAll(async () => {
    slack = await startSlackStub();
  });
  afterAll(() => slack?.close());
  const client = () => createSlackClient({ token: slack.token, apiUrl: slack.url, retryBudgetMs: 5000 });

  it('posts once, then finds the message by its key and updates it and its thread in place', async () => {
    const key = 'acme/shop/deploy/1/production';
    // Someone else's chatter and another deploy's message must not be taken for ours.
    slack.addMessage({ channel: DEPLOYS, text: 'lunch?' });
    slack.addMessage({
      channel: DEPLOYS,
      text: 'other deploy',
      metadata: { event_type: DEPLOY_EVENT, event_payload: { key: 'acme/shop/deploy/0/production' } },
    });
    const first = await publishDeployMessage(client(), DEPLOYS, buildDeployMessage([coverage], context), key, {
      threadDetails: true,
    });
    expect(first).toMatchObject({
      action: 'posted',
      channel: DEPLOYS,
      replies: [{ id: 'coverage', action: 'posted' }],
    });
    const second = await publishDeployMessage(client(), '#deploys', buildDeployMessage([coverage, slo], context), key, {
      threadDetails: true,
    });
    expect(second).toMatchObject({
      action: 'updated',
      ts: first.ts,
      replies: [
        { id: 'coverage', action: 'updated' },
        { id: 'slo', action: 'posted' },
      ],
    });
    expect(second.permalink).toMatch(/^https:\/\/myco-stub\.slack\.com\/archives\/C0DEPLOYS1\/p\d{16}$/);
    const mine = slack.messages(DEPLOYS).filter((m) => m.metadata?.event_payload.key === key);
    expect(mine).toHaveLength(1);
    expect(mine[0].metadata?.event_payload).toEqual({ key, verdict: 'failed' });
    expect(slack.replies(DEPLOYS, first.ts)).toHaveLength(2);
    // `#deploys` was resolved through conversations.list; history was read with metadata.
    expect(slack.requests.some((r) => r.method === 'conversations.list')).toBe(true);
    expect(slack.requests.find((r) => r.method === 'conversations.history')?.args).toMatchObject({
      include_all_metadata: 'true',
    });
    slack.assertNoViolations();
  });

  it('two jobs racing to post first end with one message', async () => {
    const key = 'acme/shop/deploy/2/production';
    const message = buildDeployMessage([coverage], context);
    const [a, b] = await Promise.all([
      publishDeployMessage(client(), DEPLOYS, message, key, { threadDetails: false }),
      publishDeployMessage(client(), DEPLOYS, message, key, { threadDetails: false }),
    ]);
    expect(a.ts).toBe(b.ts);
    expect(slack.messages(DEPLOYS).filter((m) => m.metadata?.event_payload.key === key)).toHaveLength(1);
    slack.assertNoViolations();
  });

  it('never answers invalid_blocks, however large the reports', async () => {
    const huge = report('contract', 'fail', 'x'.repeat(500), {
      checks: Array.from({ length: 2000 }, (_, i) => ({
        id: `c${i}`,
        title: `breaking change ${i} <b>&</b> 🚨`,
        status: 'fail',
        message: 'm'.repeat(400),
      })),
    });
    const many = Array.from({ length: 80 }, (_, i) => report(`gate${i}`, 'pass', '✅'.repeat(290)));
    const message = buildDeployMessage([huge, ...many], { ...context, repository: `acme/${'🚀'.repeat(100)}` });
    expect(checkBlocks(message.blocks)).toEqual([]);
    for (const detail of message.details) expect(checkBlocks(detail.blocks)).toEqual([]);
    const published = await publishDeployMessage(client(), DEPLOYS, message, 'huge', { threadDetails: true });
    expect(published.replies).toHaveLength(81);
    expect(slack.requests.filter((r) => r.error === 'invalid_blocks')).toEqual([]);
    slack.assertNoViolations();
  });

  it('turns Slack errors into one line with the fix', async () => {
    slack.injectFault('conversations.history', { kind: 'error', error: 'missing_scope', needed: 'groups:history' });
    const error = await publishDeployMessage(client(), DEPLOYS, buildDeployMessage([], context), 'k', {
      threadDetails: false,
    }).catch((e) => e);
    expect(error).toMatchObject({ name: 'GateError', slackError: 'missing_scope' });
    expect(error.fix).toMatch(/add the `groups:history` scope/);
    const wrong = await publishDeployMessage(
      createSlackClient({ token: 'xoxb-wrong', apiUrl: slack.url }),
      DEPLOYS,
      buildDeployMessage([], context),
      'k',
      { threadDetails: false },
    ).catch((e) => e);
    expect(wrong.message).toBe('Slack refused conversations.history: invalid_auth');
    expect(slackError(new Error('connect ECONNREFUSED xoxb-1-2-abc'), 'chat.update').message).not.toContain('xoxb-1');
  });

  it('posts through the webhook, retrying 429 and 5xx, and names the fix for a revoked one', async () => {
    slack.injectFault('webhook', { kind: 'rate-limit', retryAfterSeconds: 1 });
    slack.injectFault('webhook', { kind: 'status', status: 502 });
    const waits: number[] = [];
    await postWebhook(slack.webhookUrl, buildDeployMessage([coverage], context), {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    // Retry-After first, then the exponential backoff (already one step up).
    expect(waits).toEqual([1000, 1000]);
    expect(slack.messages(DEPLOYS).at(-1)).toMatchObject({ via: 'webhook' });
    const revoked = await postWebhook(`${slack.webhookUrl}x`, buildDeployMessage([], context)).catch((e) => e);
    expect(revoked.fix).toMatch(/revoked or wrong: create a new incoming webhook/);
    slack.injectFault('webhook', { kind: 'status', status: 503 }, 5);
    const down = await postWebhook(slack.webhookUrl, buildDeployMessage([], context), {
      retryBudgetMs: 2000,
      sleep: async () => {},
    }).catch((e) => e);
    expect(down.message).toBe('the Slack webhook kept answering HTTP 503');
    slack.assertNoViolations();
  });
});
