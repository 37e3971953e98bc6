import type { Check, GateReport, Status } from '@myco-gates/core';

/** Slack's documented limits, checked before sending so a message never fails with `invalid_blocks`. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerChars: 150,
  sectionChars: 3000,
  contextElements: 10,
  /** Slack truncates `text` beyond 40 000 characters; notifications show far less, so we keep it short. */
  fallbackChars: 3000,
} as const;

/** What the run is about: repository, commit, run, pull request and environment. */
export interface DeployContext {
  /** `owner/repo`. */
  repository: string;
  serverUrl: string;
  sha: string;
  /** Branch or tag name. */
  ref?: string;
  actor?: string;
  workflow?: string;
  runId?: number;
  runUrl?: string;
  pullRequest?: { number: number; url: string; title?: string };
  environment?: string;
  environmentUrl?: string;
}

/** The deploy's overall state, from every report seen so far. */
export type Verdict = 'in-progress' | 'deployed' | 'warnings' | 'failed' | 'rolled-back' | 'rollback-failed' | 'error';

/** A Block Kit block, as Slack's API takes it. */
export type Block = Record<string, unknown> & { type: string };

/** One Slack message: the fallback text (notifications, screen readers) and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** The main message, plus one thread reply per report with the details. */
export interface DeployMessage extends SlackMessage {
  verdict: Verdict;
  /** One per report, keyed by gate (and comment id), so a later step updates its own reply. */
  details: Array<SlackMessage & { id: string }>;
}

const ICON: Record<Verdict, string> = {
  'in-progress': '🚀',
  deployed: '✅',
  warnings: '⚠️',
  failed: '❌',
  'rolled-back': '❌',
  'rollback-failed': '🚨',
  error: '💥',
};
const STATUS_ICON: Record<Status, string> = { pass: '✅', warn: '⚠️', fail: '❌', inconclusive: '❔', error: '💥' };
const GATE_TITLE: Record<string, string> = {
  coverage: 'Coverage',
  contract: 'API contract',
  slo: 'SLOs',
  rollback: 'Rollback',
};

/** Where each gate runs in a deploy, so the message reads in the order things happened. */
const GATE_ORDER = ['coverage', 'contract', 'slo', 'rollback'];

/** The reports in pipeline order (unknown gates after the known ones, in the order given). */
function inPipelineOrder(reports: readonly GateReport[]): GateReport[] {
  const rank = (r: GateReport) => {
    const index = GATE_ORDER.indexOf(r.gate);
    return index < 0 ? GATE_ORDER.length : index;
  };
  return reports
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
}

/** The verdicts that page someone (`mention-on-failure`). */
export const ALARMING: readonly Verdict[] = ['failed', 'rolled-back', 'rollback-failed', 'error'];

const rolledBack = (r: GateReport) => r.gate === 'rollback' && r.facts?.['rolled-back'] === 'true';

/**
 * The deploy's verdict from the reports of every gate that ran: a rollback that happened wins (it is the news), then
 * the worst status. No report yet is a deploy in progress.
 * @param reports the gates' reports.
 * @returns the verdict.
 */
export function decideVerdict(reports: readonly GateReport[]): Verdict {
  if (!reports.length) return 'in-progress';
  const rollback = reports.find((r) => r.gate === 'rollback' && (rolledBack(r) || r.status === 'fail'));
  if (rollback) return rollback.status === 'pass' || rollback.status === 'warn' ? 'rolled-back' : 'rollback-failed';
  const statuses = new Set(reports.map((r) => r.status));
  if (statuses.has('error')) return 'error';
  if (statuses.has('fail')) return 'failed';
  if (statuses.has('warn') || statuses.has('inconclusive')) return 'warnings';
  return 'deployed';
}

/**
 * Escapes text for Slack mrkdwn: only `&`, `<` and `>` are control characters.
 * @param text plain text.
 * @returns text safe inside a mrkdwn field.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts `text` to at most `max` UTF-16 code units (the stricter of the ways Slack's limits may be counted), ending with
 * `…` when it was longer, never splitting an emoji's surrogate pair.
 * @param text any text.
 * @param max the limit.
 * @returns the text, or its cut.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = '';
  for (const char of text) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  return `${cut}…`;
}

const link = (url: string | undefined, label: string) =>
  url ? `<${url}|${escapeMrkdwn(label)}>` : escapeMrkdwn(label);

/**
 * A Slack mention for a user (`U…`/`W…`), a user group (`S…`) or a special mention (`here`, `channel`).
 * @param id the id as Slack shows it.
 * @returns the mrkdwn mention.
 */
export function mention(id: string): string {
  const v = id.trim().replace(/^@/, '');
  if (v === 'here' || v === 'channel') return `<!${v}>`;
  if (/^S[A-Z0-9]+$/.test(v)) return `<!subteam^${v}>`;
  return `<@${v}>`;
}

function headerText(verdict: Verdict, context: DeployContext): string {
  const where = context.environment ? ` ${context.environment}` : '';
  const repo = context.repository;
  const text: Record<Verdict, string> = {
    'in-progress': `Deploying ${repo}${where ? ` to${where}` : ''}`,
    deployed: `Deployed ${repo}${where ? ` to${where}` : ''}`,
    warnings: `Deployed ${repo}${where ? ` to${where}` : ''} with warnings`,
    failed: `${repo} failed its gates${where ? ` in${where}` : ''}`,
    'rolled-back': `Rolled back ${repo}${where ? ` in${where}` : ''}`,
    'rollback-failed': `Rollback of ${repo}${where ? ` in${where}` : ''} failed`,
    error: `Could not verify ${repo}${where ? ` in${where}` : ''}`,
  };
  return truncate(`${ICON[verdict]} ${text[verdict]}`, SLACK_LIMITS.headerChars);
}

function gateTitle(report: GateReport): string {
  const title = GATE_TITLE[report.gate] ?? report.gate;
  return report.commentId ? `${title} (${report.commentId})` : title;
}

/** `↩️ Rolled back backend from ghcr.io/…:bad (rev 5) to …:good (rev 4) in 42 s` from k8s-rollback's facts. */
function rollbackLine(report: GateReport): string | undefined {
  const f = report.facts ?? {};
  if (f['rolled-back'] !== 'true') return undefined;
  const rev = (r?: string) => (r ? ` (revision ${r})` : '');
  const image = (i?: string) => (i ? `\`${escapeMrkdwn(truncate(i, 200))}\`` : 'the previous version');
  const workload = f.workload ? ` ${escapeMrkdwn(f.workload)}` : '';
  const took = f['duration-seconds'] ? ` in ${f['duration-seconds']} s` : '';
  return `↩️ Rolled back${workload} from ${image(f['from-image'])}${rev(f['from-revision'])} to ${image(f['to-image'])}${rev(f['to-revision'])}${took}`;
}

function checkLine(check: Check): string {
  const numbers = [check.actual, check.expected].filter((v) => v !== undefined && v !== '').join(' vs ');
  const message = check.message ? ` — ${check.message}` : '';
  return `${STATUS_ICON[check.status]} *${escapeMrkdwn(check.title || check.id)}*${numbers ? ` ${escapeMrkdwn(String(numbers))}` : ''}${escapeMrkdwn(message)}`;
}

/** Packs lines into section blocks of at most {@link SLACK_LIMITS.sectionChars} characters each. */
function sections(lines: string[], maxBlocks: number): { blocks: Block[]; dropped: number } {
  const blocks: Block[] = [];
  let current = '';
  let used = 0;
  const flush = () => {
    if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
    current = '';
  };
  for (const raw of lines) {
    const line = truncate(raw, SLACK_LIMITS.sectionChars);
    if (current && current.length + 1 + line.length > SLACK_LIMITS.sectionChars) {
      flush();
      if (blocks.length >= maxBlocks) break;
    }
    current = current ? `${current}\n${line}` : line;
    used++;
  }
  if (blocks.length < maxBlocks) flush();
  else if (current) used -= current.split('\n').length;
  return { blocks, dropped: lines.length - used };
}

function details(report: GateReport, context: DeployContext): SlackMessage & { id: string } {
  const order: Record<Status, number> = { error: 0, fail: 1, warn: 2, inconclusive: 3, pass: 4 };
  const checks = [...report.checks].sort((a, b) => order[a.status] - order[b.status]);
  const head = `${STATUS_ICON[report.status]} *${escapeMrkdwn(gateTitle(report))}* — ${escapeMrkdwn(report.headline)}`;
  // Room for the head, and the "more" line.
  const packed = sections(checks.map(checkLine), SLACK_LIMITS.blocksPerMessage - 2);
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(head, SLACK_LIMITS.sectionChars) } },
  ];
  blocks.push(...packed.blocks);
  if (packed.dropped > 0)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${packed.dropped} more check${packed.dropped === 1 ? '' : 's'}: ${link(context.runUrl ?? report.detailsUrl, 'the full report in the run summary')}`,
        },
      ],
    });
  return {
    id: `${report.gate}${report.commentId ? `:${report.commentId}` : ''}`,
    text: truncate(`${gateTitle(report)}: ${report.headline}`, SLACK_LIMITS.fallbackChars),
    blocks,
  };
}

/**
 * Builds the deploy's Slack message from the gates' reports: a header with the verdict, one line per gate with the
 * number that decided it, the rollback done, links to the run, commit, pull request and environment; the details of
 * each gate go to a thread reply. Every Slack limit (blocks, header and section lengths, context elements) is
 * respected by construction.
 * @param reports every report seen so far (any gate).
 * @param context the run.
 * @param options who to mention when the verdict is alarming; whether the details go to a thread (default true).
 * @returns the message and its thread replies.
 */
export function buildDeployMessage(
  unordered: readonly GateReport[],
  context: DeployContext,
  options: { mentionOnFailure?: readonly string[]; threadDetails?: boolean } = {},
): DeployMessage {
  const reports = inPipelineOrder(unordered);
  const verdict = decideVerdict(reports);
  const header = headerText(verdict, context);
  const sha = context.sha.slice(0, 7);
  const commitUrl = context.sha ? `${context.serverUrl}/${context.repository}/commit/${context.sha}` : undefined;
  const who = context.actor ? ` by ${escapeMrkdwn(context.actor)}` : '';
  const ref = context.ref ? ` on \`${escapeMrkdwn(context.ref)}\`` : '';
  const mentions =
    ALARMING.includes(verdict) && options.mentionOnFailure?.length
      ? `\n${options.mentionOnFailure.map(mention).join(' ')}`
      : '';
  const intro = `*${link(`${context.serverUrl}/${context.repository}`, context.repository)}* ${sha ? `${link(commitUrl, sha)}` : ''}${ref}${who}${mentions}`;

  // A rollback that happened is shown as what it did (from → to image, how long) in place of its gate line.
  const gateLines = reports.map(
    (r) =>
      rollbackLine(r) ??
      `${STATUS_ICON[r.status]} *${escapeMrkdwn(gateTitle(r))}* — ${escapeMrkdwn(truncate(r.headline, 300))}`,
  );
  if (!reports.length) gateLines.push('_Waiting for the gates…_');

  const links = [
    context.runUrl && link(context.runUrl, `${context.workflow ?? 'Run'} #${context.runId ?? ''}`.trim()),
    commitUrl && link(commitUrl, `commit ${sha}`),
    context.pullRequest && link(context.pullRequest.url, `PR #${context.pullRequest.number}`),
    context.environment && link(context.environmentUrl, context.environment),
  ].filter((l): l is string => Boolean(l));

  // header + intro + gate sections + links: the gate lines get what is left of the 50 blocks.
  const packed = sections(gateLines, SLACK_LIMITS.blocksPerMessage - 4);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(intro, SLACK_LIMITS.sectionChars) } },
    ...packed.blocks,
  ];
  if (packed.dropped > 0)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            options.threadDetails === false
              ? `${packed.dropped} more line(s): ${link(context.runUrl, 'the run summary')}`
              : `${packed.dropped} more line(s) in the thread`,
        },
      ],
    });
  if (links.length)
    blocks.push({
      type: 'context',
      elements: links.slice(0, SLACK_LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text })),
    });

  const fallback = [header, ...reports.map((r) => `${gateTitle(r)}: ${r.headline}`)].join(' — ');
  return {
    verdict,
    text: truncate(fallback, SLACK_LIMITS.fallbackChars),
    blocks,
    details: reports.map((r) => details(r, context)),
  };
}

/**
 * The key that identifies one deploy's message: repository, workflow, run id and environment. A re-run attempt keeps
 * the run id, so it updates the same message; another environment gets its own.
 * @param context the run.
 * @returns the key, e.g. `acme/shop/deploy/1658821493/production`.
 */
export function defaultDeployKey(context: DeployContext): string {
  return [context.repository, context.workflow ?? '', String(context.runId ?? ''), context.environment ?? ''].join('/');
}

/** A GitHub deployment status state. */
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/**
 * The GitHub deployment status for a verdict. A rolled-back deploy is `inactive`: this commit no longer runs in the
 * environment (the previous version does), which is what GitHub's environment view should show; a deploy that failed
 * its gates without a rollback is a `failure`; a failed rollback or a gate that could not decide is an `error`.
 * @param verdict the deploy's verdict.
 * @returns `in_progress`, `success`, `failure`, `error` or `inactive`.
 */
export function deploymentState(verdict: Verdict): DeploymentState {
  switch (verdict) {
    case 'in-progress':
      return 'in_progress';
    case 'deployed':
    case 'warnings':
      return 'success';
    case 'rolled-back':
      return 'inactive';
    case 'error':
    case 'rollback-failed':
      return 'error';
    case 'failed':
      return 'failure';
  }
}
