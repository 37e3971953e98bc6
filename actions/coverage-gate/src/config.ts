import { defineInputs, readInputs } from '@myco-gates/core';
import { COVERAGE_INPUTS, type CoverageInputValues } from '@myco-gates/coverage';

/** Every input of action.yml, read once (config.test.ts checks ids, `required` and defaults against action.yml). */
export const inputs = defineInputs(COVERAGE_INPUTS);

/** Output ids, equal to action.yml's. */
export const Outputs = {
  Status: 'status',
  Lines: 'lines',
  Branches: 'branches',
  Functions: 'functions',
  Statements: 'statements',
  Patch: 'patch',
  Report: 'report',
  ArtifactPath: 'artifact-path',
} as const;

/** The coverage outputs that read `n/a` when the reports have no data for them (never an empty string or 0). */
export const METRIC_OUTPUTS = [Outputs.Lines, Outputs.Branches, Outputs.Functions, Outputs.Statements, Outputs.Patch];

/** The action's settings: gate inputs for `buildCoverageConfig` plus how to publish. */
export interface ActionConfig {
  gate: CoverageInputValues;
  token: string;
  comment: boolean;
  annotations: boolean;
  mode: 'gate' | 'report' | 'publish';
  failOnError: boolean;
}

/**
 * Reads every input once through core's `readInputs` (secrets masked first).
 * @param getInput raw input source; defaults to the runner's `INPUT_*` variables.
 * @returns the typed configuration.
 */
export function readActionConfig(getInput?: (id: string) => string): ActionConfig {
  const values = readInputs(inputs, getInput);
  return {
    gate: values,
    token: values.githubToken,
    comment: values.comment,
    annotations: values.annotations,
    mode: values.mode,
    failOnError: values.failOnError,
  };
}
