import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describeError, GateError, GateReportSchema, renderComment } from '@myco-gates/core';
import { ContractInputError, FAIL_ON_VALUES, findMergeBase, runContractGate, type FailOn } from '@myco-gates/contract';
import type { ParsedArgs } from './args.js';
import { EXIT, type CliIo } from './io.js';

const FLAGS = [
  'spec',
  'base-spec',
  'base',
  'ruleset',
  'accept',
  'client',
  'client-command',
  'fail-on',
  'format',
  'help',
];

export const CONTRACT_HELP = `Usage: myco-gates contract --spec <file> [--base <ref> | --base-spec <file>] [flags]

Runs the openapi-contract gate locally, as the action does, and prints the PR comment.
  --spec <file>             the OpenAPI entry file (as the action's \`spec\` input)
  --base <ref>              compare with the spec at the merge base with <ref> (e.g. origin/main); lint findings on
                            lines changed since then are "new"
  --base-spec <file>        compare with this file instead
  --ruleset, --accept, --client, --client-command, --fail-on   as the action's inputs
  --format json             print the JSON report instead of markdown
Exit code: 0 pass or warn, 1 fail, 2 the gate could not run.`;

/**
 * \`myco-gates contract\`: lint, breaking-change diff, accept file and client sync, exactly as the action runs them.
 * @param args parsed flags.
 * @param io streams, environment and folder.
 * @returns the exit code.
 */
export async function contractCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.flags.has('help')) {
    io.stdout(`${CONTRACT_HELP}\n`);
    return EXIT.pass;
  }
  try {
    for (const name of args.flags.keys())
      if (!FLAGS.includes(name))
        throw new GateError(`--${name} is not a flag of \`myco-gates contract\``, {
          fix: 'Run `myco-gates contract --help`',
        });
    const flag = (id: string) => args.flags.get(id)?.at(-1);
    const spec = flag('spec');
    if (!spec)
      throw new GateError('--spec is required', { fix: 'Pass the OpenAPI entry file, e.g. `--spec api/openapi.yaml`' });
    const failOn = (flag('fail-on') ?? 'breaking') as FailOn;
    if (!FAIL_ON_VALUES.includes(failOn))
      throw new GateError(`--fail-on ${failOn} is not one of ${FAIL_ON_VALUES.join(', ')}`, {
        fix: 'Use `breaking`, `warning` or `never`',
      });
    const format = flag('format') ?? 'markdown';
    const root = gitTopLevel(io.cwd) ?? io.cwd;
    const base = flag('base');
    const mergeBase = base ? await findMergeBase(root, revParse(root, base)) : undefined;
    const result = await runContractGate({
      root,
      workingDirectory: resolve(io.cwd),
      spec,
      baseSpec: flag('base-spec'),
      mergeBase,
      ruleset: flag('ruleset'),
      accept: flag('accept'),
      client: flag('client'),
      clientCommand: flag('client-command'),
      failOn,
      log: (line) => io.stderr(`${line}\n`),
    });
    const report = GateReportSchema.parse(result.report);
    io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderComment(report));
    return report.status === 'fail' ? EXIT.fail : EXIT.pass;
  } catch (error) {
    // ContractInputError is a user mistake whose message already names file:line and the fix.
    const { userError, text } =
      error instanceof ContractInputError ? { userError: true, text: error.message } : describeError(error);
    io.stderr(
      `myco-gates contract failed with: ${text}${userError ? '' : '\nThis is a bug in Myco Gates; please report it.'}\n`,
    );
    return EXIT.error;
  }
}

function gitTopLevel(cwd: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined;
  }
}

function revParse(root: string, ref: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
  } catch {
    throw new GateError(`--base ${ref} is not a commit of this repository`, {
      fix: 'Pass a branch, tag or SHA, e.g. `--base origin/main`',
    });
  }
}
