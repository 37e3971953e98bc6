import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { gateReportJsonSchema, REPORT_SCHEMA_PATH } from './schema.js';

const committed = join(import.meta.dirname, '..', '..', '..', REPORT_SCHEMA_PATH);

describe('docs/gate-report.schema.json', () => {
  it('is up to date with report.ts (regenerate: UPDATE_SCHEMA=1 npx vitest run packages/core/src/schema.test.ts)', async () => {
    const options = await prettier.resolveConfig(committed);
    const fresh = await prettier.format(gateReportJsonSchema(), { ...options, filepath: committed });
    if (process.env.UPDATE_SCHEMA) writeFileSync(committed, fresh);
    expect(readFileSync(committed, 'utf8')).toBe(fresh);
  });

  it.each([
    [
      'a minimal report',
      {
        schemaVersion: 1,
        gate: 'coverage',
        status: 'pass',
        headline: 'ok',
        checks: [],
        metrics: {},
        generatedAt: 'now',
      },
      true,
    ],
    [
      'a report with a wrong status',
      {
        schemaVersion: 1,
        gate: 'coverage',
        status: 'great',
        headline: 'ok',
        checks: [],
        metrics: {},
        generatedAt: 'now',
      },
      false,
    ],
    [
      'a report without headline',
      { schemaVersion: 1, gate: 'coverage', status: 'pass', checks: [], metrics: {}, generatedAt: 'now' },
      false,
    ],
  ])('validates %s with a standard JSON Schema validator', (_name, report, valid) => {
    const Ajv = (Ajv2020 as unknown as { default?: typeof Ajv2020 }).default ?? Ajv2020;
    const validate = new Ajv({ strict: false }).compile(JSON.parse(gateReportJsonSchema()));
    expect(validate(report)).toBe(valid);
  });
});
