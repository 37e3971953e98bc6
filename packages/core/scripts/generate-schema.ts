// Regenerates docs/gate-report.schema.json from the zod model: `npx tsx packages/core/scripts/generate-schema.ts`
// (or `UPDATE_SCHEMA=1 npx vitest run packages/core/src/schema.test.ts`). Formatted with the repo's prettier config,
// so `prettier --check` and the freshness test agree.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { gateReportJsonSchema, REPORT_SCHEMA_PATH } from '../src/schema.js';

const target = join(import.meta.dirname, '..', '..', '..', REPORT_SCHEMA_PATH);
const options = await prettier.resolveConfig(target);
writeFileSync(target, await prettier.format(gateReportJsonSchema(), { ...options, filepath: target }));
console.log(`wrote ${target}`);
