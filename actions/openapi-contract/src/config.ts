import { defineInputs, GateError, PUBLISH_MODES, readInputs } from '@myco-gates/core';
import { FAIL_ON_VALUES, type FailOn } from '@myco-gates/contract';

/** Every input of action.yml, read once (config.test.ts checks ids, `required` and defaults against action.yml). */
export const inputs = defineInputs({
  spec: {
    kind: 'string',
    description: 'Path of the OpenAPI entry file, relative to `working-directory` (not needed in `publish` mode).',
  },
  'base-spec': { kind: 'string', description: 'The spec to compare against; default the same path at the merge base.' },
  ruleset: { kind: 'string', description: 'A local Spectral ruleset replacing the house ruleset.' },
  accept: { kind: 'string', description: 'Accept file; default `.github/openapi-accept.yml` when it exists.' },
  client: { kind: 'string', description: 'Path of the committed generated types/client.' },
  'client-command': { kind: 'string', description: 'Generator command with `{spec}` and `{out}` placeholders.' },
  'fail-on': { kind: 'enum', values: FAIL_ON_VALUES, default: 'breaking', description: 'breaking, warning or never.' },
  'github-token': {
    kind: 'string',
    default: '${{ github.token }}',
    secret: true,
    description: 'Token for the PR comment.',
  },
  comment: { kind: 'boolean', default: 'true', description: 'Post or update one sticky comment.' },
  'comment-id': { kind: 'string', description: 'Distinguishes several sticky comments of this action in one PR.' },
  mode: { kind: 'enum', values: PUBLISH_MODES, default: 'gate', description: 'gate, report or publish.' },
  'working-directory': { kind: 'string', default: '.', description: 'Folder the path inputs are relative to.' },
});

/** Output ids, equal to action.yml's. */
export const Outputs = {
  Status: 'status',
  Breaking: 'breaking',
  Warnings: 'warnings',
  Accepted: 'accepted',
  Additions: 'additions',
  LintErrors: 'lint-errors',
  LintPreExisting: 'lint-pre-existing',
  Report: 'report',
  ArtifactPath: 'artifact-path',
} as const;

/** The action's settings, validated. */
export interface ActionConfig {
  /** Empty only in `publish` mode. */
  spec: string;
  baseSpec?: string;
  ruleset?: string;
  accept?: string;
  client?: string;
  clientCommand?: string;
  failOn: FailOn;
  token: string;
  comment: boolean;
  commentId?: string;
  mode: 'gate' | 'report' | 'publish';
  workingDirectory: string;
}

/**
 * Reads every input once through core's `readInputs` (the token is masked first).
 * @param getInput raw input source; defaults to the runner's `INPUT_*` variables.
 * @returns the typed configuration.
 */
export function readActionConfig(getInput?: (id: string) => string): ActionConfig {
  const v = readInputs(inputs, getInput);
  if (!v.spec && v.mode !== 'publish') {
    throw new GateError('Input `spec` is required but was not set.', {
      fix: 'Add `spec: path/to/openapi.yaml` under `with:` (relative to `working-directory`).',
    });
  }
  return {
    spec: v.spec ?? '',
    baseSpec: v.baseSpec,
    ruleset: v.ruleset,
    accept: v.accept,
    client: v.client,
    clientCommand: v.clientCommand,
    failOn: v.failOn,
    token: v.githubToken,
    comment: v.comment,
    commentId: v.commentId,
    mode: v.mode,
    workingDirectory: v.workingDirectory,
  };
}
