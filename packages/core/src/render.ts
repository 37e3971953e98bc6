import {
  closeOpenFences,
  codeBlock,
  defuseMentions,
  escapeCell,
  escapeHtml,
  escapeInline,
  escapeMarkdown,
} from './markdown.js';
import { STATUS_ICON, type Annotation, type Check, type GateReport, type Section, type Status } from './report.js';

/** GitHub rejects issue comments longer than 65,536 characters; the default leaves room for edits by other tools. */
export const COMMENT_MAX_CHARS = 60_000;
/** GitHub drops a step's whole job summary above 1 MiB; the default keeps headroom for other writers in the step. */
export const SUMMARY_MAX_BYTES = 1_000_000;
/** Below this a budget cannot hold the headline, the omission notice and the marker. */
const MIN_BUDGET = 4_096;

/** Options of {@link renderComment}. */
export interface CommentOptions {
  /** Hidden sticky-comment marker; defaults to {@link commentMarker} of the report's gate and commentId. */
  marker?: string;
  /** Size budget in UTF-16 code units (≥ GitHub's own count); default {@link COMMENT_MAX_CHARS}. */
  maxChars?: number;
  /** Where the full report is (run summary URL); defaults to `report.detailsUrl`. */
  detailsUrl?: string;
  /**
   * The report came from an untrusted source (a fork's artifact): markdown blocks are shown as code, cell text is
   * fully escaped and `@mentions` are defused.
   */
  untrusted?: boolean;
}

/** Options of {@link renderSummary}. */
export interface SummaryOptions {
  /** Size budget in UTF-8 bytes; default {@link SUMMARY_MAX_BYTES}. */
  maxBytes?: number;
  /** Where the full report is when the summary itself had to be trimmed (e.g. the JSON report artifact). */
  detailsUrl?: string;
  /** How many annotations {@link selectAnnotations} left out, so the summary can say so. */
  annotationsDropped?: number;
  /** See {@link CommentOptions.untrusted}. */
  untrusted?: boolean;
}

/**
 * The hidden HTML comment that identifies a gate's sticky PR comment.
 * @param gate the report's gate, e.g. `coverage`.
 * @param commentId optional id separating several runs of one gate (matrix jobs).
 * @returns e.g. `<!-- myco-gates:coverage:backend -->`. Characters outside `[A-Za-z0-9._-]` become `-`, so the id
 *   cannot close the HTML comment.
 */
export function commentMarker(gate: string, commentId?: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');
  return `<!-- myco-gates:${clean(gate)}${commentId ? `:${clean(commentId)}` : ''} -->`;
}

/** One section prepared for the budget: its markup split into pieces whose sizes add up. */
interface Block {
  title: string;
  priority: number;
  collapsed: boolean;
  index: number;
  open: string;
  tableHead: string;
  rows: string[];
  rowSizes: number[];
  tableEnd: string;
  markdown: string;
  note: string;
  close: string;
}

/** How much of a block is kept: `rows` table rows, and the markdown block or not; `null` = dropped. */
type Keep = { rows: number; markdown: boolean } | null;

type Measure = (text: string) => number;
const utf16: Measure = (text) => text.length;
const utf8: Measure = (text) => Buffer.byteLength(text, 'utf8');

interface RenderPlan {
  header: string;
  blocks: Block[];
  footer: string;
  marker: string;
  budget: number;
  measure: Measure;
  detailsUrl?: string;
  where: string;
}

/**
 * Renders the PR comment: a first line with the status icon and the bold headline, the checks and non-collapsed
 * sections as tables, collapsed sections inside `<details>`, and the hidden sticky marker last. When the comment is
 * over budget, detail is dropped (sections with the highest `priority` number first, collapsed before expanded), then
 * table rows are trimmed with a "… N more rows" line; markup is never cut, and a line says where the full report is.
 * @param report the gate's report.
 * @param options marker, budget, details URL, trust.
 * @returns markdown no longer than `maxChars`.
 */
export function renderComment(report: GateReport, options: CommentOptions = {}): string {
  const untrusted = options.untrusted ?? false;
  const sections = [commentChecksSection(report.checks), ...report.sections].filter((s): s is Section => s !== null);
  return assemble({
    header: headerLine(report, untrusted),
    blocks: sections.map((s, i) => prepareBlock(s, i, untrusted)),
    footer: footerLine(report),
    marker: `\n${options.marker ?? commentMarker(report.gate, report.commentId)}\n`,
    budget: checkBudget(options.maxChars ?? COMMENT_MAX_CHARS, 'maxChars'),
    measure: utf16,
    detailsUrl: options.detailsUrl ?? report.detailsUrl,
    where: 'the job summary of this workflow run',
  });
}

/**
 * Renders the job summary: everything in the report (checks, metrics, all sections, every annotation), trimmed by
 * the same rules as {@link renderComment} only when it would exceed GitHub's 1 MiB summary limit.
 * @param report the gate's report.
 * @param options budget, details URL, dropped-annotation count, trust.
 * @returns markdown no larger than `maxBytes` in UTF-8.
 */
export function renderSummary(report: GateReport, options: SummaryOptions = {}): string {
  const untrusted = options.untrusted ?? false;
  let header = headerLine(report, untrusted);
  const dropped = options.annotationsDropped ?? 0;
  if (dropped > 0)
    header += `> [!NOTE]\n> ${dropped} annotation${dropped === 1 ? ' was' : 's were'} not shown on the diff because GitHub limits annotations per step; all of them are listed under **Annotations** below.\n\n`;
  const sections = [
    checksSection(report.checks),
    metricsSection(report.metrics, report.metricUnits),
    ...report.sections,
    annotationsSection(report.annotations),
  ].filter((s): s is Section => s !== null);
  return assemble({
    header,
    blocks: sections.map((s, i) => prepareBlock(s, i, untrusted)),
    footer: footerLine(report),
    marker: '',
    budget: checkBudget(options.maxBytes ?? SUMMARY_MAX_BYTES, 'maxBytes'),
    measure: utf8,
    detailsUrl: options.detailsUrl ?? report.detailsUrl,
    where: 'the JSON report (`report` output)',
  });
}

function checkBudget(budget: number, name: string): number {
  if (!Number.isFinite(budget) || budget < MIN_BUDGET)
    throw new RangeError(`${name} must be at least ${MIN_BUDGET} (got ${budget})`);
  return budget;
}

function headerLine(report: GateReport, untrusted: boolean): string {
  const headline = escapeInline(untrusted ? defuseMentions(report.headline) : report.headline);
  return `${STATUS_ICON[report.status]} **${headline}**\n\n`;
}

function footerLine(report: GateReport): string {
  const parts = ['Myco Gates', report.gate, report.commentId, report.commit ? report.commit.slice(0, 7) : undefined];
  return `<sub>${parts
    .filter((p): p is string => !!p)
    .map((p) => escapeInline(defuseMentions(p)))
    .join(' · ')}</sub>\n`;
}

/** Up to this many checks, the PR comment lists passing ones too; above it, only the ones that need attention. */
export const COMMENT_ALL_CHECKS_UP_TO = 6;

/**
 * The checks of a PR comment. A reviewer needs what failed, not 40 green rows that the gate's own tables already show:
 * with more than {@link COMMENT_ALL_CHECKS_UP_TO} checks, passing ones are counted in a note, and listed in full in the
 * job summary.
 */
function commentChecksSection(checks: Check[]): Section | null {
  if (checks.length <= COMMENT_ALL_CHECKS_UP_TO) return checksSection(checks);
  const problems = checks.filter((c) => c.status !== 'pass');
  const passed = checks.length - problems.length;
  if (problems.length === 0) return null;
  const section = checksSection(problems)!;
  return {
    ...section,
    note: `${passed} other check${passed === 1 ? '' : 's'} passed (all checks are in the job summary).`,
  };
}

const SEVERITY_ORDER: Record<Status, number> = { error: 0, fail: 1, warn: 2, inconclusive: 3, pass: 4 };

/** Checks as a table, worst first (stable), so trimming rows keeps the failures. */
function checksSection(checks: Check[]): Section | null {
  if (checks.length === 0) return null;
  const sorted = checks
    .map((check, i) => ({ check, i }))
    .sort((a, b) => SEVERITY_ORDER[a.check.status] - SEVERITY_ORDER[b.check.status] || a.i - b.i)
    .map((x) => x.check);
  const where = (c: Check) =>
    c.location ? `${c.location.file}${c.location.line ? `:${c.location.line}` : ''}` : undefined;
  const details = (c: Check) => [c.message, where(c)].filter(Boolean).join(' — ');
  const columns: Array<{ name: string; align: 'l' | 'r' | 'c'; value: (c: Check) => string }> = [
    { name: '', align: 'c', value: (c) => STATUS_ICON[c.status] },
    { name: 'Check', align: 'l', value: (c) => c.title || c.id },
    { name: 'Actual', align: 'r', value: (c) => (c.actual === undefined ? '' : String(c.actual)) },
    { name: 'Expected', align: 'r', value: (c) => c.expected ?? '' },
    { name: 'Details', align: 'l', value: details },
  ];
  // Columns nobody filled in are noise in a narrow PR comment.
  const used = columns.filter((col, i) => i < 2 || sorted.some((c) => col.value(c) !== ''));
  return {
    title: 'Checks',
    collapsed: false,
    priority: 0,
    table: {
      columns: used.map((c) => c.name),
      align: used.map((c) => c.align),
      rows: sorted.map((c) => used.map((col) => col.value(c))),
    },
  };
}

function metricsSection(metrics: Record<string, number>, units?: GateReport['metricUnits']): Section | null {
  const entries = Object.entries(metrics);
  if (entries.length === 0) return null;
  return {
    title: 'Metrics',
    collapsed: false,
    priority: 10,
    table: {
      columns: ['Metric', 'Value'],
      align: ['l', 'r'],
      rows: entries.map(([k, v]) => [k, formatMetric(v, units?.[k])]),
    },
  };
}

const LEVEL_ORDER: Record<Annotation['level'], number> = { error: 0, warning: 1, notice: 2 };

function annotationsSection(annotations: Annotation[]): Section | null {
  if (annotations.length === 0) return null;
  const sorted = annotations
    .map((a, i) => ({ a, i }))
    .sort((x, y) => LEVEL_ORDER[x.a.level] - LEVEL_ORDER[y.a.level] || x.a.priority - y.a.priority || x.i - y.i)
    .map((x) => x.a);
  return {
    title: `Annotations (${annotations.length})`,
    collapsed: true,
    priority: 80,
    table: {
      columns: ['Level', 'Location', 'Title', 'Message'],
      rows: sorted.map((a) => [
        a.level,
        `${a.file}:${a.line}${a.endLine && a.endLine !== a.line ? `-${a.endLine}` : ''}`,
        a.title ?? '',
        a.message,
      ]),
    },
  };
}

const ALIGN: Record<'l' | 'r' | 'c', string> = { l: ':--', r: '--:', c: ':-:' };

function prepareBlock(section: Section, index: number, untrusted: boolean): Block {
  const text = (s: string) => (untrusted ? escapeMarkdown(defuseMentions(s)) : s);
  const collapsed = section.collapsed ?? false;
  // Defused once here, so the omission notice (which lists dropped titles) cannot ping anyone either.
  const rawTitle = section.title.trim() || 'Details';
  const title = untrusted ? defuseMentions(rawTitle) : rawTitle;
  const open = collapsed
    ? `<details><summary>${escapeHtml(title.replace(/\s+/g, ' '))}</summary>\n\n`
    : `#### ${escapeInline(title)}\n\n`;
  const close = collapsed ? '</details>\n\n' : '';
  let tableHead = '';
  let rows: string[] = [];
  const table = section.table;
  if (table && table.columns.length > 0) {
    const width = table.columns.length;
    tableHead =
      `| ${table.columns.map((c) => escapeCell(text(c))).join(' | ')} |\n` +
      `| ${table.columns.map((_c, i) => ALIGN[table.align?.[i] ?? 'l']).join(' | ')} |\n`;
    rows = table.rows.map((row) => {
      const cells = Array.from({ length: width }, (_v, i) => escapeCell(text(row[i] ?? '')));
      return `| ${cells.join(' | ')} |\n`;
    });
  }
  let markdown = '';
  if (section.markdown?.trim()) {
    markdown = untrusted
      ? codeBlock(defuseMentions(section.markdown), 'markdown')
      : closeOpenFences(section.markdown.trim());
    markdown += '\n\n';
  }
  const note = section.note?.trim()
    ? `${escapeInline(untrusted ? defuseMentions(section.note) : section.note)}\n\n`
    : '';
  return {
    title,
    priority: section.priority ?? 50,
    collapsed,
    index,
    open,
    tableHead,
    rows,
    rowSizes: [],
    tableEnd: '\n',
    markdown,
    note,
    close,
  };
}

function moreRowsLine(hidden: number): string {
  return `_… ${hidden.toLocaleString('en-US')} more row${hidden === 1 ? '' : 's'} (see the full report)._\n\n`;
}

/** The pieces of a block under a keep decision; sizes are additive, so planning never renders whole sections. */
function blockPieces(block: Block, keep: Keep): string[] {
  if (keep === null) return [];
  const pieces = [block.open];
  if (block.rows.length > 0 && keep.rows > 0) {
    pieces.push(block.tableHead, ...block.rows.slice(0, keep.rows), block.tableEnd);
    if (keep.rows < block.rows.length) pieces.push(moreRowsLine(block.rows.length - keep.rows));
  } else if (block.tableHead && block.rows.length === 0) {
    // A table with columns but no rows still shows its header, as the gate asked.
    pieces.push(block.tableHead, block.tableEnd);
  }
  if (keep.markdown) pieces.push(block.markdown);
  pieces.push(block.note, block.close);
  return pieces;
}

function blockSize(block: Block, keep: Keep, measure: Measure): number {
  if (keep === null) return 0;
  let size = measure(block.open) + measure(block.note) + measure(block.close);
  if (block.rows.length > 0 && keep.rows > 0) {
    size += measure(block.tableHead) + measure(block.tableEnd);
    for (let i = 0; i < keep.rows; i++) size += block.rowSizes[i];
    if (keep.rows < block.rows.length) size += measure(moreRowsLine(block.rows.length - keep.rows));
  } else if (block.tableHead && block.rows.length === 0) size += measure(block.tableHead) + measure(block.tableEnd);
  if (keep.markdown) size += measure(block.markdown);
  return size;
}

function omissionNotice(plan: RenderPlan, dropped: Block[], hiddenRows: number, hiddenMarkdown: number): string {
  const parts: string[] = [];
  if (dropped.length > 0) {
    const names = dropped.slice(0, 3).map((b) => `“${escapeInline(truncate(b.title, 60))}”`);
    const more = dropped.length > 3 ? ` and ${dropped.length - 3} more` : '';
    parts.push(`${dropped.length === 1 ? 'section' : 'sections'} ${names.join(', ')}${more}`);
  }
  if (hiddenRows > 0) parts.push(`${hiddenRows.toLocaleString('en-US')} table row${hiddenRows === 1 ? '' : 's'}`);
  if (hiddenMarkdown > 0) parts.push(`${hiddenMarkdown} text block${hiddenMarkdown === 1 ? '' : 's'}`);
  const full = plan.detailsUrl
    ? `[the full report](${encodeURI(plan.detailsUrl).replace(/[()]/g, encodeURIComponent)})`
    : plan.where;
  return `> [!NOTE]\n> Shortened to fit GitHub's size limit: left out ${parts.join('; ')}. See ${full} for everything.\n\n`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Largest notice we may need: used as a reserve so the final text always fits once the plan fits. */
function noticeReserve(plan: RenderPlan): number {
  const worst = [...plan.blocks].sort((a, b) => b.title.length - a.title.length).slice(0, 3);
  const many = Array.from({ length: Math.max(4, plan.blocks.length) }, (_v, i) => worst[i] ?? worst[0]);
  return plan.measure(omissionNotice(plan, many.filter(Boolean), 9_999_999, 9_999));
}

function assemble(plan: RenderPlan): string {
  const { blocks, measure } = plan;
  for (const block of blocks) block.rowSizes = block.rows.map(measure);
  const full: Keep[] = blocks.map((b) => ({ rows: b.rows.length, markdown: b.markdown !== '' }));
  const fixed = measure(plan.header) + measure(plan.footer) + measure(plan.marker);
  const sizes = blocks.map((b, i) => blockSize(b, full[i], measure));
  let total = fixed + sizes.reduce((a, b) => a + b, 0);
  if (total <= plan.budget) return render(plan, full);

  const keep = [...full];
  const available = plan.budget - noticeReserve(plan);
  // Least important first: highest priority number, collapsed before expanded, later sections before earlier ones.
  const order = [...blocks].sort(
    (a, b) => b.priority - a.priority || Number(b.collapsed) - Number(a.collapsed) || b.index - a.index,
  );
  for (const block of order) {
    const rest = total - sizes[block.index];
    if (rest > available) {
      keep[block.index] = null;
      total = rest;
      continue;
    }
    keep[block.index] = largestKeep(block, available - rest, measure);
    break;
  }
  const text = render(plan, keep);
  if (measure(text) <= plan.budget) return text;
  // Only reachable when the fixed parts alone exceed the budget (very long headline and a tiny budget).
  return render(
    { ...plan, footer: '' },
    blocks.map(() => null),
  );
}

/** The most of a block that fits in `room`: everything, then without its markdown, then fewer rows, else dropped. */
function largestKeep(block: Block, room: number, measure: Measure): Keep {
  const all: Keep = { rows: block.rows.length, markdown: block.markdown !== '' };
  if (blockSize(block, all, measure) <= room) return all;
  const noMarkdown: Keep = { rows: block.rows.length, markdown: false };
  if (block.rows.length > 0 && blockSize(block, noMarkdown, measure) <= room) return noMarkdown;
  let low = 0;
  let high = block.rows.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (blockSize(block, { rows: mid, markdown: false }, measure) <= room) low = mid;
    else high = mid - 1;
  }
  return low > 0 && blockSize(block, { rows: low, markdown: false }, measure) <= room
    ? { rows: low, markdown: false }
    : null;
}

function render(plan: RenderPlan, keep: Keep[]): string {
  const dropped = plan.blocks.filter((b, i) => keep[i] === null);
  let hiddenRows = 0;
  let hiddenMarkdown = 0;
  plan.blocks.forEach((b, i) => {
    const k = keep[i];
    if (k === null) return;
    hiddenRows += b.rows.length - k.rows;
    if (b.markdown && !k.markdown) hiddenMarkdown++;
  });
  const out = [plan.header];
  for (const b of plan.blocks) out.push(...blockPieces(b, keep[b.index]));
  if (dropped.length > 0 || hiddenRows > 0 || hiddenMarkdown > 0)
    out.push(omissionNotice(plan, dropped, hiddenRows, hiddenMarkdown));
  out.push(plan.footer, plan.marker);
  return out.join('').replace(/\n+$/, '\n');
}

/** How a metric is printed; see `GateReport.metricUnits`. */
export type MetricUnit = NonNullable<GateReport['metricUnits']>[string];

/**
 * Formats a metric for outputs and tables, without thousands separators: percentages with two decimals, counts as
 * whole numbers.
 * @param value a metric value (gates apply their own rounding rule before).
 * @param unit the metric's unit, when the gate declared one.
 * @returns e.g. `84.12` (percent) or `3` (count).
 */
export function formatMetric(value: number, unit?: MetricUnit): string {
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'percent') return value.toFixed(2);
  if (unit === 'count' || (unit === undefined && Number.isInteger(value))) return String(Math.round(value));
  if (unit === 'ratio') return String(Number(value.toPrecision(6)));
  return value.toFixed(2);
}

/**
 * The action outputs every gate sets: `status`, `report` (path of the JSON report), one per fact (`rollback`…) and
 * one per metric with two decimals. Metric names are made valid output ids (`[A-Za-z0-9_-]`, other characters become `-`).
 * @param report the gate's report.
 * @param reportPath path of the written JSON report, if any.
 * @returns output id -> value.
 * @example reportOutputs(report, '/tmp/r.json') // { status: 'pass', report: '/tmp/r.json', lines: '84.12' }
 */
export function reportOutputs(report: GateReport, reportPath?: string): Record<string, string> {
  const outputs: Record<string, string> = { status: report.status };
  if (reportPath) outputs.report = reportPath;
  for (const [id, value] of Object.entries(report.facts ?? {})) if (!(id in outputs)) outputs[id] = value;
  for (const [name, value] of Object.entries(report.metrics)) {
    const id = name.replace(/[^A-Za-z0-9_-]/g, '-');
    // Never let a metric named `status` or `report` overwrite the outputs every workflow relies on.
    if (!(id in outputs)) outputs[id] = formatMetric(value, report.metricUnits?.[name]);
  }
  return outputs;
}
