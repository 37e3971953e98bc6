import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments } from 'yaml';

/**
 * One service level objective, normalized from OpenSLO v1 or Sloth `prometheus/v1`. Everything downstream (recording
 * rules, alerts, dashboards, slo-validate) reads only this, so the gate and the on-call dashboard cannot disagree.
 */
export interface SloDefinition {
  /** Unique id, a Prometheus label value: `backend-availability`. */
  name: string;
  /** The service it belongs to: `backend`. */
  service: string;
  /** Human title: `Backend availability`. */
  displayName: string;
  description: string;
  /** Target ratio of good events, 0 < objective < 1: 0.995 for 99.5 %. */
  objective: number;
  /** The SLO period in Prometheus duration syntax: `30d`. */
  window: string;
  /** PromQL giving the rate of bad events; `{{.window}}` stands for the range (`5m`, `1h` …). */
  errorQuery: string;
  /** PromQL giving the rate of all events, with the same placeholder. */
  totalQuery: string;
  /** A breach of this SLO after a deploy is a critical rollback trigger (the seed's `rollback_triggers.critical`). */
  critical: boolean;
  /** Where it was defined, for error messages and comments. */
  source: { file: string; line: number };
}

/** A spec file that can't be read as SLOs; carries the file, line and the fix. */
export class SloSpecError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | undefined,
    readonly fix: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${message} — ${fix}`);
    this.name = 'SloSpecError';
  }
}

/** Annotation (OpenSLO) or label (Sloth) marking an SLO as a critical rollback trigger. */
export const ROLLBACK_ANNOTATION = 'myco-gates.dev/rollback-trigger';
export const ROLLBACK_LABEL = 'rollback_trigger';
const WINDOW = '{{.window}}';
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DURATION = /^\d+[smhdwy]$/;

type Doc = Record<string, any>;

/**
 * Reads an SLO spec file: OpenSLO v1 (`apiVersion: openslo/v1`, kinds SLO and SLI, several documents per file) or Sloth
 * (`version: prometheus/v1`).
 * @param file path of the YAML file.
 * @returns the SLOs it defines, in file order.
 * @throws SloSpecError naming the file, line and fix for anything malformed.
 * @example readSloSpec('sample-app/monitoring/slos.yaml')
 */
export function readSloSpec(file: string): SloDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SloSpecError('cannot read the SLO spec', file, undefined, 'check the path of the SLO file');
  }
  return parseSloSpec(text, file);
}

/**
 * Parses SLO spec text; see {@link readSloSpec}.
 * @param text YAML text.
 * @param file the name used in errors.
 * @returns the SLOs it defines.
 */
export function parseSloSpec(text: string, file: string): SloDefinition[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const parsed: Array<{ doc: Doc; line: number }> = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) {
      const err = doc.errors[0];
      throw new SloSpecError(
        `invalid YAML: ${err.message.split('\n')[0]}`,
        file,
        lineCounter.linePos(err.pos[0]).line,
        'fix the YAML syntax',
      );
    }
    let value: Doc | null;
    try {
      value = doc.toJS({ maxAliasCount: 100 }) as Doc | null;
    } catch (error) {
      // yaml throws a ReferenceError for alias bombs ("Excessive alias count …").
      throw new SloSpecError(
        `cannot expand YAML: ${(error as Error).message}`,
        file,
        undefined,
        'remove the YAML aliases (&anchor / *alias)',
      );
    }
    if (value === null || value === undefined) continue;
    const line = doc.contents ? lineCounter.linePos(doc.contents.range[0]).line : 1;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new SloSpecError(
        'a document is not a mapping',
        file,
        line,
        'each YAML document must be an OpenSLO object or a Sloth spec',
      );
    parsed.push({ doc: value, line });
  }
  if (!parsed.length)
    throw new SloSpecError(
      'no SLOs found',
      file,
      undefined,
      'add OpenSLO v1 `kind: SLO` documents or a Sloth `prometheus/v1` spec',
    );

  const slos =
    parsed[0].doc.version === 'prometheus/v1'
      ? fromSloth(parsed[0].doc, file, parsed[0].line)
      : fromOpenSlo(parsed, file);
  const seen = new Set<string>();
  for (const slo of slos) {
    if (seen.has(slo.name))
      throw new SloSpecError(
        `SLO \`${slo.name}\` is defined twice`,
        file,
        slo.source.line,
        'give every SLO a unique name',
      );
    seen.add(slo.name);
  }
  return slos;
}

function fromOpenSlo(docs: Array<{ doc: Doc; line: number }>, file: string): SloDefinition[] {
  const slis = new Map<string, Doc>();
  for (const { doc, line } of docs) {
    if (doc.apiVersion !== 'openslo/v1')
      throw new SloSpecError(
        `unsupported apiVersion \`${doc.apiVersion ?? doc.version}\``,
        file,
        line,
        'use `apiVersion: openslo/v1` or a Sloth `version: prometheus/v1` spec',
      );
    if (doc.kind === 'SLI') slis.set(String(doc.metadata?.name), doc.spec ?? {});
  }
  const slos: SloDefinition[] = [];
  for (const { doc, line } of docs) {
    if (doc.kind !== 'SLO') continue;
    const where = (what: string) => `SLO \`${doc.metadata?.name ?? '?'}\`: ${what}`;
    const name = checkName(doc.metadata?.name, file, line);
    const spec: Doc = doc.spec ?? {};
    const indicator: Doc | undefined =
      spec.indicator?.spec ?? (spec.indicatorRef ? slis.get(spec.indicatorRef) : undefined);
    if (!indicator)
      throw new SloSpecError(
        where(spec.indicatorRef ? `indicatorRef \`${spec.indicatorRef}\` names no SLI` : 'no indicator'),
        file,
        line,
        'add `spec.indicator` or an `indicatorRef` to an SLI document in the same file',
      );
    const ratio: Doc | undefined = indicator.ratioMetric;
    if (!ratio)
      throw new SloSpecError(
        where('only ratioMetric indicators are supported'),
        file,
        line,
        'express the SLI as `ratioMetric` with `bad` (or `good`) and `total` Prometheus queries',
      );
    const query = (part: string): string | undefined => {
      const source = ratio[part]?.metricSource;
      if (!source) return undefined;
      if (source.type !== 'Prometheus')
        throw new SloSpecError(where(`metricSource type \`${source.type}\``), file, line, 'use `type: Prometheus`');
      return checkQuery(source.spec?.query, file, line, `${name} ${part}`);
    };
    const total = query('total');
    const bad = query('bad');
    const good = query('good');
    if (!total || (!bad && !good))
      throw new SloSpecError(
        where('ratioMetric needs `total` and `bad` or `good`'),
        file,
        line,
        'add the missing metricSource query',
      );
    const target = Number(
      spec.objectives?.[0]?.target ?? Number((spec.objectives?.[0]?.targetPercent / 100).toPrecision(12)),
    );
    const window = String(spec.timeWindow?.[0]?.duration ?? '');
    slos.push({
      name,
      service: String(spec.service ?? ''),
      displayName: String(doc.metadata?.displayName ?? name),
      description: String(spec.description ?? ''),
      objective: checkObjective(target, file, line, name),
      window: checkWindow(window, file, line, name),
      errorQuery: bad ?? `(${total}) - (${good})`,
      totalQuery: total,
      critical: doc.metadata?.annotations?.[ROLLBACK_ANNOTATION] === 'critical',
      source: { file, line },
    });
  }
  if (!slos.length) throw new SloSpecError('no `kind: SLO` documents', file, undefined, 'add at least one OpenSLO SLO');
  return slos;
}

function fromSloth(doc: Doc, file: string, line: number): SloDefinition[] {
  if (!Array.isArray(doc.slos) || !doc.slos.length)
    throw new SloSpecError('Sloth spec without `slos`', file, line, 'list the SLOs under `slos:`');
  return doc.slos.map((slo: Doc) => {
    const name = checkName(slo.name, file, line);
    const events: Doc = slo.sli?.events ?? {};
    return {
      name,
      service: String(doc.service ?? ''),
      displayName: String(slo.name),
      description: String(slo.description ?? ''),
      objective: checkObjective(Number((Number(slo.objective) / 100).toPrecision(12)), file, line, name),
      window: '30d',
      errorQuery: checkQuery(events.error_query, file, line, `${name} error_query`),
      totalQuery: checkQuery(events.total_query, file, line, `${name} total_query`),
      critical: slo.labels?.[ROLLBACK_LABEL] === 'critical',
      source: { file, line },
    };
  });
}

function checkName(name: unknown, file: string, line: number): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw new SloSpecError(
      `SLO name \`${String(name)}\` is not a DNS label`,
      file,
      line,
      'use lower-case letters, digits and dashes (it becomes a Prometheus label value)',
    );
  return name;
}

function checkObjective(objective: number, file: string, line: number, name: string): number {
  if (!(objective > 0 && objective < 1))
    throw new SloSpecError(
      `SLO \`${name}\` objective must be between 0 and 100 %`,
      file,
      line,
      'set `target: 0.995` (OpenSLO) or `objective: 99.5` (Sloth)',
    );
  return objective;
}

function checkWindow(window: string, file: string, line: number, name: string): string {
  if (!DURATION.test(window))
    throw new SloSpecError(
      `SLO \`${name}\` has no valid timeWindow duration`,
      file,
      line,
      'set `timeWindow: [{duration: 30d, isRolling: true}]`',
    );
  return window;
}

function checkQuery(query: unknown, file: string, line: number, what: string): string {
  if (typeof query !== 'string' || !query.trim())
    throw new SloSpecError(`${what}: empty query`, file, line, 'give a PromQL query');
  if (!query.includes(WINDOW))
    throw new SloSpecError(
      `${what}: the query has no \`${WINDOW}\` range placeholder`,
      file,
      line,
      'write ranges as `[{{.window}}]` so rules can be generated for every window',
    );
  return query.trim();
}

/**
 * Substitutes the range placeholder in an SLI query.
 * @param query a query with `{{.window}}`.
 * @param window a Prometheus duration such as `5m`.
 * @returns the runnable PromQL.
 */
export function withWindow(query: string, window: string): string {
  return query.split(WINDOW).join(window);
}
