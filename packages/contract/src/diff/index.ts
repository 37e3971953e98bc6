import { loadSpec, type LoadOptions } from '../load/index.js';
import { diffSpecs } from './engine.js';
import type { Change, DiffOptions } from './types.js';

export { diffSpecs, parseSunset } from './engine.js';
export { levelOf, LEVELS } from './rules.js';
export type { Change, DiffOptions, Level } from './types.js';

/** Options of {@link diffFiles}: loader limits and root plus diff options. */
export interface DiffFilesOptions extends LoadOptions, DiffOptions {}

/**
 * Loads two spec files and diffs them; the one-call entry used by `npm run bench` and the CLI.
 * @param baseEntry entry file of the base spec. @param headEntry entry file of the head spec.
 * @param options `root` (both files and their `$ref`s must live under it), limits and diff options.
 * @returns the changes, ERR first.
 * @throws ContractInputError when either spec cannot be loaded.
 * @example diffFiles('base/openapi.yaml', 'openapi.yaml', { root: process.cwd() })
 */
export function diffFiles(baseEntry: string, headEntry: string, options: DiffFilesOptions = {}): Change[] {
  const base = loadSpec(baseEntry, options);
  const head = loadSpec(headEntry, options);
  return diffSpecs(base, head, options);
}
