import * as core from '@actions/core';
import { describeError, publishReport } from '@myco-gates/core';
import { buildValidateConfig, runSloValidate } from '@myco-gates/slo';
import { Outputs, readActionConfig } from './config.js';

/** The action: read the config, judge the SLOs, publish the report; fail the step on a breach. */
export async function run(): Promise<void> {
  const config = readActionConfig();
  try {
    const gate = buildValidateConfig({
      ...config.gate,
      workingDirectory: config.gate.workingDirectory || process.env.GITHUB_WORKSPACE || '.',
    });
    core.info(
      `slo-validate: ${gate.slos.length} SLO(s) of ${gate.specFile} on ${gate.engineUrl}, ` +
        (gate.plan.durationSeconds > 0
          ? `watching ${gate.plan.durationSeconds} s every ${gate.plan.intervalSeconds} s from ${gate.plan.since.toISOString()}`
          : `window ${gate.plan.since.toISOString()} → ${gate.plan.until!.toISOString()}`),
    );
    const { result, report } = await runSloValidate(gate, { log: core.info });
    await publishReport(
      { ...report, commentId: config.commentId },
      { mode: 'gate', token: config.token, comment: config.comment, annotations: false },
    );
    if (result.error) {
      const reason = `slo-validate could not check the SLOs: ${result.error.message}`;
      if (config.failOnError) core.setFailed(reason);
      else core.warning(reason);
    } else if (result.status === 'fail') core.setFailed(`slo-validate: ${report.headline}`);
    else if (result.status !== 'pass') core.warning(`slo-validate: ${report.headline}`);
  } catch (error) {
    // Bad input never means "breached": the outputs say `error` and no rollback, whatever `fail-on-error` says.
    core.setOutput(Outputs.Status, 'error');
    core.setOutput(Outputs.Rollback, 'false');
    core.setOutput(Outputs.Breached, '');
    if (config.failOnError) throw error;
    core.warning(`slo-validate could not run: ${describeError(error).text}`);
  }
}
