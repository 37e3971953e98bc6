import './heap.js';
import * as core from '@actions/core';
import { createGitHubClient, describeError, publishReport, readGitHubContext } from '@myco-gates/core';
import { asUserError, buildCoverageConfig, runCoverageGate } from '@myco-gates/coverage';
import { githubArtifactApi } from './artifacts.js';
import { METRIC_OUTPUTS, Outputs, readActionConfig } from './config.js';

/** The action: read the config, run the gate, publish the report; fail the step when coverage fails. */
export async function run(): Promise<void> {
  const config = readActionConfig();
  try {
    const context = readGitHubContext();
    if (config.mode === 'publish') {
      await publishReport(null, { mode: 'publish', token: config.token, comment: config.comment });
      return;
    }
    const gate = buildCoverageConfig(config.gate, process.env.GITHUB_WORKSPACE || process.cwd());
    const pr = context.payload.pull_request;
    const pullRequest =
      pr && typeof pr.base?.sha === 'string' ? { number: pr.number, baseSha: pr.base.sha } : undefined;
    const artifacts =
      config.token && context.owner
        ? githubArtifactApi(createGitHubClient(config.token), context.owner, context.repo)
        : undefined;
    const report = await runCoverageGate(gate, {
      pullRequest,
      commit: pr?.head?.sha ?? context.sha,
      artifacts,
      log: core.info,
    });
    const result = await publishReport(report, {
      mode: config.mode,
      token: config.token,
      comment: config.comment,
      annotations: config.annotations,
    });
    for (const id of METRIC_OUTPUTS) if (!(id in result.outputs)) core.setOutput(id, 'n/a');
    if (!result.outputs[Outputs.ArtifactPath]) core.setOutput(Outputs.ArtifactPath, '');
    if (report.status === 'fail') core.setFailed(`coverage-gate: ${report.headline}`);
  } catch (error) {
    // `fail-on-error: false` keeps a broken report from blocking merges; the reason still shows as a warning.
    const reason = asUserError(error);
    if (config.failOnError) throw reason;
    core.warning(`coverage-gate could not run: ${describeError(reason).text}`);
    core.setOutput(Outputs.Status, 'error');
  }
}
