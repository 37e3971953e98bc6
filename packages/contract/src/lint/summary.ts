import { isChangedLine, type ChangedLines } from './changed-lines.js';
import type { LintFinding, LintSeverity } from './spectral.js';

/** Lint findings split by whether the pull request introduced them. */
export interface LintSummary {
  /**
   * Findings (error or warn severity) on lines the pull request changed: these are the PR's lint errors.
   * Without a pull request (no changed-lines information) this is empty and everything is pre-existing.
   */
  introduced: LintFinding[];
  /** Info/hint findings on changed lines: shown as notices, never counted as errors. */
  introducedNotes: LintFinding[];
  /** Everything else, summarized rather than listed. */
  preExisting: LintFinding[];
  /** Pre-existing finding counts by severity. */
  preExistingBySeverity: Record<LintSeverity, number>;
  /** The rules with the most pre-existing findings, most first (ties by rule name), at most `topRules`. */
  topRules: { rule: string; count: number }[];
  /** Whether changed-lines information was available (a pull request with a merge base). */
  comparedToBase: boolean;
}

const SEVERITY_RANK: Record<LintSeverity, number> = { error: 0, warn: 1, info: 2, hint: 3 };

/**
 * Split findings into those on lines the pull request changed and pre-existing ones.
 * @param findings all findings of the head spec.
 * @param changed changed lines of the pull request, or undefined outside a pull request.
 * @param topRules how many rules to list in the pre-existing summary.
 * @returns the split, each list ordered by severity then file and line.
 */
export function summarizeLint(
  findings: readonly LintFinding[],
  changed: ChangedLines | undefined,
  topRules = 5,
): LintSummary {
  const sorted = [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column,
  );
  const summary: LintSummary = {
    introduced: [],
    introducedNotes: [],
    preExisting: [],
    preExistingBySeverity: { error: 0, warn: 0, info: 0, hint: 0 },
    topRules: [],
    comparedToBase: changed !== undefined,
  };
  const byRule = new Map<string, number>();
  for (const f of sorted) {
    const onChanged = changed !== undefined && touches(changed, f);
    if (onChanged && SEVERITY_RANK[f.severity] <= SEVERITY_RANK.warn) summary.introduced.push(f);
    else if (onChanged) summary.introducedNotes.push(f);
    else {
      summary.preExisting.push(f);
      summary.preExistingBySeverity[f.severity]++;
      byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    }
  }
  summary.topRules = [...byRule]
    .map(([rule, count]) => ({ rule, count }))
    .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule))
    .slice(0, topRules);
  return summary;
}

function touches(changed: ChangedLines, f: LintFinding): boolean {
  if (isChangedLine(changed, f.file, f.line)) return true;
  // A finding is new when its key line or the two lines after it changed (e.g. `get:` reported, `description:` edited
  // right below). Not the whole range: a finding spanning a 500-line path item is not new because one line inside moved.
  const end = Math.min(f.endLine, f.line + 2);
  for (let line = f.line + 1; line <= end; line++) if (isChangedLine(changed, f.file, line)) return true;
  return false;
}
