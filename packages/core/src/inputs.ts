import * as core from '@actions/core';
import { parseDocument } from 'yaml';
import { GateError } from './errors.js';
import { maskSecrets } from './secrets.js';

interface InputBase {
  /** Shown in action.yml and the README. */
  description: string;
  /** The runner fails the step when a required input without default is missing; we check it again for the CLI. */
  required?: boolean;
  /** Same string as action.yml's `default:` (the runner passes it; the CLI and tests get it from here). */
  default?: string;
  /** Masked with `core.setSecret` before anything is logged, and never echoed in error messages. */
  secret?: boolean;
}

/** A free-text input. */
export interface StringInput extends InputBase {
  kind: 'string';
}
/** `true|True|TRUE|false|False|FALSE`, like the runner's `getBooleanInput`. */
export interface BooleanInput extends InputBase {
  kind: 'boolean';
}
/** A finite number, optionally bounded. */
export interface NumberInput extends InputBase {
  kind: 'number';
  min?: number;
  max?: number;
  integer?: boolean;
}
/** Items separated by newlines or commas; trimmed; empty items dropped. */
export interface ListInput extends InputBase {
  kind: 'list';
}
/** One of a fixed set of values (compared case-sensitively, after trimming). */
export interface EnumInput<V extends string = string> extends InputBase {
  kind: 'enum';
  values: readonly V[];
}

/** One declared input of an action. */
export type InputDefinition = StringInput | BooleanInput | NumberInput | ListInput | EnumInput;

/** All inputs of one action, keyed by their action.yml id (e.g. `github-token`). */
export type InputSpec = Record<string, InputDefinition>;

/** `github-token` -> `githubToken`. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type ValueOf<D extends InputDefinition> = D extends { kind: 'boolean' }
  ? boolean
  : D extends { kind: 'number' }
    ? number
    : D extends { kind: 'list' }
      ? string[]
      : D extends EnumInput<infer V>
        ? V
        : string;

/** Lists are never undefined (an absent list is `[]`); other inputs are when neither required nor defaulted. */
type Present<D extends InputDefinition> = D extends { kind: 'list' }
  ? true
  : D extends { required: true }
    ? true
    : D extends { default: string }
      ? true
      : false;

/** The typed values {@link readInputs} returns: camelCase keys, one per declared input. */
export type InputValues<S extends InputSpec> = {
  [K in keyof S & string as CamelCase<K>]: Present<S[K]> extends true ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/**
 * Declares an action's inputs once, keeping literal types (enum values, `required: true`) for {@link readInputs}.
 * @param spec inputs keyed by action.yml id.
 * @returns the same object.
 * @example
 * export const inputs = defineInputs({
 *   'github-token': { kind: 'string', description: 'Token', default: '${{ github.token }}', secret: true },
 *   mode: { kind: 'enum', values: ['gate', 'report', 'publish'], default: 'gate', description: 'Mode' },
 * });
 */
export function defineInputs<const S extends InputSpec>(spec: S): S {
  return spec;
}

const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

/**
 * Reads, masks and validates every declared input. Secret inputs are masked first, before any error can echo them.
 * @param spec the action's declaration ({@link defineInputs}).
 * @param getInput where raw values come from; defaults to `core.getInput` (the CLI passes its own).
 * @returns typed values with camelCase keys.
 * @throws GateError naming the input and its allowed values when a value is missing or invalid.
 */
export function readInputs<const S extends InputSpec>(
  spec: S,
  getInput: (id: string) => string = (id) => core.getInput(id),
): InputValues<S> {
  const raw = new Map<string, string>();
  for (const [id, def] of Object.entries(spec)) {
    const value = getInput(id) ?? '';
    raw.set(id, value);
    if (def.secret) maskSecrets([value]);
  }
  const result: Record<string, unknown> = {};
  for (const [id, def] of Object.entries(spec)) {
    let value = raw.get(id)!.trim();
    // The runner substitutes defaults itself; other callers (CLI, tests) get them here.
    if (value === '' && def.default !== undefined) value = def.default.trim();
    result[camelCase(id)] = parseInput(id, def, value);
  }
  return result as InputValues<S>;
}

function parseInput(id: string, def: InputDefinition, value: string): unknown {
  if (value === '') {
    if (def.required) {
      throw new GateError(`Input \`${id}\` is required but was not set.`, {
        fix: `Add \`${id}: …\` under \`with:\` in your workflow step (${def.description.trim()}).`,
      });
    }
    return def.kind === 'list' ? [] : undefined;
  }
  const shown = def.secret ? '(secret value)' : JSON.stringify(value);
  switch (def.kind) {
    case 'string':
      return value;
    case 'boolean':
      if (TRUE_VALUES.includes(value)) return true;
      if (FALSE_VALUES.includes(value)) return false;
      throw new GateError(`Input \`${id}\` must be a boolean, got ${shown}.`, {
        fix: `Use \`true\` or \`false\` for \`${id}\`.`,
      });
    case 'number': {
      const n = Number(value);
      const bounds = [
        def.min !== undefined ? `≥ ${def.min}` : '',
        def.max !== undefined ? `≤ ${def.max}` : '',
        def.integer ? 'a whole number' : '',
      ]
        .filter(Boolean)
        .join(', ');
      const fix = `Use a number${bounds ? ` (${bounds})` : ''} for \`${id}\`, e.g. \`${id}: ${def.default ?? def.min ?? 0}\`.`;
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) || !Number.isFinite(n))
        throw new GateError(`Input \`${id}\` must be a number, got ${shown}.`, { fix });
      if (
        (def.integer && !Number.isInteger(n)) ||
        (def.min !== undefined && n < def.min) ||
        (def.max !== undefined && n > def.max)
      )
        throw new GateError(`Input \`${id}\` is out of range: ${shown}.`, { fix });
      return n;
    }
    case 'list':
      return value
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'enum':
      if (def.values.includes(value)) return value;
      throw new GateError(
        `Input \`${id}\` must be one of ${def.values.map((v) => `\`${v}\``).join(', ')}; got ${shown}.`,
        {
          fix: `Set \`${id}\` to one of: ${def.values.join(', ')}.`,
        },
      );
  }
}

/**
 * `github-token` -> `githubToken`, the key {@link readInputs} uses.
 * @param id an action.yml id.
 * @returns the camelCase key.
 */
export function camelCase<S extends string>(id: S): CamelCase<S> {
  return id.replace(/-([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase()) as CamelCase<S>;
}

/** The parts of an action.yml that configs are checked against. */
export interface ActionYml {
  inputs: Record<string, { description?: string; required: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
}

/**
 * Parses action.yml text into its inputs and outputs.
 * @param actionYmlText the file content.
 * @param file shown in errors; defaults to `action.yml`.
 * @returns inputs (with `required` defaulting to false and defaults as strings) and outputs.
 * @throws GateError with the file and line when the YAML is malformed or not an action definition.
 */
export function parseActionYml(actionYmlText: string, file = 'action.yml'): ActionYml {
  const doc = parseDocument(actionYmlText, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new GateError(`invalid YAML: ${first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, {
      fix: 'Fix the YAML syntax of the action definition.',
      file,
      line: first.linePos?.[0]?.line,
    });
  }
  const data = doc.toJS() as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new GateError('not an action definition (expected a mapping at the top level)', {
      fix: 'An action.yml needs `name`, `inputs`, `outputs` and `runs` keys.',
      file,
    });
  const { inputs = {}, outputs = {} } = data as { inputs?: unknown; outputs?: unknown };
  const result: ActionYml = { inputs: {}, outputs: {} };
  for (const [id, value] of Object.entries(asMapping(inputs, 'inputs', file))) {
    const def = (value ?? {}) as { description?: unknown; required?: unknown; default?: unknown };
    result.inputs[id] = {
      description: typeof def.description === 'string' ? def.description : undefined,
      required: def.required === true || def.required === 'true',
      default: def.default === undefined || def.default === null ? undefined : String(def.default),
    };
  }
  for (const [id, value] of Object.entries(asMapping(outputs, 'outputs', file))) {
    const def = (value ?? {}) as { description?: unknown };
    result.outputs[id] = { description: typeof def.description === 'string' ? def.description : undefined };
  }
  return result;
}

function asMapping(value: unknown, key: string, file: string): Record<string, unknown> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new GateError(`\`${key}\` must be a mapping of ids to definitions`, {
      fix: `Write \`${key}:\` as \`id: { description: … }\` entries.`,
      file,
    });
  return value as Record<string, unknown>;
}

/**
 * Lists every disagreement between an action's declared inputs and its action.yml: ids missing on either side, the
 * `required` flag, and defaults. Each action's config test asserts the list is empty.
 * @param spec the action's {@link InputSpec}.
 * @param actionYmlText the action.yml content.
 * @returns human-readable disagreements; empty when both agree.
 */
export function compareWithActionYml(spec: InputSpec, actionYmlText: string): string[] {
  const yml = parseActionYml(actionYmlText);
  const problems: string[] = [];
  for (const [id, def] of Object.entries(spec)) {
    const declared = yml.inputs[id];
    if (!declared) {
      problems.push(`input \`${id}\` is in config.ts but missing from action.yml`);
      continue;
    }
    if (!!def.required !== declared.required)
      problems.push(
        `input \`${id}\`: required is ${!!def.required} in config.ts but ${declared.required} in action.yml`,
      );
    if (def.default !== declared.default)
      problems.push(
        `input \`${id}\`: default is ${JSON.stringify(def.default)} in config.ts but ${JSON.stringify(declared.default)} in action.yml`,
      );
    if (def.kind === 'enum' && declared.default !== undefined && !def.values.includes(declared.default))
      problems.push(`input \`${id}\`: action.yml default ${JSON.stringify(declared.default)} is not an allowed value`);
  }
  for (const id of Object.keys(yml.inputs))
    if (!(id in spec)) problems.push(`input \`${id}\` is in action.yml but missing from config.ts`);
  return problems;
}

/** An action's outputs keyed by action.yml id. */
export type OutputSpec = Record<string, { description: string }>;

/**
 * Reads the output ids and descriptions of an action.yml.
 * @param actionYmlText the action.yml content.
 * @returns outputs keyed by id.
 */
export function readActionOutputsSpec(actionYmlText: string): OutputSpec {
  const yml = parseActionYml(actionYmlText);
  return Object.fromEntries(Object.entries(yml.outputs).map(([id, o]) => [id, { description: o.description ?? '' }]));
}

/**
 * Lists disagreements between the outputs an action sets and the ones its action.yml declares.
 * @param outputIds output ids the action's code sets (e.g. `Object.values(Outputs)` or a {@link OutputSpec}'s keys).
 * @param actionYmlText the action.yml content.
 * @returns human-readable disagreements; empty when both agree.
 */
export function compareOutputsWithActionYml(outputIds: Iterable<string> | OutputSpec, actionYmlText: string): string[] {
  const ids = new Set(Symbol.iterator in Object(outputIds) ? (outputIds as Iterable<string>) : Object.keys(outputIds));
  const declared = readActionOutputsSpec(actionYmlText);
  const problems: string[] = [];
  for (const id of ids)
    if (!(id in declared)) problems.push(`output \`${id}\` is set by the code but missing from action.yml`);
  for (const id of Object.keys(declared))
    if (!ids.has(id)) problems.push(`output \`${id}\` is in action.yml but never set by the code`);
  return problems;
}
