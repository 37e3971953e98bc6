import { resolve } from 'node:path';
import { generateMonitoring, SloSpecError } from '@myco-gates/slo';
import type { ParsedArgs } from './args.js';
import { EXIT, type CliIo } from './io.js';

/** Where the sample app keeps its SLO spec; the default of `myco-gates slo generate`. */
export const DEFAULT_SLO_SPEC = 'sample-app/monitoring/slos.yaml';

/**
 * `myco-gates slo generate [spec] [--check]`: writes the recording rules, burn-rate and production alerts and the two
 * Grafana dashboards next to the spec; `--check` writes nothing and fails when a generated file is out of date.
 * @param args parsed arguments (`generate` first).
 * @param io streams and folder.
 * @returns the exit code.
 */
export function sloCommand(args: ParsedArgs, io: CliIo): number {
  const [action, specArg] = args.positional;
  if (action !== 'generate') {
    io.stderr('Usage: myco-gates slo generate [spec] [--check]\n');
    return EXIT.error;
  }
  const spec = resolve(io.cwd, specArg ?? DEFAULT_SLO_SPEC);
  const check = args.flags.has('check');
  try {
    const changed = generateMonitoring(spec, { check });
    for (const file of changed) io.stderr(`${check ? 'out of date' : 'wrote'}: ${file}\n`);
    if (check && changed.length) {
      io.stderr('Run `npx tsx packages/cli/src/index.ts slo generate` and commit the generated files.\n');
      return EXIT.fail;
    }
    if (!changed.length) io.stderr('generated files are up to date\n');
    return EXIT.pass;
  } catch (error) {
    if (error instanceof SloSpecError) {
      io.stderr(`myco-gates slo failed with: ${error.message}\n`);
      return EXIT.error;
    }
    throw error;
  }
}
