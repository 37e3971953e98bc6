import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkBlocks,
  SlackContract,
  type SlackStub,
  slackSpecAvailable,
  slackSpecPath,
  startSlackStub,
} from './slack-stub.js';

const available = slackSpecAvailable();
if (!available) console.log(`Slack stub tests skipped: Slack's Web API description is not at ${slackSpecPath()}.`);

const DEPLOYS = 'C0DEPLOYS1';
const client = (slack: SlackStub, token = slack.token) =>
  new WebClient(token, {
    slackApiUrl: slack.url,
    retryConfig: { retries: 3, minTimeout: 50, maxTimeout: 100 },
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      setLevel() {},
      getLevel: () => 'info' as any,
      setName() {},
    },
  });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** A raw request, to send what the official client never would. */
async function raw(slack: SlackStub, method: string, body: string, contentType: string) {
  const response = await fetch(`${slack.url}${method}`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${slack.token}` },
    body,
  });
  return (await response.json()) as Record<string, any>;
}

describe.skipIf(!available)('Slack stub', () => {
  let slack: SlackStub;
  beforeAll(async () => {
    slack = await startSlackStub({
      channels: [
        { id: DEPLOYS, name: 'deploys' },
        { id: 'G0PRIVATE1', name: 'secret-deploys' },
        { id: 'C0NOTJOIN1', name: 'general', member: false },
      ],
    });
  });
  afterAll(() => slack?.close());

  it('speaks the Web API the official client uses: post with metadata, find it in history, update, thread, link', async () => {
    const web = client(slack);
    expect(await web.auth.test()).toMatchObject({ ok: true, team_id: 'T0STUBTEAM', user_id: 'U0STUBBOT1' });
    const listed = await web.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true });
    expect(listed.channels?.map((c) => c.name)).toEqual(['deploys', 'secret-deploys', 'general']);
    const metadata = { event_type: 'myco_gates_deploy', event_payload: { key: 'acme/shop/1' } };
    const posted = await web.chat.postMessage({
      channel: DEPLOYS,
      text: 'Deploying',
      blocks: [section('hi')],
      metadata,
    });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);

    const plain = await web.conversations.history({ channel: DEPLOYS, limit: 10 });
    expect((plain.messages![0] as any).metadata).toBeUndefined();
    const history = await web.conversations.history({ channel: DEPLOYS, include_all_metadata: true, limit: 10 });
    expect(history.messages![0]).toMatchObject({ ts: posted.ts, metadata });

    await web.chat.update({ channel: DEPLOYS, ts: posted.ts!, text: 'Deployed', blocks: [section('done')] });
    const reply = await web.chat.postMessage({ channel: DEPLOYS, thread_ts: posted.ts, text: 'details' });
    const thread = await web.conversations.replies({ channel: DEPLOYS, ts: posted.ts!, include_all_metadata: true });
    expect(thread.messages?.map((m) => m.ts)).toEqual([posted.ts, reply.ts]);
    expect((await web.chat.getPermalink({ channel: DEPLOYS, message_ts: posted.ts! })).permalink).toBe(
      `https://myco-stub.slack.com/archives/${DEPLOYS}/p${posted.ts!.replace('.', '')}`,
    );
    expect(slack.messages(DEPLOYS)).toEqual([
      expect.objectContaining({ ts: posted.ts, text: 'Deployed', edits: 1, metadata, blocks: [section('done')] }),
    ]);
    expect(slack.replies(DEPLOYS, posted.ts!).map((m) => m.text)).toEqual(['details']);
    // The history only lists the thread's parent, with its reply count.
    const after = await web.conversations.history({ channel: DEPLOYS });
    expect(after.messages).toHaveLength(1);
    expect(after.messages![0]).toMatchObject({ reply_count: 1 });

    await web.chat.delete({ channel: DEPLOYS, ts: reply.ts! });
    expect(slack.replies(DEPLOYS, posted.ts!)).toEqual([]);

    const post = slack.requests.find((r) => r.method === 'chat.postMessage')!;
    expect(post).toMatchObject({ auth: { present: true, via: 'bearer' }, undocumented: ['metadata'] });
    expect(JSON.stringify(slack.requests)).not.toContain(slack.token);
    slack.assertNoViolations();
  });

  it('pages history with a cursor', async () => {
    const stub = await startSlackStub();
    try {
      for (let i = 0; i < 5; i++) stub.addMessage({ channel: DEPLOYS, text: `chatter ${i}` });
      const web = client(stub);
      const first = await web.conversations.history({ channel: DEPLOYS, limit: 2 });
      expect(first).toMatchObject({ has_more: true });
      const second = await web.conversations.history({
        channel: DEPLOYS,
        limit: 2,
        cursor: first.response_metadata!.next_cursor,
      });
      expect(second.messages!.map((m) => m.text)).toEqual(['chatter 2', 'chatter 1']);
      stub.assertNoViolations();
    } finally {
      await stub.close();
    }
  });

  it('records a wrongly typed documented argument as a violation, and allows newer undocumented ones', async () => {
    const before = slack.violations.length;
    await raw(
      slack,
      'conversations.history',
      `channel=${DEPLOYS}&limit=many&include_all_metadata=1`,
      'application/x-www-form-urlencoded',
    );
    await raw(
      slack,
      'chat.postMessage',
      `channel=${DEPLOYS}&text=x&unfurl_links=yes`,
      'application/x-www-form-urlencoded',
    );
    await raw(slack, 'chat.update', `channel=${DEPLOYS}&text=x`, 'application/x-www-form-urlencoded');
    await raw(
      slack,
      'chat.postMessage',
      JSON.stringify({ channel: DEPLOYS, text: 'x', blocks: 'not json' }),
      'application/json',
    );
    const found = slack.violations.slice(before).map((v) => `${v.method}: ${v.message}`);
    expect(found).toEqual([
      expect.stringMatching(/^conversations\.history: argument `limit` must be an integer, got "many"/),
      expect.stringMatching(/^chat\.postMessage: argument `unfurl_links` must be a boolean .*got "yes"/),
      expect.stringMatching(/^chat\.update: argument `ts` is required/),
      expect.stringMatching(/^chat\.postMessage: argument `blocks` must be JSON-encoded/),
    ]);
    expect(slack.requests.at(-4)!.undocumented).toEqual(['include_all_metadata']);
    expect(() => slack.assertNoViolations()).toThrow(/4 violation\(s\) of Slack's Web API description 1\.7\.0/);
    slack.violations.splice(before);
  });

  it('checks answers against the description too (so the stub cannot drift from Slack)', () => {
    const contract = new SlackContract(slackSpecPath());
    expect(contract.checkResponse('auth.test', { ok: true, url: 'https://x.slack.com/' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/must have required property 'team_id'/)]),
    );
    expect(
      contract.checkResponse('chat.postMessage', { ok: true, channel: 'C0DEPLOYS1', ts: '12.3', message: {} }),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^response\/ts must match pattern/)]));
    expect(contract.checkResponse('chat.postMessage', { ok: false, error: 'chanel_not_found' })).toEqual([
      expect.stringMatching(/^response\/error must be equal to one of the allowed values/),
    ]);
  });

  it('refuses a JSON body where the method takes none, and an unknown method', async () => {
    const before = slack.violations.length;
    await raw(slack, 'conversations.history', JSON.stringify({ channel: DEPLOYS }), 'application/json');
    await raw(slack, 'chat.postMessag', 'channel=x', 'application/x-www-form-urlencoded');
    expect(slack.violations.slice(before).map((v) => v.message)).toEqual([
      expect.stringMatching(/does not take JSON bodies/),
      "no method chat.postMessag in Slack's Web API description",
    ]);
    slack.violations.splice(before);
  });

  it.each([
    [
      '51 blocks',
      Array.from({ length: 51 }, () => section('x')),
      'no more than 50 items allowed [json-pointer:/blocks]',
    ],
    [
      'a 151-character header',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ],
    [
      'a 3001-character section',
      [section('x'.repeat(3001))],
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ],
    [
      'a mrkdwn header',
      [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }],
      'must be "plain_text" [json-pointer:/blocks/0/text/type]',
    ],
    [
      '11 context elements',
      [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'x' })) }],
      'no more than 10 items allowed [json-pointer:/blocks/0/elements]',
    ],
  ])('answers invalid_blocks like Slack for %s', async (_name, blocks, problem) => {
    expect(checkBlocks(blocks)).toEqual([problem]);
    const error = await client(slack)
      .chat.postMessage({ channel: DEPLOYS, text: 'x', blocks: blocks as any })
      .catch((e) => e);
    expect(error.data).toMatchObject({ ok: false, error: 'invalid_blocks', errors: [problem] });
    slack.assertNoViolations();
  });

  it('text: none at all is no_text, beyond 40 000 characters msg_too_long, blocks without it a violation', async () => {
    const web = client(slack);
    expect((await web.chat.postMessage({ channel: DEPLOYS, text: '' }).catch((e) => e)).data.error).toBe('no_text');
    const long = await web.chat.postMessage({ channel: DEPLOYS, text: 'x'.repeat(40_001) }).catch((e) => e);
    expect(long.data.error).toBe('msg_too_long');
    const before = slack.violations.length;
    await web.chat.postMessage({ channel: DEPLOYS, blocks: [section('no fallback')] } as any);
    expect(slack.violations.slice(before).map((v) => v.message)).toEqual([
      expect.stringMatching(/without a fallback `text`/),
    ]);
    slack.violations.splice(before);
  });

  it.each<[string, { token?: string; channel?: string }, string, string | undefined]>([
    ['a wrong token', { token: 'xoxb-wrong' }, 'invalid_auth', undefined],
    ['an unknown channel', { channel: 'C0UNKNOWN9' }, 'channel_not_found', undefined],
    ['a channel the bot is not in', { channel: 'C0NOTJOIN1' }, 'not_in_channel', undefined],
  ])('answers %s with %s', async (_name, change, error, needed) => {
    const web = client(slack, change.token ?? slack.token);
    const failure = await web.chat.postMessage({ channel: change.channel ?? DEPLOYS, text: 'x' }).catch((e) => e);
    expect(failure.data).toMatchObject({ ok: false, error, ...(needed ? { needed } : {}) });
    slack.assertNoViolations();
  });

  it('answers missing_scope with the scope needed, by channel type', async () => {
    const stub = await startSlackStub({
      scopes: ['chat:write', 'channels:history'],
      channels: [
        { id: DEPLOYS, name: 'deploys' },
        { id: 'G0PRIVATE1', name: 'secret' },
      ],
    });
    try {
      const web = client(stub);
      expect(await web.conversations.history({ channel: DEPLOYS })).toMatchObject({ ok: true });
      const failure = await web.conversations.history({ channel: 'G0PRIVATE1' }).catch((e) => e);
      expect(failure.data).toMatchObject({ error: 'missing_scope', needed: 'groups:history' });
      const list = await web.conversations.list({}).catch((e) => e);
      expect(list.data).toMatchObject({ error: 'missing_scope', needed: 'channels:read' });
      stub.assertNoViolations();
    } finally {
      await stub.close();
    }
  });

  it('injects 429 with Retry-After, 5xx and Slack errors per method and count', async () => {
    const web = client(slack);
    slack.injectFault('chat.postMessage', { kind: 'rate-limit', retryAfterSeconds: 1 });
    slack.injectFault('chat.postMessage', { kind: 'status', status: 503 }, 2);
    const started = Date.now();
    expect(await web.chat.postMessage({ channel: DEPLOYS, text: 'eventually' })).toMatchObject({ ok: true });
    const tries = slack.requests.filter((r) => r.method === 'chat.postMessage' && r.at >= started);
    expect(tries.map((r) => r.status)).toEqual([429, 503, 503, 200]);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);

    slack.injectFault('conversations.history', { kind: 'error', error: 'missing_scope', needed: 'channels:history' });
    const failure = await web.conversations.history({ channel: DEPLOYS }).catch((e) => e);
    expect(failure.data).toMatchObject({ error: 'missing_scope', needed: 'channels:history' });
    expect(() => slack.injectFault('chat.scheduleMessage' as any, { kind: 'status', status: 500 })).toThrow(
      /serves no method/,
    );
    slack.assertNoViolations();
  });

  it('takes incoming webhook posts: JSON, Block Kit checked, faults, a wrong secret refused', async () => {
    const post = (url: string, body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await post(slack.webhookUrl, { text: 'from the hook', blocks: [section('hook')] });
    expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
    expect(slack.messages(DEPLOYS).at(-1)).toMatchObject({ text: 'from the hook', via: 'webhook' });
    const bad = await post(slack.webhookUrl, { text: 'x', blocks: [section('x'.repeat(3001))] });
    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_blocks']);
    const wrong = await post(slack.webhookUrl.replace(/hooksecret$/, 'nope'), { text: 'x' });
    expect([wrong.status, await wrong.text()]).toEqual([403, 'invalid_token']);
    slack.injectFault('webhook', { kind: 'rate-limit', retryAfterSeconds: 2 });
    const limited = await post(slack.webhookUrl, { text: 'x' });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
    slack.assertNoViolations();
  });
});

describe('Slack stub without the description', () => {
  it('says where the description should be', async () => {
    await expect(startSlackStub({ specPath: '/nonexistent/slack.json' })).rejects.toThrow(
      /cannot read Slack's Web API description at \/nonexistent\/slack\.json .*tests skip when it is missing/,
    );
  });

  it('with specPath false serves the same methods, checks Block Kit, and records no contract violations', async () => {
    const slack = await startSlackStub({ specPath: false });
    try {
      const client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
      const posted = await client.chat.postMessage({ channel: 'C0DEPLOYS1', text: 'deployed', unfurl_links: false });
      expect(posted.ok).toBe(true);
      await client.chat.update({ channel: posted.channel!, ts: posted.ts!, text: 'rolled back' });
      expect(slack.messages(posted.channel!).map((m) => m.text)).toEqual(['rolled back']);
      await expect(
        client.chat.postMessage({
          channel: 'C0DEPLOYS1',
          text: 'x',
          blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(200) } }],
        }),
      ).rejects.toThrow(/invalid_blocks/);
      slack.assertNoViolations();
    } finally {
      await slack.close();
    }
  });
});
