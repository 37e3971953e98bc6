import { z } from 'zod';
import { GateReportSchema } from './report.js';

/** Where the generated JSON Schema of the report is committed, relative to the repository root. */
export const REPORT_SCHEMA_PATH = 'docs/gate-report.schema.json';

/**
 * The JSON Schema of {@link GateReportSchema} as committed in docs/gate-report.schema.json, for consumers outside
 * TypeScript (the `report` output file, the fork-PR artifact). Describes the input form: fields with defaults are
 * optional.
 * @returns the schema text, formatted and newline-terminated.
 */
export function gateReportJsonSchema(): string {
  const schema = z.toJSONSchema(GateReportSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const document = {
    $schema: schema.$schema,
    $id: 'https://github.com/myco/myco-gates/blob/main/docs/gate-report.schema.json',
    title: 'Myco Gates GateReport',
    description:
      'The report every Myco Gates action writes (the `report` output) and `mode: report` uploads. Generated from packages/core/src/report.ts; do not edit by hand.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
