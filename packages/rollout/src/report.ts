import type { GateReportInput, Section } from '@myco-gates/core';
import type { RollbackResult } from './run.js';

const image = (images: string[] | undefined) => (images ?? []).map((i) => i.slice(i.indexOf('=') + 1)).join(', ');

/**
 * The GateReport of a run: headline leading with the verdict, one check per step with its duration, the from → to
 * table (revisions, images, template hashes), what broke, and the facts notify reads (`rolled-back`, `workload`,
 * `from-image`, `to-image`, `from-revision`, `to-revision`, `duration-seconds`; `revision` and `template-hash` from
 * `record`).
 * @param result what {@link runRollback} returned.
 * @param generatedAt ISO time; default now.
 * @returns the report input for publishReport.
 */
export function buildRollbackReport(result: RollbackResult, generatedAt = new Date().toISOString()): GateReportInput {
  const from = result.from;
  const to = result.target;
  const seconds = result.durationSeconds.toFixed(1);
  const facts: Record<string, string> = {
    'rolled-back': String(result.rolledBack),
    workload: result.workload,
    'duration-seconds': seconds,
    strategy: result.strategy,
  };
  if (from) {
    facts['from-revision'] = String(from.revision);
    facts['from-image'] = image(from.images);
  }
  if (result.mode === 'record' && from) {
    facts.revision = String(from.revision);
    facts['template-hash'] = from.hash;
    facts.images = image(from.images);
  }
  if (to) {
    facts['to-revision'] = String(to.revision);
    facts['to-image'] = image(to.images);
    facts.revision = String(to.revision);
    facts['template-hash'] = to.hash;
  }
  if (result.helm?.revision !== undefined) facts['helm-revision'] = String(result.helm.revision);
  if (result.mode === 'rollback') facts.verified = String(result.status === 'pass' && !result.dryRun);

  const headline = headlineOf(result, seconds);
  const sections: Section[] = [];
  if (result.broke) sections.push({ title: 'What broke', collapsed: false, priority: 10, markdown: result.broke });
  if (from || to)
    sections.push({
      title: result.mode === 'record' ? 'Recorded' : 'From → to',
      collapsed: false,
      priority: 20,
      table: {
        columns: ['', 'Revision', 'Images', 'Template hash'],
        rows: [
          ...(from ? [['from (current)', String(from.revision), image(from.images), from.hash]] : []),
          ...(to && result.mode === 'rollback'
            ? [
                [
                  `to${result.targetReason ? ` — ${result.targetReason}` : ''}`,
                  String(to.revision),
                  image(to.images),
                  to.hash,
                ],
              ]
            : []),
          ...(result.helm?.revision !== undefined
            ? [
                [
                  `Helm release ${result.helm.release}`,
                  `${result.helm.deployedRevision ?? '?'} → ${result.helm.revision}`,
                  '',
                  '',
                ],
              ]
            : []),
        ],
      },
    });
  return {
    schemaVersion: 1,
    gate: 'rollback',
    status: result.status,
    headline,
    checks: result.steps.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      actual: `${s.seconds.toFixed(1)} s`,
      message: s.message.slice(0, 4096),
    })),
    metrics: {},
    facts,
    sections,
    generatedAt,
  };
}

function headlineOf(result: RollbackResult, seconds: string): string {
  const w = result.workload;
  const from = result.from;
  const to = result.target;
  const arrow =
    from && to ? `revision ${from.revision} (${image(from.images)}) → ${to.revision} (${image(to.images)})` : '';
  let text: string;
  if (result.mode === 'record')
    text = result.error
      ? `Could not record ${w}: ${result.error.message}`
      : `Recorded ${w} at revision ${from?.revision} (${image(from?.images)})`;
  else if (result.error && result.status === 'error') text = `Rollback of ${w} not done: ${result.error.message}`;
  else if (result.error) text = `Rollback of ${w} not verified: ${result.error.message}`;
  else if (result.dryRun) text = `Dry run: ${w} would roll back ${arrow}`;
  else if (result.alreadyCurrent)
    text = `${w} already runs the target revision ${to?.revision} (${image(to?.images)}) — nothing rolled back`;
  else text = `Rolled back ${w} ${arrow} in ${seconds} s — verified`;
  return text.length > 500 ? `${text.slice(0, 497)}…` : text;
}
