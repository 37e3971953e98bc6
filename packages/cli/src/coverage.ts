import { execFileSync } from 'node:child_process';
import { describeError, readGitHubContext, readInputs, renderComment } from '@myco-gates/core';
import {
  COVERAGE_INPUTS,
  CoverageGateError,
  asUserError,
  buildCoverageConfig,
  runCoverageGate,
  type PullRequestInfo,
} from '@myco-gates/coverage';
import type { ParsedArgs } from './args.js';
import { EXIT, type CliIo } from './io.js';

/** Flags of `myco-gates coverage` that are not action inputs. */
const LOCAL_FLAGS = ['base', 'format', 'help'];

export const COVERAGE_HELP = `Usage: myco-gates coverage [--<input> <value>]… [--base <ref>] [--format markdown|json]

Runs the coverage gate locally exactly as the action does and prints the PR comment.
Every action input is a flag (--reports, --thresholds, --package-thresholds, --patch-threshold,
--max-drop, --file-threshold, --packages, --config, --base-report, --missing-base, --missing-package,
--comment-id, --working-directory); INPUT_<NAME> variables work too. Repeat a flag for several lines.
  --base <ref>      compute patch coverage against the merge base with <ref> (e.g. origin/main)
  --format json     print the JSON report instead of markdown
Exit code: 0 pass or warn, 1 fail, 2 the gate could not run.`;

/**
 * `myco-gates coverage`: the same config spec, policy and evaluation as the action; prints the comment markdown.
 * @param args parsed flags.
 * @param io streams, environment and folder.
 * @returns the exit code.
 */
export async function coverageCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.flags.has('help')) {
    io.stdout(`${COVERAGE_HELP}\n`);
    return EXIT.pass;
  }
  try {
    const known = new Set([...Object.keys(COVERAGE_INPUTS), ...LOCAL_FLAGS]);
    for (const name of args.flags.keys()) {
      if (!known.has(name)) {
        throw new CoverageGateError(
          `flag --${name}`,
          'is not an input of the coverage gate',
          'Run `myco-gates coverage --help` for the list',
        );
      }
    }
    const flag = (id: string) => args.flags.get(id)?.join('\n');
    const format = flag('format') ?? 'markdown';
    if (format !== 'markdown' && format !== 'json') {
      throw new CoverageGateError('flag --format', `\`${format}\` is not a format`, 'Use `markdown` or `json`');
    }
    // Same precedence as the runner: the flag, else INPUT_<ID> (the form the runner passes inputs in).
    const getInput = (id: string) => flag(id) ?? io.env[`INPUT_${id.toUpperCase()}`] ?? '';
    // The token is left out: nothing is posted locally, and masking it would print `::add-mask::` into the markdown.
    const { 'github-token': _token, ...localInputs } = COVERAGE_INPUTS;
    const values = readInputs(localInputs, getInput);
    const config = buildCoverageConfig(values, io.cwd);
    const report = await runCoverageGate(config, {
      pullRequest: pullRequestFrom(flag('base'), io, config.workspace),
      log: (message) => io.stderr(`${message}\n`),
    });
    io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderComment(report));
    return report.status === 'fail' ? EXIT.fail : EXIT.pass;
  } catch (error) {
    const { userError, text } = describeError(asUserError(error));
    io.stderr(
      `myco-gates coverage failed with: ${text}${userError ? '' : '\nThis is a bug in Myco Gates; please report it.'}\n`,
    );
    return EXIT.error;
  }
}

/** The base to diff against: `--base <ref>`, else the pull request of a `GITHUB_EVENT_PATH` payload. */
function pullRequestFrom(base: string | undefined, io: CliIo, workspace: string): PullRequestInfo | undefined {
  if (base) {
    let sha: string;
    try {
      sha = execFileSync('git', ['rev-parse', '--verify', `${base}^{commit}`], {
        cwd: workspace,
        encoding: 'utf8',
        stdio: 'pipe',
      }).trim();
    } catch {
      throw new CoverageGateError(
        'flag --base',
        `\`${base}\` is not a commit of this repository`,
        'Pass a branch, tag or SHA, e.g. `--base origin/main`',
      );
    }
    return { baseSha: sha };
  }
  const context = readGitHubContext(io.env);
  const pr = context.payload.pull_request;
  if (pr && typeof pr.base?.sha === 'string') return { number: pr.number, baseSha: pr.base.sha };
  return undefined;
}
