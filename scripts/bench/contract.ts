// One engine on one OpenAPI pair, timed inside the process: tsx scripts/bench/contract.ts <ours|openapi-diff> <base> <head> <root>.
// Prints `@@diff {"ms":…,"changes":…,"breaking":…}`.
import { readFileSync } from 'node:fs';
import { diffFiles } from '@myco-gates/contract/diff';

const [engine, base, head, root] = process.argv.slice(2);
const started = performance.now();
if (engine === 'ours') {
  const changes = diffFiles(base, head, { root });
  const ms = performance.now() - started;
  console.log(
    `@@diff ${JSON.stringify({ ms, changes: changes.length, breaking: changes.filter((c) => c.level !== 'INFO').length })}`,
  );
} else {
  const { default: openapiDiff } = await import('openapi-diff');
  const spec = (location: string) => {
    const content = readFileSync(location, 'utf8');
    const format = /"swagger"\s*:|^swagger:/m.test(content.slice(0, 2000)) ? 'swagger2' : 'openapi3';
    return { content, location, format } as const;
  };
  const result = await openapiDiff.diffSpecs({ sourceSpec: spec(base), destinationSpec: spec(head) });
  const ms = performance.now() - started;
  const breaking = result.breakingDifferencesFound ? result.breakingDifferences.length : 0;
  const all = breaking + result.nonBreakingDifferences.length + result.unclassifiedDifferences.length;
  console.log(`@@diff ${JSON.stringify({ ms, changes: all, breaking })}`);
}
