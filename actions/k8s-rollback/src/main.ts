import * as core from '@actions/core';
import { getExecOutput } from '@actions/exec';
import { GateError, publishReport, redact } from '@myco-gates/core';
import { buildRollbackReport, runRollback, type RunCommand } from '@myco-gates/rollout';
import { readActionConfig } from './config.js';

/** kubectl and helm through @actions/exec: argument arrays, no shell, output captured and redacted. */
const runCommand: RunCommand = async (command, args) => {
  let result;
  try {
    result = await getExecOutput(command, args, { ignoreReturnCode: true, silent: true });
  } catch (error) {
    throw new GateError(`cannot run \`${command}\`: ${(error as Error).message}`, {
      fix: 'install it on the runner or set the `kubectl` / `helm-path` input to its path',
    });
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: redact(result.stderr) };
};

/** The action: read the config, record or roll back, publish the report; fail the step unless it passed. */
export async function run(): Promise<void> {
  const config = readActionConfig();
  const result = await runRollback(config.rollback, { run: runCommand, log: (line) => core.info(redact(line)) });
  const report = buildRollbackReport(result);
  await publishReport(
    { ...report, commentId: config.commentId },
    { mode: 'gate', token: config.token, comment: config.comment, annotations: false },
  );
  if (result.status !== 'pass')
    core.setFailed(`k8s-rollback: ${report.headline}${result.error ? ` — ${result.error.fix}` : ''}`);
}
