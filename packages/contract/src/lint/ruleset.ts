import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ruleset, type RulesetDefinition } from '@stoplight/spectral-core';
import * as formats from '@stoplight/spectral-formats';
import * as functions from '@stoplight/spectral-functions';
import { arazzo, asyncapi } from '@stoplight/spectral-rulesets';
import { fastOas } from '../../rulesets/examples.js';
import { houseRuleset } from '../../rulesets/house.js';
import { lineOf, parseSource, type SourceDocument } from '../accept/yaml-source.js';
import { ContractInputError } from '../load/errors.js';

/**
 * Rulesets a user file may extend by name; nothing is fetched from the network or from npm. `spectral:oas` is
 * Spectral's, with its example checks compiling each schema once (same findings, see rulesets/examples.ts).
 */
const NAMED_RULESETS: Record<string, RulesetDefinition> = {
  'spectral:oas': fastOas,
  'spectral:asyncapi': asyncapi as RulesetDefinition,
  'spectral:arazzo': arazzo as RulesetDefinition,
  'myco:house': houseRuleset,
};

const FUNCTIONS = functions as unknown as Record<string, unknown>;
const FORMATS = formats as unknown as Record<string, unknown>;
const SEVERITIES = new Set(['off', 'recommended', 'all']);

let houseCache: Ruleset | undefined;

/**
 * The Spectral ruleset to lint with: the house ruleset, or a local ruleset file that replaces it.
 * @param file absolute path of a `.spectral.yaml`/`.yml`/`.json`, or undefined for the house ruleset.
 * @param root repository root, to show repo-relative paths in errors.
 * @returns a ready Spectral `Ruleset`.
 * @throws ContractInputError naming `file:line` when the file is missing, malformed, extends something remote, or
 *   uses a function that does not exist.
 */
export async function loadRuleset(file: string | undefined, root: string): Promise<Ruleset> {
  if (!file) return (houseCache ??= new Ruleset(houseRuleset, { severity: 'recommended' }));
  const definition = await readDefinition(file, root, []);
  try {
    return new Ruleset(definition, { severity: 'recommended', source: file });
  } catch (error) {
    const first = (error as { errors?: { message: string; path?: string[] }[] }).errors?.[0];
    const detail = first?.message ?? (error as Error).message;
    throw new ContractInputError(
      `invalid Spectral ruleset: ${detail.split('\n')[0]}`,
      { file: relative(root, file) },
      'correct the ruleset (see https://docs.stoplight.io/docs/spectral/ ruleset format) or leave `ruleset` empty to use the house ruleset',
    );
  }
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

async function readDefinition(file: string, root: string, chain: string[]): Promise<RulesetDefinition> {
  const rel = relative(root, file);
  if (chain.includes(file)) {
    throw new ContractInputError(
      `ruleset extends itself (${[...chain, file].map((f) => relative(root, f)).join(' → ')})`,
      { file: rel },
      'remove the circular `extends`',
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ContractInputError(
      'the Spectral ruleset file does not exist',
      { file: rel },
      'set `ruleset` to a local .spectral.yaml relative to `working-directory`, or leave it empty for the house ruleset',
    );
  }
  const parsed = parseSource(text, rel);
  if (parsed.error) {
    throw new ContractInputError(
      `the ruleset is not valid YAML/JSON: ${parsed.error.message}`,
      { file: rel, line: parsed.error.line },
      'fix the syntax at this line',
    );
  }
  const source = parsed.source;
  const raw = source.doc.toJS() as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ContractInputError(
      'a ruleset must be a mapping with `extends` and/or `rules`',
      { file: rel, line: 1 },
      'start the file with `extends: ["spectral:oas"]`',
    );
  }
  const def = { ...(raw as Record<string, unknown>) };
  const fail = (at: (string | number)[], problem: string, fix: string): never => {
    throw new ContractInputError(problem, { file: rel, line: lineOf(source, at) }, fix);
  };
  for (const key of ['functions', 'functionsDir']) {
    if (key in def)
      fail(
        [key],
        'custom JavaScript functions in rulesets are not supported by this action',
        'express the rule with Spectral core functions (truthy, pattern, schema, …) or run your custom rules in a separate Spectral step',
      );
  }
  if (def.extends !== undefined) def.extends = await mapExtends(def.extends, file, root, chain, source, fail);
  if (def.formats !== undefined) def.formats = mapFormats(def.formats, ['formats'], fail);
  if (def.rules !== undefined) def.rules = mapRules(def.rules, ['rules'], fail);
  if (Array.isArray(def.overrides)) {
    def.overrides = await Promise.all(
      def.overrides.map(async (o: Record<string, unknown>, i: number) => {
        const out = { ...o };
        if (out.rules !== undefined) out.rules = mapRules(out.rules, ['overrides', i, 'rules'], fail);
        if (out.extends !== undefined) out.extends = await mapExtends(out.extends, file, root, chain, source, fail);
        if (out.formats !== undefined) out.formats = mapFormats(out.formats, ['overrides', i, 'formats'], fail);
        return out;
      }),
    );
  }
  return def as RulesetDefinition;
}

type Fail = (at: (string | number)[], problem: string, fix: string) => never;

async function mapExtends(
  value: unknown,
  file: string,
  root: string,
  chain: string[],
  _source: SourceDocument,
  fail: Fail,
): Promise<unknown> {
  const list = Array.isArray(value) ? value : [value];
  const out: unknown[] = [];
  for (const [i, item] of list.entries()) {
    const [name, severity] = Array.isArray(item) ? item : [item, undefined];
    const at = Array.isArray(value) ? ['extends', i] : ['extends'];
    if (typeof name !== 'string')
      fail(at, '`extends` entries must be ruleset names or local paths', 'write e.g. `extends: ["spectral:oas"]`');
    if (severity !== undefined && !SEVERITIES.has(String(severity)))
      fail(at, `unknown extends severity "${String(severity)}"`, 'use one of off, recommended, all');
    let definition: RulesetDefinition;
    if (name in NAMED_RULESETS) definition = NAMED_RULESETS[name];
    else if (/^https?:\/\//i.test(name))
      fail(
        at,
        `remote ruleset "${name}" is not fetched (the gate reads local files only)`,
        'download the ruleset into the repository and extend its local path',
      );
    else if (name.startsWith('.') || path.isAbsolute(name))
      definition = await readDefinition(path.resolve(path.dirname(file), name), root, [...chain, file]);
    else
      fail(
        at,
        `ruleset "${name}" is not a local file or a built-in (spectral:oas, spectral:asyncapi, spectral:arazzo, myco:house)`,
        'vendor the package ruleset into the repository and extend it by a relative path (./rules/x.yaml)',
      );
    out.push(severity === undefined ? definition! : [definition!, severity]);
  }
  return out;
}

function mapFormats(value: unknown, at: (string | number)[], fail: Fail): unknown[] {
  if (!Array.isArray(value)) fail(at, '`formats` must be a list', 'write e.g. `formats: [oas3]`');
  return (value as unknown[]).map((name, i) => {
    const format = typeof name === 'string' ? FORMATS[name] : undefined;
    if (typeof format !== 'function')
      fail([...at, i], `unknown format "${String(name)}"`, `use one of ${Object.keys(FORMATS).join(', ')}`);
    return format;
  });
}

function mapRules(value: unknown, at: (string | number)[], fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(at, '`rules` must be a mapping of rule names', 'write `rules: { my-rule: { given: …, then: … } }`');
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(value as Record<string, unknown>)) {
    if (typeof rule !== 'object' || rule === null) {
      out[name] = rule; // a severity override such as `operation-tags: off`
      continue;
    }
    const r = { ...(rule as Record<string, unknown>) };
    if (r.formats !== undefined) r.formats = mapFormats(r.formats, [...at, name, 'formats'], fail);
    if (r.then !== undefined) {
      const thens = Array.isArray(r.then) ? r.then : [r.then];
      const mapped = thens.map((t: Record<string, unknown>, i: number) => {
        const thenAt = Array.isArray(r.then) ? [...at, name, 'then', i] : [...at, name, 'then'];
        if (typeof t !== 'object' || t === null)
          fail(thenAt, '`then` must be a mapping with `function`', 'write `then: { function: truthy }`');
        const fn = typeof t.function === 'string' ? FUNCTIONS[t.function] : undefined;
        if (typeof fn !== 'function')
          fail(
            [...thenAt, 'function'],
            `unknown Spectral function "${String(t.function)}"`,
            `use a core function: ${Object.keys(FUNCTIONS)
              .filter((k) => typeof FUNCTIONS[k] === 'function')
              .join(', ')}`,
          );
        return { ...t, function: fn };
      });
      r.then = Array.isArray(r.then) ? mapped : mapped[0];
    }
    out[name] = r;
  }
  return out;
}
