import { resolve } from 'node:path';
import { describeError, GateReportSchema, readInputs, renderComment, type InputSpec } from '@myco-gates/core';
import {
  buildValidateConfig,
  generateMonitoring,
  runSloValidate,
  SLO_VALIDATE_INPUTS,
  SloInputError,
  SloSpecError,
} from '@myco-gates/slo';
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
export async function sloCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [action, specArg] = args.positional;
  if (action === 'validate') return sloValidateCommand(args, io);
  if (action !== 'generate') {
    io.stderr(`Usage: myco-gates slo generate [spec] [--check]\n${SLO_VALIDATE_HELP}\n`);
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

export const SLO_VALIDATE_HELP = `Usage: myco-gates slo validate --prometheus-url <url> --slo-spec <file> --since <time> [--<input> <value>]… [--format markdown|json]

Runs slo-validate's decision locally, exactly as the action does, and prints the report.
Every action input is a flag (--slos, --until, --duration, --interval, --initial-delay, --baseline, --confidence,
--on-inconclusive, --on-no-data, --min-events, --request-timeout, --retry-timeout); INPUT_<NAME> variables work too.
Credentials are read only from INPUT_BEARER_TOKEN, INPUT_BASIC_AUTH and INPUT_HEADERS, so they stay out of your shell
history. Exit code: 0 pass, warn or inconclusive, 1 fail, 2 could not check (engine error or bad input).`;

const LOCAL_FLAGS = ['format', 'help'];
const ENV_ONLY = new Set(['bearer-token', 'basic-auth', 'headers']);

/**
 * \`myco-gates slo validate\`: the same inputs, decision and report as actions/slo-validate; prints the markdown
 * comment (or the JSON report) and exits 1 on a breach, 2 when the SLOs could not be checked.
 * @param args parsed flags.
 * @param io streams, environment and folder.
 * @returns the exit code.
 */
export async function sloValidateCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.flags.has('help')) {
    io.stdout(`${SLO_VALIDATE_HELP}\n`);
    return EXIT.pass;
  }
  try {
    const known = new Set([...Object.keys(SLO_VALIDATE_INPUTS), ...LOCAL_FLAGS]);
    for (const name of args.flags.keys()) {
      if (ENV_ONLY.has(name))
        throw new SloInputError(
          `flag --${name} is not accepted`,
          `set INPUT_${name.toUpperCase().replace(/-/g, '_')} instead`,
        );
      if (!known.has(name) || name === 'github-token' || name === 'comment' || name === 'comment-id')
        throw new SloInputError(
          `flag --${name} is not an input of slo validate`,
          'run `myco-gates slo validate --help`',
        );
    }
    const flag = (id: string) => args.flags.get(id)?.join('\n');
    const format = flag('format') ?? 'markdown';
    if (format !== 'markdown' && format !== 'json')
      throw new SloInputError(`flag --format: \`${format}\` is not a format`, 'use `markdown` or `json`');
    const getInput = (id: string) =>
      (ENV_ONLY.has(id) ? undefined : flag(id)) ?? io.env[`INPUT_${id.toUpperCase().replace(/ /g, '_')}`] ?? '';
    // Not masked with ::add-mask:: (that would print the secret to a terminal); they are never logged either way.
    const { 'github-token': _t, comment: _c, 'comment-id': _i, ...inputs } = SLO_VALIDATE_INPUTS;
    const local = Object.fromEntries(
      Object.entries(inputs).map(([id, def]) => [id, { ...def, secret: false }]),
    ) as unknown as typeof inputs satisfies InputSpec;
    const values = readInputs(local, getInput);
    const config = buildValidateConfig({ ...values, workingDirectory: resolve(io.cwd, values.workingDirectory) });
    const { result, report } = await runSloValidate(config, { log: (line) => io.stderr(`${line}\n`) });
    const full = GateReportSchema.parse(report);
    io.stdout(format === 'json' ? `${JSON.stringify(full, null, 2)}\n` : renderComment(full));
    if (result.error) return EXIT.error;
    return result.status === 'fail' ? EXIT.fail : EXIT.pass;
  } catch (error) {
    const { userError, text } = describeError(error);
    io.stderr(
      `myco-gates slo validate failed with: ${text}${userError ? '' : '\nThis is a bug in Myco Gates; please report it.'}\n`,
    );
    return EXIT.error;
  }
}
