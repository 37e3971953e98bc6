import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineInputs, maskSecrets, readInputs } from '@myco-gates/core';
import {
  K8S_ROLLBACK_INPUTS,
  checkNames,
  parseTimeoutSeconds,
  splitCommandLine,
  type RollbackConfig,
} from '@myco-gates/rollout';

/** Every input of action.yml, read once (config.test.ts checks ids, `required` and defaults against action.yml). */
export const inputs = defineInputs(K8S_ROLLBACK_INPUTS);

/** Output ids, equal to action.yml's; publishReport sets them from the report's facts. */
export const Outputs = {
  Revision: 'revision',
  TemplateHash: 'template-hash',
  RolledBack: 'rolled-back',
  FromRevision: 'from-revision',
  ToRevision: 'to-revision',
  FromImage: 'from-image',
  ToImage: 'to-image',
  DurationSeconds: 'duration-seconds',
  Status: 'status',
  Report: 'report',
} as const;

/** The action's settings: the rollback's plus how to publish. */
export interface ActionConfig {
  rollback: RollbackConfig;
  token: string;
  comment: boolean;
  commentId?: string;
}

// Keys of a kubeconfig whose values are credentials; a kubectl error or a debug line must never show them.
const CREDENTIAL_KEYS =
  /^\s*-?\s*(token|client-key-data|client-certificate-data|password|id-token|refresh-token|access-token|client-secret):\s*["']?([^\s"']+)/;

/**
 * Masks every credential of the kubeconfig(s) kubectl will read, before any command runs.
 * @param paths the `kubeconfig` input, or `$KUBECONFIG` (colon separated) / `~/.kube/config`.
 * @returns how many values were masked.
 */
export function maskKubeconfig(paths: string[]): number {
  const values: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split(/\r?\n/)) {
      const m = CREDENTIAL_KEYS.exec(line);
      if (m) values.push(m[2]);
    }
  }
  return maskSecrets(values).length;
}

/**
 * Reads every input once through core's `readInputs` (the token masked first), checks names, and masks the
 * kubeconfig's credentials.
 * @param getInput raw input source; defaults to the runner's `INPUT_*` variables.
 * @returns the typed configuration.
 */
export function readActionConfig(getInput?: (id: string) => string): ActionConfig {
  const values = readInputs(inputs, getInput);
  const kubeconfigs = values.kubeconfig
    ? [values.kubeconfig]
    : (process.env.KUBECONFIG || join(homedir(), '.kube', 'config')).split(':').filter(Boolean);
  maskKubeconfig(kubeconfigs);
  const rollback = checkNames({
    mode: values.mode,
    kind: values.kind,
    name: values.name,
    namespace: values.namespace,
    toRevision: values.toRevision || undefined,
    timeoutSeconds: parseTimeoutSeconds('timeout', values.timeout),
    dryRun: values.dryRun,
    kubeconfig: values.kubeconfig || undefined,
    context: values.context || undefined,
    kubectl: values.kubectl,
    helm: values.helm,
    helmPath: values.helmPath,
    resumePaused: values.resumePaused,
    verifyReport: values.verifyReport || undefined,
    verifyCommand: values.verifyCommand ? splitCommandLine(values.verifyCommand) : undefined,
  });
  return { rollback, token: values.githubToken, comment: values.comment, commentId: values.commentId };
}
