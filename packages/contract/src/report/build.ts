import { worstStatus, type Check, type GateReportInput, type Status } from '@myco-gates/core';
import type { Acceptance, AcceptedChange } from '../accept/apply.js';
import type { ClientStatus } from '../client/client-sync.js';
import type { Change } from '../diff/types.js';
import type { LintFinding } from '../lint/spectral.js';
import type { LintSummary } from '../lint/summary.js';

type Section = NonNullable<GateReportInput['sections']>[number];
type Annotation = NonNullable<GateReportInput['annotations']>[number];

/** When the gate fails: on ERR changes (`breaking`), also on WARN changes (`warning`), or never (report only). */
export type FailOn = 'breaking' | 'warning' | 'never';
export const FAIL_ON_VALUES: readonly FailOn[] = ['breaking', 'warning', 'never'];

/** Links to files on GitHub at the two commits, so locations in the comment are clickable. */
export interface LinkBase {
  /** e.g. `https://github.com/acme/api/blob/<head sha>`. */
  head?: string;
  /** e.g. `https://github.com/acme/api/blob/<merge-base sha>`. */
  base?: string;
}

export interface ContractReportInput {
  /** Every change of the diff (all levels). */
  changes: readonly Change[];
  /** The accept-file outcome for `changes`. */
  acceptance: Acceptance<Change>;
  /** Lint results; undefined when lint was not run. */
  lint?: { summary: LintSummary; ruleset: string; total: number };
  /** Typed-client check; undefined when `client` is not set. */
  client?: ClientStatus;
  failOn: FailOn;
  /** The spec entry, repo-relative, for the headline of sections and base-side annotations. */
  spec: string;
  /** `compared`: diffed against a base spec; `new`: the spec did not exist at the merge base; `none`: no base (not a PR). */
  base: 'compared' | 'new' | 'none';
  links?: LinkBase;
  commentId?: string;
  commit?: string;
  pullRequest?: number;
  detailsUrl?: string;
  /** ISO timestamp; injected so snapshots are stable. */
  generatedAt: string;
}

/** Rows shown per table in the comment before core's renderer trims to the budget; the summary has them all. */
const TOP_RULES_SHOWN = 5;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const code = (text: string) => (text ? `\`${text.replace(/`/g, "'")}\`` : '');

function link(change: Change, links: LinkBase | undefined): string {
  if (!change.location) return '';
  const { file, line } = change.location;
  const label = `${change.side === 'base' ? 'base: ' : ''}${file}:${line}`;
  const baseUrl = change.side === 'base' ? links?.base : links?.head;
  return baseUrl ? `[${label}](${baseUrl}/${file.split('/').map(encodeURIComponent).join('/')}#L${line})` : label;
}

function findingLink(f: LintFinding, links: LinkBase | undefined): string {
  const label = `${f.file}:${f.line}:${f.column}`;
  return links?.head
    ? `[${label}](${links.head}/${f.file.split('/').map(encodeURIComponent).join('/')}#L${f.line})`
    : label;
}

/**
 * Changes that come from one edit of a shared schema: the same rule at the same place in one of the specs, reached
 * through several operations (or several properties of one request). Kubernetes 1.26 → 1.28 has 467 breaking changes
 * from 31 such edits; one row each keeps the comment readable, and every change still counts in the numbers.
 */
interface ChangeGroup {
  first: Change;
  /** Distinct operations, in the order the changes came. */
  operations: string[];
  /** Changes in the group (≥ operations: one operation can reach the schema by several paths). */
  count: number;
}

function groupChanges(list: readonly Change[]): ChangeGroup[] {
  const groups: ChangeGroup[] = [];
  const byPlace = new Map<string, ChangeGroup>();
  for (const c of list) {
    // A removed operation points at its own line in the base spec, so it stays a row of its own.
    const key = c.location ? `${c.level} ${c.id} ${c.side} ${c.location.file}:${c.location.line}` : '';
    const group = key ? byPlace.get(key) : undefined;
    if (group) {
      group.count++;
      if (c.operation && !group.operations.includes(c.operation)) group.operations.push(c.operation);
      continue;
    }
    const created = { first: c, operations: c.operation ? [c.operation] : [], count: 1 };
    groups.push(created);
    if (key) byPlace.set(key, created);
  }
  return groups;
}

function operations(g: ChangeGroup): string {
  const [first, ...rest] = g.operations;
  if (!first) return '';
  return rest.length ? `${code(first)} and ${rest.length} more` : code(first);
}

/** After the first change's message: how far the same edit reaches. */
function spread(g: ChangeGroup): string {
  if (g.count === 1) return '';
  return g.operations.length > 1
    ? ` _(${g.count} places in ${g.operations.length} operations)_`
    : ` _(${g.count} places in this operation)_`;
}

function groupingNote(changes: number, rows: number): string | undefined {
  return rows < changes
    ? `${plural(changes, 'change')} in ${plural(rows, 'row')}: changes from one edit of a shared schema share a row.`
    : undefined;
}

/** `failing` for the levels fail-on fails on, `warn` otherwise: one place decides what fails. */
function verdict(failOn: FailOn, failsOn: FailOn[]): Status {
  return failsOn.includes(failOn) ? 'fail' : 'warn';
}

function acceptedReason(a: AcceptedChange<Change>): string {
  if (a.by.kind === 'major-version') return `major version bump ${a.by.from} → ${a.by.to} (allow-breaking-on-major)`;
  const e = a.by.entry;
  return `${e.reason} — ${e.owner}, until ${e.expires}`;
}

/**
 * Build the GateReport of the API contract gate: status by `fail-on`, a headline, checks, sections (breaking changes,
 * warnings, accepted changes, collapsed changelog, lint summary, client status) and annotations.
 * @param input diff, acceptance, lint, client status and policy.
 * @returns a report for core's renderers and publisher (`GateReportSchema.parse` fills defaults).
 */
export function buildContractReport(input: ContractReportInput): GateReportInput {
  const { acceptance, failOn, links } = input;
  const breaking = acceptance.open.filter((c) => c.level === 'ERR');
  const warnings = acceptance.open.filter((c) => c.level === 'WARN');
  const info = input.changes.filter((c) => c.level === 'INFO');
  const newLint = input.lint?.summary.introduced ?? [];
  const checks: Check[] = [];
  const sections: Section[] = [];
  const annotations: Annotation[] = [];

  checks.push({
    id: 'breaking-changes',
    title: 'Breaking changes',
    status: breaking.length === 0 ? 'pass' : verdict(failOn, ['breaking', 'warning']),
    actual: breaking.length,
    expected: '0',
    message: acceptance.accepted.length > 0 ? `${acceptance.accepted.length} more accepted` : undefined,
  });
  checks.push({
    id: 'warnings',
    title: 'Changes that may break clients',
    status: warnings.length === 0 ? 'pass' : verdict(failOn, ['warning']),
    actual: warnings.length,
    expected: failOn === 'warning' ? '0' : undefined,
  });
  for (const expired of acceptance.expired) {
    checks.push({
      id: `accept-expired:${expired.entry.index}`,
      title: 'Expired accept entry',
      status: verdict(failOn, ['breaking', 'warning']),
      // The message already names file:line; a location would repeat it in the Details column.
      message: expired.message,
    });
  }
  if (input.lint) {
    checks.push({
      id: 'lint',
      title: input.lint.summary.comparedToBase ? 'New lint findings on changed lines' : 'Lint',
      status: newLint.length === 0 ? 'pass' : verdict(failOn, ['breaking', 'warning']),
      actual: newLint.length,
      expected: '0',
      message: `${plural(input.lint.summary.preExisting.length, 'pre-existing finding')} (${input.lint.ruleset === 'house' ? 'house ruleset' : input.lint.ruleset})`,
    });
  }
  if (input.client) {
    checks.push({
      id: 'client',
      title: 'Typed client in sync',
      status: input.client.upToDate ? 'pass' : verdict(failOn, ['breaking', 'warning']),
      actual: input.client.upToDate ? 'up to date' : 'out of date',
      message: input.client.upToDate ? undefined : `run \`${input.client.fixCommand}\``,
      location: { file: input.client.client },
    });
  }

  const changeRows = (groups: ChangeGroup[]) =>
    groups.map((g) => [
      g.first.level,
      code(g.first.id),
      operations(g),
      g.first.message + spread(g),
      link(g.first, links),
    ]);
  const changeColumns = ['Level', 'Rule', 'Operation', 'Message', 'Location'];
  const breakingGroups = groupChanges(breaking);
  const warningGroups = groupChanges(warnings);
  if (breaking.length > 0) {
    sections.push({
      title: `Breaking changes (${breaking.length})`,
      priority: 5,
      table: { columns: changeColumns, rows: changeRows(breakingGroups) },
      note: groupingNote(breaking.length, breakingGroups.length),
    });
  }
  if (warnings.length > 0) {
    sections.push({
      title: `Warnings (${warnings.length})`,
      priority: 15,
      table: { columns: changeColumns, rows: changeRows(warningGroups) },
      note: [
        failOn === 'warning'
          ? 'These fail the gate (fail-on: warning).'
          : `These do not fail the gate (fail-on: ${failOn}).`,
        groupingNote(warnings.length, warningGroups.length),
      ]
        .filter(Boolean)
        .join(' '),
    });
  }
  if (acceptance.expired.length > 0) {
    sections.push({
      title: `Expired accept entries (${acceptance.expired.length})`,
      priority: 6,
      markdown: acceptance.expired
        .map(
          (e) =>
            `- ${e.message}${e.matched.length ? ` (matched ${plural(e.matched.length, 'change')}, now open)` : ''}`,
        )
        .join('\n'),
    });
  }
  if (acceptance.accepted.length > 0) {
    sections.push({
      title: `Accepted changes (${acceptance.accepted.length})`,
      priority: 30,
      collapsed: acceptance.accepted.length > 10,
      table: {
        columns: ['Level', 'Rule', 'Operation', 'Message', 'Accepted because', 'Fingerprint'],
        rows: acceptance.accepted.map((a) => [
          a.change.level,
          code(a.change.id),
          code(a.change.operation),
          a.change.message,
          acceptedReason(a),
          code(a.change.fingerprint),
        ]),
      },
    });
  }
  if (acceptance.unused.length > 0) {
    sections.push({
      title: `Unused accept entries (${acceptance.unused.length})`,
      collapsed: true,
      priority: 75,
      markdown: acceptance.unused
        .map(
          (e) =>
            `- line ${e.line}: ${e.fingerprint ? `fingerprint ${code(e.fingerprint)}` : `${code(e.rule ?? '')} on ${code(e.operation ?? '')}`} (${e.owner}, until ${e.expires}) matched no change; remove it once the change has shipped`,
        )
        .join('\n'),
    });
  }
  if (info.length > 0) {
    sections.push({
      title: `Changelog: ${plural(info.length, 'non-breaking change')}`,
      collapsed: true,
      priority: 70,
      table: {
        columns: ['Rule', 'Operation', 'Message'],
        rows: groupChanges(info).map((g) => [code(g.first.id), operations(g), g.first.message + spread(g)]),
      },
    });
  }
  // A spec with no finding at all needs no lint section: its check row already says so.
  const lintFindings = input.lint ? input.lint.summary.introduced.length + input.lint.summary.preExisting.length : 0;
  if (input.lint && lintFindings > 0) sections.push(lintSection(input.lint, links));
  if (input.client && !input.client.upToDate) sections.push(clientSection(input.client));
  if (breaking.length + warnings.length > 0 && !acceptance.majorBump) {
    sections.push({
      title: 'Accepting a breaking change',
      collapsed: true,
      priority: 80,
      markdown:
        'If a change is intended, add it to the accept file (`.github/openapi-accept.yml` by default) with a reason, an owner and an expiry date:\n\n' +
        '```yaml\naccept:\n  - fingerprint: ' +
        (breaking[0] ?? warnings[0]).fingerprint +
        '\n    reason: Clients migrated (link the issue)\n    owner: "@your-team"\n    expires: YYYY-MM-DD\n```',
    });
  }

  for (const g of [...breakingGroups, ...warningGroups]) {
    const c = g.first;
    const where = c.side === 'head' && c.location ? c.location : { file: input.spec, line: 1 };
    const more =
      g.operations.length > 1
        ? `\nAlso in ${plural(g.operations.length - 1, 'more operation')}: ${g.operations.slice(1, 6).join(', ')}${g.operations.length > 6 ? ', …' : ''}`
        : '';
    annotations.push({
      level: c.level === 'ERR' ? 'error' : 'warning',
      file: where.file,
      line: where.line,
      title: `Breaking change: ${c.id}`.slice(0, 256),
      message:
        `${c.operation ? `${c.operation}: ` : ''}${c.message}${c.side === 'base' && c.location ? ` (was at ${c.location.file}:${c.location.line} in the base spec)` : ''}${more}\nfingerprint: ${c.fingerprint}`.slice(
          0,
          4096,
        ),
      priority: c.level === 'ERR' ? 0 : 20,
    });
  }
  for (const f of newLint) annotations.push(lintAnnotation(f, 'error', f.severity === 'error' ? 5 : 10));
  for (const f of input.lint?.summary.introducedNotes ?? []) annotations.push(lintAnnotation(f, 'notice', 60));
  // Pre-existing findings are candidates too (GitHub shows a few when nothing new is wrong), ranked last; capped here
  // because a real spec has ~2,000 and the summary lists every annotation.
  const preExisting = (input.lint?.summary.preExisting ?? [])
    .filter((f) => f.severity === 'error' || f.severity === 'warn')
    .slice(0, 200);
  for (const f of preExisting) annotations.push(lintAnnotation(f, 'notice', f.severity === 'error' ? 90 : 95));

  const status = worstStatus(checks.map((c) => c.status));
  return {
    schemaVersion: 1,
    gate: 'contract',
    commentId: input.commentId,
    status,
    headline: headline(input, breaking.length, warnings.length, info.length, newLint.length),
    checks,
    metrics: {
      breaking: breaking.length,
      warnings: warnings.length,
      accepted: acceptance.accepted.length,
      additions: info.length,
      'lint-errors': newLint.length,
      'lint-pre-existing': input.lint?.summary.preExisting.length ?? 0,
    },
    sections,
    annotations,
    detailsUrl: input.detailsUrl,
    commit: input.commit,
    pullRequest: input.pullRequest,
    generatedAt: input.generatedAt,
  };
}

function lintAnnotation(f: LintFinding, level: Annotation['level'], priority: number): Annotation {
  return {
    level,
    file: f.file,
    line: f.line,
    endLine: f.endLine > f.line ? f.endLine : undefined,
    title: `Lint ${f.severity}: ${f.rule}`.slice(0, 256),
    message: f.message.slice(0, 4096),
    priority,
  };
}

function headline(
  input: ContractReportInput,
  breaking: number,
  warnings: number,
  additions: number,
  newLint: number,
): string {
  const problems: string[] = [];
  if (warnings > 0 && input.failOn === 'warning')
    problems.push(plural(warnings, 'change that may break clients', 'changes that may break clients'));
  if (newLint > 0) problems.push(plural(newLint, 'new lint finding'));
  if (input.client && !input.client.upToDate) problems.push('typed client out of date');
  if (input.acceptance.expired.length > 0)
    problems.push(plural(input.acceptance.expired.length, 'expired accept entry', 'expired accept entries'));
  if (breaking > 0)
    return `${plural(breaking, 'breaking change')} in the API contract${problems.length ? `; ${problems.join(', ')}` : ''}`;
  const accepted = input.acceptance.accepted.length > 0 ? `, ${input.acceptance.accepted.length} accepted` : '';
  const base =
    input.base === 'new'
      ? `API contract: ${input.spec} is new in this pull request, nothing to compare`
      : input.base === 'none'
        ? `API contract: ${input.spec} linted; no base spec to compare (not a pull request)`
        : `API contract: no breaking changes${accepted}${additions > 0 ? `, ${plural(additions, 'addition')}` : ''}`;
  return problems.length ? `${base}; ${problems.join(', ')}` : base;
}

function lintSection(lint: NonNullable<ContractReportInput['lint']>, links: LinkBase | undefined): Section {
  const { summary } = lint;
  const lines: string[] = [];
  const sev = summary.preExistingBySeverity;
  const ruleset = lint.ruleset === 'house' ? 'house ruleset (spectral:oas + house rules)' : `\`${lint.ruleset}\``;
  if (summary.comparedToBase) {
    lines.push(
      `**${plural(summary.introduced.length, 'new finding')}** on lines this pull request changed; ${plural(summary.preExisting.length, 'pre-existing finding')} elsewhere (${plural(sev.error, 'error')}, ${plural(sev.warn, 'warning')}, ${sev.info + sev.hint} info). Ruleset: ${ruleset}.`,
    );
  } else {
    lines.push(
      `${plural(summary.preExisting.length, 'finding')} (${plural(sev.error, 'error')}, ${plural(sev.warn, 'warning')}, ${sev.info + sev.hint} info); no pull request to compare with, so none count as new. Ruleset: ${ruleset}.`,
    );
  }
  if (summary.topRules.length > 0) {
    lines.push(
      '',
      `Top rules among pre-existing findings: ${summary.topRules
        .slice(0, TOP_RULES_SHOWN)
        .map((r) => `${code(r.rule)} (${r.count})`)
        .join(', ')}.`,
    );
  }
  return {
    title: `Lint (${plural(summary.introduced.length, 'new finding')})`,
    priority: 20,
    collapsed: summary.introduced.length === 0,
    markdown: lines.join('\n'),
    table:
      summary.introduced.length > 0
        ? {
            columns: ['Severity', 'Rule', 'Message', 'Location'],
            rows: summary.introduced.map((f) => [f.severity, code(f.rule), f.message, findingLink(f, links)]),
          }
        : undefined,
  };
}

function clientSection(client: ClientStatus): Section {
  const lines = [
    `\`${client.client}\` is out of date with the spec (${plural(client.changedFiles.length, 'file')} differ${client.changedFiles.length === 1 ? 's' : ''}).`,
    '',
    `Fix: run \`${client.fixCommand}\` and commit the result.${client.generator ? ` Generator: \`${client.generator}\` (from the repository's node_modules).` : ''}`,
  ];
  if (client.diffExcerpt) {
    lines.push(
      '',
      '<details><summary>Diff excerpt (committed → regenerated)</summary>',
      '',
      '```diff',
      client.diffExcerpt.replace(/```/g, '`\u200b``'),
      '```',
      client.diffLinesOmitted > 0 ? `\n… ${client.diffLinesOmitted} more lines\n` : '',
      '</details>',
    );
  }
  return { title: 'Typed client out of date', priority: 8, markdown: lines.join('\n') };
}
