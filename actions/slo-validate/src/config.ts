import { defineInputs, maskSecrets, readInputs } from '@myco-gates/core';
import { SLO_VALIDATE_INPUTS, type SloValidateInputValues } from '@myco-gates/slo';

/** Every input of action.yml, read once (config.test.ts checks ids, `required` and defaults against action.yml). */
export const inputs = defineInputs(SLO_VALIDATE_INPUTS);

/** Output ids, equal to action.yml's; one more output per SLO, `sli-<id>`, comes from the report's metrics. */
export const Outputs = {
  Status: 'status',
  Rollback: 'rollback',
  Breached: 'breached',
  Report: 'report',
} as const;

/** The action's settings: the gate's input values plus how to publish. */
export interface ActionConfig {
  gate: SloValidateInputValues;
  token: string;
  comment: boolean;
  commentId?: string;
  failOnError: boolean;
}

/**
 * Reads every input once through core's `readInputs` (secret inputs masked first). Header values and the basic-auth
 * password are masked on their own too, since a log line may show them without their header name.
 * @param getInput raw input source; defaults to the runner's `INPUT_*` variables.
 * @returns the typed configuration.
 */
export function readActionConfig(getInput?: (id: string) => string): ActionConfig {
  const values = readInputs(inputs, getInput);
  const headerValues = (values.headers ?? '').split(/\r?\n/).map((line) => line.slice(line.indexOf(':') + 1).trim());
  const password = values.basicAuth?.slice(values.basicAuth.indexOf(':') + 1);
  maskSecrets([...headerValues, password, values.basicAuth && Buffer.from(values.basicAuth).toString('base64')]);
  return {
    gate: values,
    token: values.githubToken,
    comment: values.comment,
    commentId: values.commentId,
    failOnError: values.failOnError,
  };
}
