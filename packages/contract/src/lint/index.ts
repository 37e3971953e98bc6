export { lintSpec, type LintFinding, type LintOptions, type LintRun, type LintSeverity } from './spectral.js';
export { loadRuleset } from './ruleset.js';
export { changedLinesFromDiff, gitChangedLines, isChangedLine, type ChangedLines } from './changed-lines.js';
export { summarizeLint, type LintSummary } from './summary.js';
