import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import type { DeployMessage, SlackMessage } from './message.js';

/** Message metadata event types: how a later step finds this deploy's message and its thread replies. */
export const DEPLOY_EVENT = 'myco_gates_deploy';
export const DETAILS_EVENT = 'myco_gates_details';

/**
 * A Slack failure the user can fix; carries the fix. It has the shape of core's `GateError` (`name`, `fix`) without
 * importing core's runtime.
 */
export class SlackNotifyError extends Error {
  readonly fix: string;
  readonly slackError?: string;

  constructor(message: string, fix: string, slackError?: string) {
    super(message);
    this.name = 'GateError';
    this.fix = fix;
    this.slackError = slackError;
  }
}

/** Options for {@link createSlackClient}. */
export interface SlackClientOptions {
  token: string;
  /** API base, default `https://slack.com/api/`; a proxy or the test stub. */
  apiUrl?: string;
  /** Total time one call may spend retrying rate limits (429 + Retry-After), 5xx and network errors. Default 60 s. */
  retryBudgetMs?: number;
  log?: (line: string) => void;
}

/**
 * A Web API client with bounded retries whose log never carries the token.
 * @param options token, API base and retry budget.
 * @returns the client.
 */
export function createSlackClient(options: SlackClientOptions): WebClient {
  const log = options.log ?? (() => {});
  const logger: Logger = {
    debug: () => {},
    info: (...msg: unknown[]) => log(`slack: ${msg.join(' ')}`),
    warn: (...msg: unknown[]) => log(`slack: ${msg.join(' ')}`),
    error: (...msg: unknown[]) => log(`slack: ${msg.join(' ')}`),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
  const budget = options.retryBudgetMs ?? 60_000;
  let apiUrl = options.apiUrl || 'https://slack.com/api/';
  if (!apiUrl.endsWith('/')) apiUrl += '/';
  return new WebClient(options.token, {
    slackApiUrl: apiUrl,
    logger,
    logLevel: LogLevel.INFO,
    allowAbsoluteUrls: false,
    timeout: Math.min(30_000, Math.max(1000, budget)),
    retryConfig: {
      retries: 10,
      factor: 2,
      minTimeout: Math.min(500, budget / 4),
      maxTimeout: Math.max(1, Math.min(10_000, budget / 2)),
      maxRetryTime: budget,
    },
  });
}

const FIXES: Record<string, string> = {
  not_authed: 'set `slack-token` to a bot token (xoxb-…)',
  invalid_auth: 'the `slack-token` is not valid: reinstall the app or copy the bot token (xoxb-…) again',
  account_inactive: 'the `slack-token` belongs to a deactivated app or user: reinstall the Slack app',
  token_revoked: 'the `slack-token` was revoked: reinstall the Slack app and update the secret',
  channel_not_found: 'check `channel` (use the channel id, e.g. C0123456789) and invite the app to it',
  not_in_channel: 'invite the app to the channel (`/invite @your-app`) or add the `chat:write.public` scope',
  is_archived: 'the channel is archived: pick another `channel`',
  msg_too_long: 'the message is too long for Slack; this is a bug in Myco Gates, please report it',
  invalid_blocks: 'Slack rejected the blocks; this is a bug in Myco Gates, please report it',
  ratelimited: 'Slack kept rate-limiting for the whole `retry-timeout`: raise it or notify less often',
  restricted_action: 'a workspace policy blocks posting in that channel: ask an admin or pick another `channel`',
};

/**
 * Turns any Slack client failure into one line with the fix: platform errors by code (`missing_scope` names the scope
 * Slack said is needed), HTTP and network errors after the retries.
 * @param error what the client threw.
 * @param method the Web API method, e.g. `chat.postMessage`.
 * @returns the error to throw.
 */
export function slackError(error: unknown, method: string): SlackNotifyError {
  const e = error as {
    code?: string;
    data?: { error?: string; needed?: string };
    statusCode?: number;
    message?: string;
  };
  if (e?.code === 'slack_webapi_platform_error' && e.data?.error) {
    const code = e.data.error;
    if (code === 'missing_scope')
      return new SlackNotifyError(
        `Slack refused ${method}: missing_scope`,
        `add the \`${e.data.needed ?? 'needed'}\` scope to the Slack app (OAuth & Permissions), reinstall it, and update \`slack-token\``,
        code,
      );
    return new SlackNotifyError(
      `Slack refused ${method}: ${code}`,
      FIXES[code] ?? 'see https://docs.slack.dev/reference/methods/' + method,
      code,
    );
  }
  if (e?.code === 'slack_webapi_http_error')
    return new SlackNotifyError(
      `Slack answered HTTP ${e.statusCode} to ${method} until the retries ran out`,
      'Slack or the proxy in `slack-api-url` is failing; the deploy itself is unaffected — re-run the job later',
    );
  if (e?.code === 'slack_webapi_rate_limited_error')
    return new SlackNotifyError(`Slack rate-limited ${method}`, FIXES.ratelimited, 'ratelimited');
  return new SlackNotifyError(
    `cannot reach Slack for ${method}: ${(e?.message ?? String(error)).replace(/xox[a-z]-[A-Za-z0-9-]+/g, '***')}`,
    "check `slack-api-url` and the runner's network access to slack.com",
  );
}

async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw slackError(error, method);
  }
}

interface HistoryMessage {
  ts?: string;
  thread_ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** What {@link publishDeployMessage} did. */
export interface PublishedMessage {
  channel: string;
  ts: string;
  permalink?: string;
  action: 'posted' | 'updated';
  replies: Array<{ id: string; ts: string; action: 'posted' | 'updated' }>;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

/**
 * Resolves `#name` / `name` to a channel id (history and replies need the id); ids pass through.
 * @param client the Web API client.
 * @param channel id or name.
 * @returns the id.
 */
export async function resolveChannel(client: WebClient, channel: string): Promise<string> {
  const wanted = channel.trim().replace(/^#/, '');
  if (CHANNEL_ID.test(wanted)) return wanted;
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const answer = await call('conversations.list', () =>
      client.conversations.list({
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 200,
        cursor,
      }),
    );
    const found = answer.channels?.find((c) => c.name === wanted);
    if (found?.id) return found.id;
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  throw new SlackNotifyError(
    `channel \`${channel}\` was not found among the channels the app can see`,
    'use the channel id (right-click the channel → Copy link; it ends in C…) and invite the app to it',
    'channel_not_found',
  );
}

/**
 * Finds this deploy's message in recent channel history by its metadata key (newest 300 messages, last 7 days).
 * @param client the Web API client.
 * @param channel channel id.
 * @param key the deploy key.
 * @returns the oldest message carrying the key, or undefined.
 */
export async function findDeployMessage(client: WebClient, channel: string, key: string): Promise<string | undefined> {
  let cursor: string | undefined;
  let found: string | undefined;
  const oldest = String(Math.floor(Date.now() / 1000) - 7 * 86400);
  for (let page = 0; page < 3; page++) {
    const answer = await call('conversations.history', () =>
      client.conversations.history({ channel, include_all_metadata: true, limit: 100, oldest, cursor }),
    );
    for (const m of (answer.messages ?? []) as HistoryMessage[])
      if (m.metadata?.event_type === DEPLOY_EVENT && m.metadata.event_payload?.key === key && m.ts)
        if (!found || Number(m.ts) < Number(found)) found = m.ts;
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return found;
}

/**
 * Posts the deploy message, or updates it in place when a message with the same key is already in the channel, then
 * posts or updates one thread reply per gate. A second message for the same key (two jobs racing to post first) is
 * deleted in favour of the oldest, so the channel ends with one.
 * @param client the Web API client.
 * @param channelInput channel id or name.
 * @param message from buildDeployMessage.
 * @param key the deploy key.
 * @param options whether to thread the details.
 * @returns where the message is.
 */
export async function publishDeployMessage(
  client: WebClient,
  channelInput: string,
  message: DeployMessage,
  key: string,
  options: { threadDetails: boolean },
): Promise<PublishedMessage> {
  const channel = await resolveChannel(client, channelInput);
  const metadata = { event_type: DEPLOY_EVENT, event_payload: { key, verdict: message.verdict } };
  const body = { channel, text: message.text, blocks: message.blocks, metadata };
  let ts = await findDeployMessage(client, channel, key);
  let action: PublishedMessage['action'] = 'updated';
  if (ts) {
    const found = ts;
    await call('chat.update', () => client.chat.update({ ...body, ts: found }));
  } else {
    const posted = await call('chat.postMessage', () =>
      client.chat.postMessage({ ...body, unfurl_links: false, unfurl_media: false }),
    );
    ts = posted.ts!;
    action = 'posted';
    const oldest = await findDeployMessage(client, channel, key);
    if (oldest && oldest !== ts) {
      const mine = ts;
      await call('chat.delete', () => client.chat.delete({ channel, ts: mine }));
      ts = oldest;
      action = 'updated';
      await call('chat.update', () => client.chat.update({ ...body, ts: oldest }));
    }
  }
  const replies: PublishedMessage['replies'] = [];
  if (options.threadDetails && message.details.length) {
    const thread = ts;
    const existing = new Map<string, string>();
    const answer = await call('conversations.replies', () =>
      client.conversations.replies({ channel, ts: thread, include_all_metadata: true, limit: 200 }),
    );
    for (const m of (answer.messages ?? []) as HistoryMessage[])
      if (m.metadata?.event_type === DETAILS_EVENT && m.metadata.event_payload?.key === key && m.ts)
        existing.set(String(m.metadata.event_payload.id), m.ts);
    for (const detail of message.details) {
      const reply: SlackMessage & { metadata: { event_type: string; event_payload: Record<string, string> } } = {
        text: detail.text,
        blocks: detail.blocks,
        metadata: { event_type: DETAILS_EVENT, event_payload: { key, id: detail.id } },
      };
      const at = existing.get(detail.id);
      if (at) {
        await call('chat.update', () => client.chat.update({ channel, ts: at, ...reply }));
        replies.push({ id: detail.id, ts: at, action: 'updated' });
      } else {
        const posted = await call('chat.postMessage', () =>
          client.chat.postMessage({ channel, thread_ts: thread, ...reply, unfurl_links: false }),
        );
        replies.push({ id: detail.id, ts: posted.ts!, action: 'posted' });
      }
    }
  }
  let permalink: string | undefined;
  try {
    const finalTs = ts;
    permalink = (await client.chat.getPermalink({ channel, message_ts: finalTs })).permalink;
  } catch {
    // A permalink is a convenience; the message is there either way.
  }
  return { channel, ts, permalink, action, replies };
}

/**
 * Posts through an incoming webhook (they can't update or thread): one POST with the text and blocks, 429 and 5xx
 * retried with backoff within `retryBudgetMs`.
 * @param url the webhook URL (a secret).
 * @param message text and blocks.
 * @param options retry budget and sleep (tests).
 */
export async function postWebhook(
  url: string,
  message: SlackMessage,
  options: { retryBudgetMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (options.retryBudgetMs ?? 60_000);
  let wait = 500;
  for (;;) {
    let status = 0;
    let text = '';
    let retryAfter = Number.NaN;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: message.text, blocks: message.blocks }),
        redirect: 'error',
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      text = (await response.text()).slice(0, 200);
      retryAfter = Number(response.headers.get('retry-after'));
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) return;
    const retryable = status === 0 || status === 429 || status >= 500;
    if (!retryable)
      throw new SlackNotifyError(
        `the Slack webhook answered HTTP ${status}: ${text}`,
        text.includes('invalid_token') || status === 403 || status === 404
          ? 'the `slack-webhook` URL is revoked or wrong: create a new incoming webhook and update the secret'
          : 'check the `slack-webhook` URL',
        text,
      );
    const pause = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : wait;
    if (Date.now() + pause > deadline)
      throw new SlackNotifyError(
        status ? `the Slack webhook kept answering HTTP ${status}` : 'cannot reach the Slack webhook',
        'Slack is failing or unreachable; the deploy itself is unaffected — re-run the job later',
      );
    await sleep(pause);
    wait = Math.min(wait * 2, 10_000);
  }
}
