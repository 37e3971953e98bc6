import { z } from 'zod';

/**
 * The one report model every gate produces. Renderers (PR comment, job summary, annotations, outputs) and the
 * notify action read only this, so a gate never formats markdown itself.
 */

/** Outcome of a gate or of one check. `error` means the gate could not run (bad input, API down). */
export const StatusSchema = z.enum(['pass', 'warn', 'fail', 'inconclusive', 'error']);
export type Status = z.infer<typeof StatusSchema>;

/** A place in the repository (repo-relative path, 1-based lines and columns). */
export const LocationSchema = z.object({
  file: z.string().min(1).max(1024),
  line: z.number().int().positive().optional(),
  endLine: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
});
export type Location = z.infer<typeof LocationSchema>;

/** One evaluated rule: a threshold, a breaking change, an SLO objective. */
export const CheckSchema = z.object({
  /** Stable id, e.g. `lines`, `package:backend:branches`, `response-property-removed:<fingerprint>`. */
  id: z.string().min(1).max(512),
  /** Short human title, e.g. `Lines (backend)`. */
  title: z.string().max(512),
  status: StatusSchema,
  /** Measured value, already formatted or numeric, e.g. `84.12%`. */
  actual: z.union([z.string().max(256), z.number()]).optional(),
  /** What the policy expects, e.g. `≥ 85%`. */
  expected: z.string().max(256).optional(),
  message: z.string().max(4096).optional(),
  location: LocationSchema.optional(),
});
export type Check = z.infer<typeof CheckSchema>;

/** A table or free markdown block shown in the comment and summary. */
export const SectionSchema = z.object({
  title: z.string().max(256),
  /** Shown inside a collapsed `<details>` block in the PR comment. */
  collapsed: z.boolean().default(false),
  /** Lower is more important; when the comment is over budget, the highest priority numbers are dropped first. */
  priority: z.number().int().min(0).max(100).default(50),
  table: z
    .object({
      columns: z.array(z.string().max(256)).max(20),
      /** Alignment per column (`l`, `r`, `c`); defaults to left. */
      align: z
        .array(z.enum(['l', 'r', 'c']))
        .max(20)
        .optional(),
      rows: z.array(z.array(z.string().max(4096)).max(20)).max(100_000),
    })
    .optional(),
  markdown: z.string().max(1_000_000).optional(),
  /** Text shown under the table/markdown, e.g. a note about policy. */
  note: z.string().max(4096).optional(),
});
export type Section = z.infer<typeof SectionSchema>;

/** A file annotation candidate. Renderers pick the most important within GitHub's caps. */
export const AnnotationSchema = z.object({
  level: z.enum(['error', 'warning', 'notice']),
  file: z.string().min(1).max(1024),
  line: z.number().int().positive(),
  endLine: z.number().int().positive().optional(),
  title: z.string().max(256).optional(),
  message: z.string().max(4096),
  /** Lower is more important among annotations of the same level. */
  priority: z.number().int().min(0).max(100).default(50),
});
export type Annotation = z.infer<typeof AnnotationSchema>;

export const GateReportSchema = z.object({
  schemaVersion: z.literal(1),
  /** Which gate produced it: `coverage`, `contract`, `slo`, `rollback`, `notify`. */
  gate: z.string().min(1).max(64),
  /** Optional id distinguishing several runs of one gate (matrix jobs); part of the sticky comment marker. */
  commentId: z.string().max(128).optional(),
  status: StatusSchema,
  /** One line, shown first: e.g. `Coverage 84.12% lines — below the 85% threshold`. */
  headline: z.string().min(1).max(512),
  checks: z.array(CheckSchema).max(100_000),
  /** Numeric results by name, e.g. `lines: 84.12`. Also the source of action outputs. */
  metrics: z.record(z.string().max(128), z.number()),
  /**
   * How to print a metric (outputs, summary): `percent` with 2 decimals, `count` as a whole number. Metrics not
   * listed print whole numbers as such and anything else with 2 decimals.
   */
  metricUnits: z.record(z.string().max(128), z.enum(['percent', 'count', 'seconds', 'ratio'])).optional(),
  /**
   * The gate's outcome as strings other steps and gates read (notify builds its message from them): slo-validate's
   * `rollback` and `breached`, k8s-rollback's `from-image`, `to-image`, `rolled-back` … Also set as action outputs.
   */
  facts: z
    .record(
      z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/)
        .max(64),
      z.string().max(2048),
    )
    .optional(),
  sections: z.array(SectionSchema).max(1000).default([]),
  annotations: z.array(AnnotationSchema).max(100_000).default([]),
  /** Where the full report can be read when the comment had to drop detail (e.g. the run's summary URL). */
  detailsUrl: z.string().max(2048).optional(),
  commit: z.string().max(64).optional(),
  pullRequest: z.number().int().positive().optional(),
  generatedAt: z.string().max(64),
});
export type GateReport = z.infer<typeof GateReportSchema>;
/** What a gate builds; defaults (sections, annotations, priorities) are filled in by {@link GateReportSchema}. */
export type GateReportInput = z.input<typeof GateReportSchema>;

/** Ranking of statuses, worst last; `worstStatus` uses it to roll checks up into a gate status. */
const SEVERITY: Record<Status, number> = { pass: 0, inconclusive: 1, warn: 2, fail: 3, error: 4 };

/**
 * The worst of several statuses (`error` > `fail` > `warn` > `inconclusive` > `pass`).
 * @param statuses statuses of checks; an empty list is `pass`.
 * @returns the most severe status.
 * @example worstStatus(['pass', 'warn']) // 'warn'
 */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'pass';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/** The emoji shown beside a status in comments and summaries. */
export const STATUS_ICON: Record<Status, string> = {
  pass: '✅',
  warn: '⚠️',
  fail: '❌',
  inconclusive: '❔',
  error: '💥',
};
