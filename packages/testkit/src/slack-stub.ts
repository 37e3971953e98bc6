/**
 * Test-only: a local HTTP server speaking the parts of Slack's Web API that notifications use, plus an incoming
 * webhook. Every request's arguments and every response are checked against Slack's published Web API description
 * (OpenAPI 2.0, kept outside the repository at `../shared/specs/slack/`), so a client that sends a wrongly typed
 * argument, or a stub that answers what Slack never would, fails the test instead of passing silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describeErrors } from './openapi-contract.js';
import { repoRoot } from './run-action.js';

// ajv-formats is CommonJS; under ESM interop its callable export may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

const SPEC_FILE = 'slack_web_openapi_v2_without_examples.json';

/**
 * Where Slack's Web API description is expected: `../shared/specs/slack/` next to the repository root.
 * @returns the absolute path (which may not exist on a machine without the shared folder).
 */
export function slackSpecPath(): string {
  return resolve(repoRoot(), '..', 'shared', 'specs', 'slack', SPEC_FILE);
}

/**
 * Whether the Slack description is on this machine; tests `describe.skipIf(!slackSpecAvailable())` and say why.
 * @returns true when {@link slackSpecPath} exists.
 */
export function slackSpecAvailable(): boolean {
  return existsSync(slackSpecPath());
}

/** The Web API methods the stub serves. */
export const SLACK_METHODS = [
  'auth.test',
  'chat.postMessage',
  'chat.update',
  'chat.delete',
  'chat.getPermalink',
  'conversations.history',
  'conversations.replies',
  'conversations.list',
] as const;
export type SlackMethod = (typeof SLACK_METHODS)[number];

/** A channel the stub knows. */
export interface SlackChannelSeed {
  /** `C…` (public) or `G…` (private), at least 9 characters as Slack's ids are. */
  id: string;
  name: string;
  isPrivate?: boolean;
  /** Whether the bot was invited; posting or reading history elsewhere is `not_in_channel`. Default true. */
  member?: boolean;
  isArchived?: boolean;
}

/** Options for {@link startSlackStub}. */
export interface SlackStubOptions {
  /** The one bot token accepted; default `xoxb-0000000000-stub-token`. */
  token?: string;
  /** Scopes the token has; default `chat:write`, `channels:history`, `groups:history`, `channels:read`, `groups:read`. */
  scopes?: string[];
  /** Channels; default `C0DEPLOYS1` `#deploys` and `C0RELEASE2` `#releases`, the bot a member of both. */
  channels?: SlackChannelSeed[];
  /** Channel the incoming webhook posts to; default the first channel. */
  webhookChannel?: string;
  /**
   * Path to the description; default {@link slackSpecPath}. `false` serves without checking requests and responses
   * against it (Block Kit limits and scopes still apply): for the main job on a clone without ../shared.
   */
  specPath?: string | false;
}

/** A failure to inject instead of the normal answer. */
export type SlackFault =
  /** HTTP 429 with `Retry-After` (seconds), as Slack rate-limits. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  /** An HTTP error status (500, 502, 503…) with a short HTML-ish body, as Slack's edge answers. */
  | { kind: 'status'; status: number }
  /** HTTP 200 with `ok: false` and this error code (`invalid_auth`, `missing_scope` with `needed`…). */
  | { kind: 'error'; error: string; needed?: string };

/** One request the stub received. The token is never recorded. */
export interface SlackRequest {
  /** Web API method (`chat.postMessage`), or `webhook`. */
  method: string;
  httpMethod: string;
  contentType: string;
  /** Arguments from the query string and the body, JSON-encoded ones (blocks, metadata…) parsed. */
  args: Record<string, unknown>;
  /** How the token came: `bearer` header, `body`/`query` argument, or not at all. Never the token itself. */
  auth: { present: boolean; via?: 'bearer' | 'body' | 'query' };
  /** Arguments the description does not document (newer ones such as `metadata`); allowed, listed for tests. */
  undocumented: string[];
  status: number;
  /** Slack's `error` code when the answer was `ok: false` (or the webhook's error body). */
  error?: string;
  fault?: SlackFault['kind'];
  /** `Date.now()` when the request arrived. */
  at: number;
}

/** A place where the traffic disagreed with Slack's description or Block Kit's rules. */
export interface SlackViolation {
  method: string;
  message: string;
}

/** A message as the stub stores it. */
export interface StubSlackMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: Array<Record<string, unknown>>;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** `api` for chat.postMessage, `webhook` for the incoming webhook. */
  via: 'api' | 'webhook';
  /** How many times chat.update changed it. */
  edits: number;
}

/** A running Slack stub. */
export interface SlackStub {
  /** Web API base to pass as `slackApiUrl`, ending in `/api/`. */
  readonly url: string;
  /** The incoming webhook URL (its path is the secret). */
  readonly webhookUrl: string;
  readonly token: string;
  readonly requests: SlackRequest[];
  readonly violations: SlackViolation[];
  /** Top-level messages of a channel, oldest first (thread replies excluded). */
  messages(channel: string): StubSlackMessage[];
  /** Replies in a thread, oldest first (the parent excluded). */
  replies(channel: string, threadTs: string): StubSlackMessage[];
  /** Seeds a message (e.g. someone else's chatter, or an old deploy message). */
  addMessage(seed: Omit<StubSlackMessage, 'ts' | 'via' | 'edits'> & { ts?: string }): StubSlackMessage;
  /** Makes the next `times` requests to `method` (`chat.update`, `webhook`, or `*`) fail with `fault`. */
  injectFault(method: SlackMethod | 'webhook' | '*', fault: SlackFault, times?: number): void;
  /** Throws one error listing every violation seen so far. */
  assertNoViolations(): void;
  close(): Promise<void>;
}

interface SwaggerParameter {
  in: 'header' | 'query' | 'formData' | 'body' | 'path';
  name: string;
  required?: boolean;
  type?: 'string' | 'boolean' | 'number' | 'integer';
}

interface SwaggerOperation {
  consumes?: string[];
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: Record<string, unknown> }>;
  security?: Array<Record<string, string[]>>;
}

interface SlackSpec {
  info: { version: string };
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, Record<string, unknown>>;
}

/** Arguments Slack documents as `string` that carry JSON: a JSON body may send them structured. */
const JSON_ARGS = new Set(['blocks', 'attachments', 'metadata']);

/**
 * Error codes Slack answers that the description (v1.7.0, older than Block Kit validation and metadata) does not
 * list for every method. The description says its error lists are not exhaustive; these are the ones this stub
 * answers, allowed everywhere so the check still catches a misspelt code.
 */
const NEWER_ERRORS = [
  'ratelimited',
  'missing_scope',
  'not_in_channel',
  'channel_not_found',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_metadata_format',
  'msg_too_long',
  'no_text',
  'invalid_auth',
  'not_authed',
  'is_archived',
  'message_not_found',
  'thread_not_found',
];

/**
 * Corrections to the description, each one a place where it contradicts what Slack answers today. Kept small and
 * named so that everything else of the description is enforced as written.
 */
function correctSpec(spec: SlackSpec): void {
  const message = spec.definitions.objs_message as { properties: Record<string, unknown> };
  // Message metadata (2022) and app ids postdate the description.
  message.properties.metadata = {
    type: 'object',
    properties: { event_type: { type: 'string' }, event_payload: { type: 'object' } },
    required: ['event_type', 'event_payload'],
  };
  message.properties.app_id = { type: 'string' };
  const responseMetadata = {
    type: 'object',
    properties: { next_cursor: { type: 'string' }, warnings: { type: 'array', items: { type: 'string' } } },
  };
  for (const [path, method] of Object.entries(spec.paths)) {
    for (const operation of Object.values(method)) {
      const success = operation.responses['200']?.schema as { properties?: Record<string, any> } | undefined;
      if (success?.properties) {
        // Cursor pagination (history, replies) and warnings postdate the description.
        success.properties.response_metadata ??= responseMetadata;
        // An empty channel's history is `messages: []`, not an error, whatever `minItems: 1` says.
        if (path === '/conversations.history') delete success.properties.messages.minItems;
        // chat.update answers the message's blocks as the array they are.
        if (path === '/chat.update') success.properties.message.properties.blocks = { type: 'array' };
      }
      const failure = operation.responses.default?.schema as { properties?: Record<string, any> } | undefined;
      if (failure?.properties) {
        const error = failure.properties.error as { enum?: string[] };
        if (error?.enum) error.enum = [...new Set([...error.enum, ...NEWER_ERRORS])];
        failure.properties.needed ??= { type: 'string' };
        failure.properties.provided ??= { type: 'string' };
        // invalid_blocks names each problem in `errors` and `response_metadata.messages`.
        failure.properties.errors ??= { type: 'array', items: { type: 'string' } };
        failure.properties.response_metadata ??= {
          type: 'object',
          properties: { messages: { type: 'array', items: { type: 'string' } } },
        };
      }
    }
  }
}

/** `$ref: '#/definitions/x'` inside an operation schema points into the shared definitions schema. */
function rebaseRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebaseRefs);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node)) {
    copy[name] =
      name === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `slack-web${value}` : rebaseRefs(value);
  }
  return copy;
}

/** Slack's Web API contract for the served methods, read from the description with a few named corrections. */
export class SlackContract {
  readonly version: string;
  readonly documentedMethods: Set<string>;
  private readonly operations = new Map<string, SwaggerOperation>();
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  /** False when built without the description (`specPath: false`): nothing is checked but Block Kit and scopes. */
  readonly checked: boolean;

  constructor(specPath: string | false) {
    this.checked = specPath !== false;
    if (specPath === false) {
      // Without the description (a clone without ../shared): serve the same methods, check nothing against it.
      this.version = 'unchecked';
      this.documentedMethods = new Set(SLACK_METHODS);
      for (const method of SLACK_METHODS)
        this.operations.set(method, {
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          security: [{ slackAuth: method.startsWith('chat.') && method !== 'chat.getPermalink' ? ['chat:write'] : [] }],
          responses: {},
        });
      this.ajv = new Ajv();
      return;
    }
    let spec: SlackSpec;
    try {
      spec = JSON.parse(readFileSync(specPath, 'utf8')) as SlackSpec;
    } catch (error) {
      throw new Error(
        `Slack stub: cannot read Slack's Web API description at ${specPath} (${(error as Error).message}). ` +
          'It lives outside the repository in ../shared/specs/slack/; tests skip when it is missing.',
      );
    }
    correctSpec(spec);
    this.version = spec.info.version;
    for (const method of SLACK_METHODS) {
      const item = spec.paths[`/${method}`];
      const operation = item && (item.post ?? item.get);
      if (!operation) throw new Error(`Slack stub: the description documents no ${method}; is ${specPath} complete?`);
      this.operations.set(method, operation);
    }
    this.documentedMethods = new Set(Object.keys(spec.paths).map((p) => p.slice(1)));
    // strict off: the description uses Swagger keywords (title on $ref siblings, tuple items) ajv would refuse.
    this.ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
    this.ajv.addSchema({ $id: 'slack-web', definitions: spec.definitions });
  }

  operation(method: string): SwaggerOperation {
    return this.operations.get(method)!;
  }

  /** The scopes the description says the method needs (any one of them), `none` removed. */
  scopes(method: string): string[] {
    return (this.operation(method).security ?? []).flatMap((s) => s.slackAuth ?? []).filter((s) => s !== 'none');
  }

  /**
   * Checks the arguments against the documented parameters: documented ones must have their type (a form value is
   * text, so `boolean` means `true`/`false`/`1`/`0`, `number` a decimal), required ones must be there; undocumented
   * ones are returned, not refused, because the description predates metadata and other newer arguments.
   */
  checkArguments(
    method: string,
    args: Record<string, unknown>,
    json: boolean,
  ): { problems: string[]; undocumented: string[] } {
    if (!this.checked) return { problems: [], undocumented: [] };
    const operation = this.operation(method);
    const documented = new Map(
      (operation.parameters ?? []).filter((p) => p.name !== 'token').map((p) => [p.name, p] as const),
    );
    const problems: string[] = [];
    for (const parameter of documented.values())
      if (parameter.required && args[parameter.name] === undefined)
        problems.push(`argument \`${parameter.name}\` is required`);
    const undocumented: string[] = [];
    for (const [name, value] of Object.entries(args)) {
      const parameter = documented.get(name);
      if (!parameter) {
        undocumented.push(name);
        continue;
      }
      const problem = typeProblem(parameter.type ?? 'string', value, json, JSON_ARGS.has(name));
      if (problem) problems.push(`argument \`${name}\` ${problem}`);
    }
    return { problems, undocumented };
  }

  /**
   * Validates an answer against the documented success (`ok: true`) or error schema of the method.
   * @param method a served method.
   * @param body the JSON answer.
   * @returns one line per disagreement; empty when the answer conforms.
   */
  checkResponse(method: string, body: Record<string, unknown>): string[] {
    if (!this.checked) return [];
    const key = `${method}#${body.ok === true ? '200' : 'default'}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const schema = this.operation(method).responses[body.ok === true ? '200' : 'default']?.schema;
      if (!schema) return [`the description documents no ${body.ok === true ? 'success' : 'error'} response`];
      validate = this.ajv.compile(rebaseRefs(schema) as Record<string, unknown>);
      this.validators.set(key, validate);
    }
    return validate(body) ? [] : describeErrors('response', validate.errors);
  }
}

function typeProblem(type: string, value: unknown, json: boolean, jsonEncoded: boolean): string | undefined {
  if (jsonEncoded) {
    if (json && typeof value === 'object') return undefined;
    if (typeof value !== 'string') return `must be a JSON-encoded string, got ${typeof value}`;
    try {
      JSON.parse(value);
    } catch {
      return 'must be JSON-encoded';
    }
    return undefined;
  }
  const text = typeof value === 'string' ? value : undefined;
  switch (type) {
    case 'boolean':
      if (typeof value === 'boolean' || (text !== undefined && /^(true|false|1|0)$/.test(text))) return undefined;
      return `must be a boolean (true/false/1/0), got ${JSON.stringify(value)}`;
    case 'number':
      if (typeof value === 'number' || (text !== undefined && /^-?\d+(\.\d+)?$/.test(text))) return undefined;
      return `must be a number, got ${JSON.stringify(value)}`;
    case 'integer':
      if (Number.isInteger(value) || (text !== undefined && /^-?\d+$/.test(text))) return undefined;
      return `must be an integer, got ${JSON.stringify(value)}`;
    default:
      if (typeof value === 'string' || (!json && typeof value !== 'object')) return undefined;
      return `must be a string, got ${typeof value}`;
  }
}

/** Slack's Block Kit limits the stub enforces, answering `invalid_blocks` as Slack does. */
export const BLOCK_KIT_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  blockId: 255,
  /** `text` beyond this is `msg_too_long`. */
  messageText: 40_000,
} as const;

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'video',
]);

/**
 * Block Kit's rules for message blocks, with Slack's own wording (`must be less than 151 characters
 * [json-pointer:/blocks/0/text/text]`). Lengths are UTF-16 code units, the stricter of the two ways to count.
 * @param blocks the `blocks` argument, parsed.
 * @returns one line per problem; empty when Slack would accept the blocks.
 */
export function checkBlocks(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['must be an array [json-pointer:/blocks]'];
  const problems: string[] = [];
  const at = (pointer: string, message: string) => problems.push(`${message} [json-pointer:/blocks${pointer}]`);
  if (blocks.length > BLOCK_KIT_LIMITS.blocks) at('', `no more than ${BLOCK_KIT_LIMITS.blocks} items allowed`);
  const textObject = (value: any, pointer: string, max: number, plainOnly = false) => {
    if (typeof value !== 'object' || value === null) return at(pointer, 'must provide an object');
    if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn'))
      return at(`${pointer}/type`, `must be ${plainOnly ? '"plain_text"' : '"plain_text" or "mrkdwn"'}`);
    if (typeof value.text !== 'string' || value.text.length === 0)
      return at(`${pointer}/text`, 'must be more than 0 characters');
    if (value.text.length > max) at(`${pointer}/text`, `must be less than ${max + 1} characters`);
  };
  const ids = new Set<string>();
  blocks.forEach((block: any, index) => {
    const pointer = `/${index}`;
    if (typeof block !== 'object' || block === null || typeof block.type !== 'string')
      return at(pointer, 'must provide an object with a type');
    if (!BLOCK_TYPES.has(block.type)) return at(`${pointer}/type`, `unknown block type "${block.type}"`);
    if (block.block_id !== undefined) {
      if (String(block.block_id).length > BLOCK_KIT_LIMITS.blockId)
        at(`${pointer}/block_id`, `must be less than ${BLOCK_KIT_LIMITS.blockId + 1} characters`);
      if (ids.has(block.block_id)) at(`${pointer}/block_id`, 'must be unique');
      ids.add(block.block_id);
    }
    if (block.type === 'header') textObject(block.text, `${pointer}/text`, BLOCK_KIT_LIMITS.headerText, true);
    if (block.type === 'section') {
      if (block.text === undefined && block.fields === undefined) at(pointer, 'must provide `text` or `fields`');
      if (block.text !== undefined) textObject(block.text, `${pointer}/text`, BLOCK_KIT_LIMITS.sectionText);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) at(`${pointer}/fields`, 'must be an array');
        else {
          if (block.fields.length > BLOCK_KIT_LIMITS.sectionFields)
            at(`${pointer}/fields`, `no more than ${BLOCK_KIT_LIMITS.sectionFields} items allowed`);
          block.fields.forEach((f: unknown, i: number) =>
            textObject(f, `${pointer}/fields/${i}`, BLOCK_KIT_LIMITS.fieldText),
          );
        }
      }
    }
    if (block.type === 'context') {
      if (!Array.isArray(block.elements) || block.elements.length === 0)
        at(`${pointer}/elements`, 'must provide at least 1 item');
      else {
        if (block.elements.length > BLOCK_KIT_LIMITS.contextElements)
          at(`${pointer}/elements`, `no more than ${BLOCK_KIT_LIMITS.contextElements} items allowed`);
        block.elements.forEach((e: any, i: number) => {
          if (e?.type === 'plain_text' || e?.type === 'mrkdwn')
            textObject(e, `${pointer}/elements/${i}`, BLOCK_KIT_LIMITS.sectionText);
          else if (e?.type !== 'image')
            at(`${pointer}/elements/${i}/type`, 'must be "image", "plain_text" or "mrkdwn"');
        });
      }
    }
  });
  return problems;
}

interface Answer {
  status: number;
  body: Record<string, unknown> | string;
  headers?: Record<string, string>;
}

const SCOPES = ['chat:write', 'channels:history', 'groups:history', 'channels:read', 'groups:read'];
const TEAM = { id: 'T0STUBTEAM', name: 'Myco Stub', domain: 'myco-stub' };
const BOT = { userId: 'U0STUBBOT1', botId: 'B0STUBBOT01' };

function parseArgs(text: string, args: Record<string, unknown>): void {
  for (const [name, value] of new URLSearchParams(text)) args[name] = value;
}

function jsonArg(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

const isTrue = (value: unknown) => value === true || value === 'true' || value === '1';

/**
 * Starts a Slack Web API stub on 127.0.0.1 (random port): auth.test, chat.postMessage/update/delete/getPermalink,
 * conversations.history/replies/list and an incoming webhook, with channels, threads and message metadata in memory,
 * scopes and channel membership enforced, Block Kit limits checked, and faults (429 with Retry-After, 5xx, Slack
 * errors) injected per method.
 * @param options token, scopes, channels.
 * @returns the running stub; `close()` it after the test.
 * @example
 * const slack = await startSlackStub();
 * const client = new WebClient(slack.token, { slackApiUrl: slack.url });
 * await client.chat.postMessage({ channel: 'C0DEPLOYS1', text: 'hi' });
 * slack.assertNoViolations();
 */
export async function startSlackStub(options: SlackStubOptions = {}): Promise<SlackStub> {
  const contract = new SlackContract(options.specPath ?? slackSpecPath());
  const token = options.token ?? 'xoxb-0000000000-stub-token';
  const scopes = new Set(options.scopes ?? SCOPES);
  const channels = (
    options.channels ?? [
      { id: 'C0DEPLOYS1', name: 'deploys' },
      { id: 'C0RELEASE2', name: 'releases' },
    ]
  ).map((c) => ({ member: true, isPrivate: c.id.startsWith('G'), isArchived: false, ...c }));
  const webhookChannel = options.webhookChannel ?? channels[0]?.id;
  const webhookPath = `/services/${TEAM.id}/B0HOOK0001/${Math.random().toString(36).slice(2)}hooksecret`;
  const requests: SlackRequest[] = [];
  const violations: SlackViolation[] = [];
  const faults: { method: string; fault: SlackFault; remaining: number }[] = [];
  const store: StubSlackMessage[] = [];
  const second = Math.floor(Date.now() / 1000) - 3600;
  let sequence = 0;
  const nextTs = () => {
    sequence++;
    return `${second + Math.floor(sequence / 1_000_000)}.${String(sequence % 1_000_000).padStart(6, '0')}`;
  };
  let origin = '';

  const violate = (method: string, message: string) => violations.push({ method, message });
  const takeFault = (method: string) => {
    const index = faults.findIndex((f) => f.remaining > 0 && (f.method === '*' || f.method === method));
    if (index < 0) return undefined;
    const entry = faults[index];
    if (--entry.remaining === 0) faults.splice(index, 1);
    return entry.fault;
  };
  const failure = (error: string, extra: Record<string, unknown> = {}): Answer => ({
    status: 200,
    body: { ok: false, error, ...extra },
  });
  const channelOf = (id: unknown) => channels.find((c) => c.id === id);
  const messageJson = (m: StubSlackMessage, withMetadata: boolean) => {
    const replies = store.filter((r) => r.channel === m.channel && r.threadTs === m.ts && r.ts !== m.ts);
    return {
      type: 'message',
      ...(m.via === 'webhook' ? { subtype: 'bot_message' } : { user: BOT.userId }),
      bot_id: BOT.botId,
      app_id: 'A0STUBAPP1',
      text: m.text,
      ts: m.ts,
      team: TEAM.id,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      ...(replies.length
        ? {
            thread_ts: m.ts,
            reply_count: replies.length,
            reply_users_count: 1,
            reply_users: [BOT.userId],
            latest_reply: replies.at(-1)!.ts,
          }
        : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  };

  /** Block Kit and text checks shared by chat.postMessage, chat.update and the webhook; undefined when fine. */
  function checkContent(
    method: string,
    args: Record<string, unknown>,
  ): { error: string; errors?: string[] } | undefined {
    const text = typeof args.text === 'string' ? args.text : undefined;
    if (args.blocks === undefined && !text) return { error: 'no_text' };
    if (text !== undefined && text.length > BLOCK_KIT_LIMITS.messageText) return { error: 'msg_too_long' };
    if (args.blocks !== undefined) {
      const blocks = jsonArg(args.blocks);
      if (blocks === undefined) return { error: 'invalid_blocks_format' };
      const problems = checkBlocks(blocks);
      if (problems.length) return { error: 'invalid_blocks', errors: problems };
      // Slack accepts blocks without `text`, but then notifications and screen readers show nothing useful.
      if (!text)
        violate(
          method,
          'blocks without a fallback `text`: notifications would read "This content can\'t be displayed"',
        );
    }
    return undefined;
  }

  function metadataOf(args: Record<string, unknown>): StubSlackMessage['metadata'] | 'invalid' | undefined {
    if (args.metadata === undefined) return undefined;
    const value = jsonArg(args.metadata) as any;
    if (typeof value?.event_type !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(value.event_type)) return 'invalid';
    if (typeof value.event_payload !== 'object' || value.event_payload === null) return 'invalid';
    return { event_type: value.event_type, event_payload: value.event_payload };
  }

  /** Slack's answer to text, blocks or metadata it would not take (invalid_blocks lists each problem). */
  function refuseContent(method: string, args: Record<string, unknown>): Answer | undefined {
    const problem = checkContent(method, args);
    if (problem?.errors)
      return failure(problem.error, {
        errors: problem.errors,
        response_metadata: { messages: problem.errors.map((e) => `[ERROR] ${e}`) },
      });
    if (problem) return failure(problem.error);
    if (metadataOf(args) === 'invalid') return failure('invalid_metadata_format');
    return undefined;
  }

  function page<T>(items: T[], args: Record<string, unknown>, max: number) {
    const limit = Math.min(max, Math.max(1, Number(args.limit ?? 100) || 100));
    const offset = args.cursor
      ? Number(
          Buffer.from(String(args.cursor), 'base64')
            .toString()
            .replace(/^offset:/, ''),
        )
      : 0;
    const slice = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    return {
      slice,
      more,
      next: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '',
    };
  }

  function methodAnswer(method: SlackMethod, args: Record<string, unknown>): Answer {
    const channel = channelOf(args.channel);
    // Reading a channel needs the scope of its type, as Slack's own `needed` says.
    const reads = method === 'conversations.history' || method === 'conversations.replies';
    const needed = reads
      ? [channel?.isPrivate ? 'groups:history' : 'channels:history']
      : contract.scopes(method).map((s) => s.replace(/:(user|bot)$/, ''));
    if (needed.length && !needed.some((s) => scopes.has(s)))
      return failure('missing_scope', { needed: needed[0], provided: [...scopes].join(',') });
    const needsChannel = method !== 'auth.test' && method !== 'conversations.list';
    if (needsChannel && !channel) return failure('channel_not_found');
    if (
      needsChannel &&
      channel &&
      !channel.member &&
      !(method === 'chat.postMessage' && scopes.has('chat:write.public') && !channel.isPrivate)
    )
      return failure('not_in_channel');
    const inChannel = (ts: unknown) => store.find((m) => m.channel === channel?.id && m.ts === ts);

    switch (method) {
      case 'auth.test':
        return {
          status: 200,
          body: {
            ok: true,
            url: `https://${TEAM.domain}.slack.com/`,
            team: TEAM.name,
            user: 'myco-gates',
            team_id: TEAM.id,
            user_id: BOT.userId,
            bot_id: BOT.botId,
            is_enterprise_install: false,
          },
        };
      case 'chat.postMessage': {
        if (channel!.isArchived) return failure('is_archived');
        const refused = refuseContent(method, args);
        if (refused) return refused;
        const metadata = metadataOf(args) as StubSlackMessage['metadata'];
        const threadTs = args.thread_ts === undefined ? undefined : String(args.thread_ts);
        if (threadTs && !inChannel(threadTs)) return failure('thread_not_found');
        const message: StubSlackMessage = {
          channel: channel!.id,
          ts: nextTs(),
          threadTs,
          text: String(args.text ?? ''),
          blocks: args.blocks === undefined ? undefined : (jsonArg(args.blocks) as StubSlackMessage['blocks']),
          metadata,
          via: 'api',
          edits: 0,
        };
        store.push(message);
        return {
          status: 200,
          body: { ok: true, channel: channel!.id, ts: message.ts, message: messageJson(message, true) },
        };
      }
      case 'chat.update': {
        const message = inChannel(args.ts);
        if (!message) return failure('message_not_found');
        const refused = refuseContent(method, args);
        if (refused) return refused;
        const metadata = metadataOf(args) as StubSlackMessage['metadata'];
        if (args.text !== undefined) message.text = String(args.text);
        if (args.blocks !== undefined) message.blocks = jsonArg(args.blocks) as StubSlackMessage['blocks'];
        if (metadata) message.metadata = metadata;
        message.edits++;
        return {
          status: 200,
          body: {
            ok: true,
            channel: channel!.id,
            ts: message.ts,
            text: message.text,
            message: { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) },
          },
        };
      }
      case 'chat.delete': {
        const message = inChannel(args.ts);
        if (!message) return failure('message_not_found');
        store.splice(store.indexOf(message), 1);
        return { status: 200, body: { ok: true, channel: channel!.id, ts: message.ts } };
      }
      case 'chat.getPermalink': {
        const message = inChannel(args.message_ts);
        if (!message) return failure('message_not_found');
        const thread = message.threadTs ? `?thread_ts=${message.threadTs}&cid=${channel!.id}` : '';
        return {
          status: 200,
          body: {
            ok: true,
            channel: channel!.id,
            permalink: `https://${TEAM.domain}.slack.com/archives/${channel!.id}/p${message.ts.replace('.', '')}${thread}`,
          },
        };
      }
      case 'conversations.history': {
        const oldest = args.oldest === undefined ? -Infinity : Number(args.oldest);
        const latest = args.latest === undefined ? Infinity : Number(args.latest);
        const inclusive = isTrue(args.inclusive);
        const top = store
          .filter((m) => m.channel === channel!.id && (!m.threadTs || m.threadTs === m.ts))
          .filter((m) => {
            const ts = Number(m.ts);
            return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
          })
          .sort((a, b) => Number(b.ts) - Number(a.ts));
        const { slice, more, next } = page(top, args, 999);
        return {
          status: 200,
          body: {
            ok: true,
            messages: slice.map((m) => messageJson(m, isTrue(args.include_all_metadata))),
            has_more: more,
            pin_count: 0,
            channel_actions_ts: null,
            channel_actions_count: 0,
            ...(more ? { response_metadata: { next_cursor: next } } : {}),
          },
        };
      }
      case 'conversations.replies': {
        const parent = inChannel(args.ts);
        if (!parent) return failure('thread_not_found');
        const thread = [
          parent,
          ...store
            .filter((m) => m.channel === channel!.id && m.threadTs === parent.ts && m !== parent)
            .sort((a, b) => Number(a.ts) - Number(b.ts)),
        ];
        const { slice, more, next } = page(thread, args, 1000);
        return {
          status: 200,
          body: {
            ok: true,
            messages: slice.map((m) => messageJson(m, isTrue(args.include_all_metadata))),
            has_more: more,
            ...(more ? { response_metadata: { next_cursor: next } } : {}),
          },
        };
      }
      case 'conversations.list': {
        const types = String(args.types ?? 'public_channel').split(',');
        const listed = channels
          .filter((c) => types.includes(c.isPrivate ? 'private_channel' : 'public_channel'))
          .filter((c) => (c.isPrivate ? scopes.has('groups:read') : scopes.has('channels:read')))
          .filter((c) => !(isTrue(args.exclude_archived) && c.isArchived));
        const { slice, next } = page(listed, args, 1000);
        return {
          status: 200,
          body: {
            ok: true,
            channels: slice.map((c) => ({
              id: c.id,
              name: c.name,
              is_channel: !c.isPrivate,
              is_group: false,
              is_private: c.isPrivate,
              is_archived: c.isArchived,
              is_member: c.member,
              created: second,
            })),
            response_metadata: { next_cursor: next },
          },
        };
      }
    }
  }

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(response: ServerResponse, record: SlackRequest, answer: Answer): void {
    record.status = answer.status;
    if (typeof answer.body === 'object' && answer.body.ok === false) record.error = String(answer.body.error);
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    response
      .writeHead(answer.status, {
        'content-type':
          typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        ...answer.headers,
      })
      .end(text);
  }

  function faultAnswer(fault: SlackFault): Answer {
    if (fault.kind === 'rate-limit')
      return {
        status: 429,
        headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        body: { ok: false, error: 'ratelimited' },
      };
    if (fault.kind === 'status')
      return { status: fault.status, body: `<html><body>${fault.status} Server Error</body></html>` };
    return failure(fault.error, fault.needed ? { needed: fault.needed, provided: [...scopes].join(',') } : {});
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', origin);
    const raw = await readBody(request);
    const contentType = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const json = contentType === 'application/json';
    const args: Record<string, unknown> = {};
    parseArgs(url.search.slice(1), args);
    let jsonProblem: string | undefined;
    if (json) {
      try {
        const parsed = JSON.parse(raw || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) jsonProblem = 'json_not_object';
        else Object.assign(args, parsed);
      } catch {
        jsonProblem = 'invalid_json';
      }
    } else if (raw) parseArgs(raw, args);

    const authorization = String(request.headers.authorization ?? '');
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
    const given = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const via: SlackRequest['auth']['via'] = bearer
      ? 'bearer'
      : args.token === undefined
        ? undefined
        : url.searchParams.has('token')
          ? 'query'
          : 'body';
    delete args.token;
    const recorded: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(args))
      recorded[name] = JSON_ARGS.has(name) ? (jsonArg(value) ?? value) : value;

    const isWebhook = url.pathname.startsWith('/services/');
    const method = isWebhook ? 'webhook' : url.pathname.replace(/^\/api\//, '');
    const record: SlackRequest = {
      method,
      httpMethod: request.method ?? 'GET',
      contentType,
      args: recorded,
      auth: { present: given !== undefined, via },
      undocumented: [],
      status: 0,
      at: Date.now(),
    };
    requests.push(record);

    if (isWebhook) {
      if (request.method !== 'POST') return send(response, record, { status: 405, body: 'invalid_method' });
      const fault = takeFault('webhook');
      if (fault) {
        record.fault = fault.kind;
        const answer = faultAnswer(fault);
        return send(
          response,
          record,
          typeof answer.body === 'object' ? { ...answer, body: String(answer.body.error) } : answer,
        );
      }
      if (url.pathname !== webhookPath) return send(response, record, { status: 403, body: 'invalid_token' });
      if (!json) violate('webhook', `incoming webhooks take a JSON body; got ${contentType || 'no content type'}`);
      if (jsonProblem) return send(response, record, { status: 400, body: 'invalid_payload' });
      const problem = checkContent('webhook', args);
      if (problem) {
        record.error = problem.error;
        return send(response, record, { status: 400, body: problem.error });
      }
      store.push({
        channel: webhookChannel,
        ts: nextTs(),
        text: String(args.text ?? ''),
        blocks: args.blocks === undefined ? undefined : (jsonArg(args.blocks) as StubSlackMessage['blocks']),
        via: 'webhook',
        edits: 0,
      });
      return send(response, record, { status: 200, body: 'ok' });
    }

    if (!(SLACK_METHODS as readonly string[]).includes(method)) {
      violate(
        method,
        contract.documentedMethods.has(method)
          ? `${method} is documented but the Slack stub does not serve it; add it to packages/testkit/src/slack-stub.ts`
          : `no method ${method} in Slack's Web API description`,
      );
      return send(response, record, { status: 404, body: { ok: false, error: 'unknown_method' } });
    }
    const slackMethod = method as SlackMethod;
    const operation = contract.operation(slackMethod);
    if (request.method !== 'POST' && request.method !== 'GET')
      return send(response, record, failure('invalid_post_type'));
    if (json && !(operation.consumes ?? []).includes('application/json'))
      violate(method, `${method} does not take JSON bodies (consumes: ${(operation.consumes ?? []).join(', ')})`);
    if (json && !bearer) violate(method, 'a JSON body needs the token in an `Authorization: Bearer` header');
    if (jsonProblem) return send(response, record, failure(jsonProblem));

    const { problems, undocumented } = contract.checkArguments(slackMethod, args, json);
    record.undocumented = undocumented;
    for (const problem of problems) violate(method, `${problem} (Slack Web API description ${contract.version})`);

    const fault = takeFault(method);
    if (fault) {
      record.fault = fault.kind;
      // Injected faults are answered as Slack would, but are not response-checked: 5xx bodies are off-contract.
      return send(response, record, faultAnswer(fault));
    }
    const answer =
      given === undefined
        ? failure('not_authed')
        : given !== token
          ? failure('invalid_auth')
          : methodAnswer(slackMethod, args);
    if (typeof answer.body === 'object')
      for (const problem of contract.checkResponse(method, answer.body))
        violate(method, `stub answer disagrees with the description: ${problem}`);
    send(response, record, answer);
  }

  /** Copies of the stored messages that match, oldest first. */
  const snapshot = (keep: (m: StubSlackMessage) => boolean) =>
    store
      .filter(keep)
      .sort((a, b) => Number(a.ts) - Number(b.ts))
      .map((m) => structuredClone(m));

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      violations.push({
        method: request.url ?? '/',
        message: `stub crashed: ${(error as Error).stack ?? String(error)}`,
      });
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/api/`,
    webhookUrl: `${origin}${webhookPath}`,
    token,
    requests,
    violations,
    messages(channel) {
      return snapshot((m) => m.channel === channel && (!m.threadTs || m.threadTs === m.ts));
    },
    replies(channel, threadTs) {
      return snapshot((m) => m.channel === channel && m.threadTs === threadTs && m.ts !== threadTs);
    },
    addMessage(seed) {
      const message: StubSlackMessage = { ...seed, ts: seed.ts ?? nextTs(), via: 'api', edits: 0 };
      store.push(message);
      return structuredClone(message);
    },
    injectFault(method, fault, times = 1) {
      if (method !== '*' && method !== 'webhook' && !(SLACK_METHODS as readonly string[]).includes(method))
        throw new Error(
          `injectFault: the Slack stub serves no method "${method}"; it serves ${SLACK_METHODS.join(', ')}, webhook`,
        );
      if (!Number.isInteger(times) || times < 1)
        throw new Error(`injectFault: times must be a positive integer, got ${times}`);
      faults.push({ method, fault, remaining: times });
    },
    assertNoViolations() {
      if (violations.length === 0) return;
      throw new Error(
        `The Slack stub saw ${violations.length} violation(s) of Slack's Web API description ${contract.version} or Block Kit:\n` +
          violations.map((v) => `- ${v.method}: ${v.message}`).join('\n'),
      );
    },
    close() {
      return new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      });
    },
  };
}
