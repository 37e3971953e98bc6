import { createRulesetFunction, type RulesetDefinition } from '@stoplight/spectral-core';
import type { IFunctionResult } from '@stoplight/spectral-core';
import { oas2, oas3 } from '@stoplight/spectral-formats';
import { fastOas } from './examples.js';

/**
 * The Myco Gates house ruleset: `spectral:oas` (recommended) plus four rules every API of ours follows.
 * It is TypeScript rather than YAML so the action bundle carries it without reading files next to the bundle.
 * A repository's own `.spectral.yaml` can pull it in with `extends: ["myco:house"]`.
 */

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Operation descriptions shorter than this say nothing a summary does not; longer ones belong in docs. */
export const DESCRIPTION_MIN = 10;
export const DESCRIPTION_MAX = 500;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function* operations(root: unknown): Generator<{ path: string; method: string; operation: Json }> {
  if (!isObject(root) || !isObject(root.paths)) return;
  for (const [path, item] of Object.entries(root.paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (isObject(operation)) yield { path, method, operation };
    }
  }
}

const operationDescription = createRulesetFunction<Json, null>(
  { input: { type: 'object' }, options: null },
  (operation, _options, ctx) => {
    const description = operation.description;
    if (typeof description !== 'string' || description.trim() === '') {
      return [
        {
          message: `Operation has no description: add one of ${DESCRIPTION_MIN}–${DESCRIPTION_MAX} characters.`,
        },
      ];
    }
    const length = description.trim().length;
    if (length < DESCRIPTION_MIN || length > DESCRIPTION_MAX) {
      return [
        {
          message: `Operation description is ${length} characters; keep it between ${DESCRIPTION_MIN} and ${DESCRIPTION_MAX}.`,
          path: [...ctx.path, 'description'],
        },
      ];
    }
    return [];
  },
);

/** Keys whose values are data (payloads), never schemas, so a `properties` key inside them is not a schema keyword. */
const LITERAL_KEYS = new Set(['example', 'examples', 'x-examples', 'default', 'enum', 'const']);

/**
 * One walk over the resolved document, each object once. Matching `$..properties[*]` instead reaches a shared schema
 * once per `$ref` path to it (hundreds of thousands of times in Box's spec) and made this rule cost as much as half
 * of spectral:oas; the first path reached is enough, Spectral maps it back through the `$ref` to the source line.
 */
const propertyDescription = createRulesetFunction<unknown, null>({ input: null, options: null }, (root) => {
  const results: IFunctionResult[] = [];
  const seen = new WeakSet<object>();
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i]));
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (LITERAL_KEYS.has(key)) continue;
      if (key === 'properties' && isObject(value) && !seen.has(value)) {
        seen.add(value);
        for (const [name, property] of Object.entries(value)) {
          const at = [...path, key, name];
          if (
            isObject(property) &&
            !('$ref' in property) &&
            !(typeof property.description === 'string' && property.description.trim() !== '')
          ) {
            results.push({ message: `Property "${name}" has no description.`, path: at });
          }
          walk(property, at);
        }
        continue;
      }
      walk(value, [...path, key]);
    }
  };
  walk(root, []);
  return results;
});

/**
 * Canonical JSON of a (resolved, possibly cyclic) schema, so structurally equal error schemas compare equal even
 * when one is inline and another is a `$ref`.
 */
function canonical(value: unknown, stack: Set<unknown> = new Set()): string {
  if (!isObject(value) && !Array.isArray(value)) return JSON.stringify(value) ?? 'null';
  if (stack.has(value)) return '"[cycle]"';
  stack.add(value);
  const out = Array.isArray(value)
    ? `[${value.map((v) => canonical(v, stack)).join(',')}]`
    : `{${Object.keys(value)
        // Documentation-only keywords do not change what a client has to parse.
        .filter((k) => k !== 'description' && k !== 'example' && k !== 'examples' && k !== 'title')
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical(value[k], stack)}`)
        .join(',')}}`;
  stack.delete(value);
  return out;
}

const errorSchema = createRulesetFunction<unknown, null>({ input: null, options: null }, (root) => {
  const seen: { identity: string; path: (string | number)[]; where: string }[] = [];
  const identities = new Map<unknown, string>();
  const identify = (schema: unknown): string => {
    let identity = identities.get(schema);
    if (identity === undefined) {
      identity = canonical(schema);
      identities.set(schema, identity);
    }
    return identity;
  };
  for (const { path, method, operation } of operations(root)) {
    if (!isObject(operation.responses)) continue;
    for (const [code, response] of Object.entries(operation.responses)) {
      if (!/^[45]/.test(code) || !isObject(response)) continue;
      const where = `${method.toUpperCase()} ${path} ${code}`;
      const base = ['paths', path, method, 'responses', code];
      if (isObject(response.content)) {
        for (const [mediaType, media] of Object.entries(response.content)) {
          if (isObject(media) && isObject(media.schema))
            seen.push({ identity: identify(media.schema), path: [...base, 'content', mediaType, 'schema'], where });
        }
      } else if (isObject(response.schema)) {
        seen.push({ identity: identify(response.schema), path: [...base, 'schema'], where });
      }
    }
  }
  if (seen.length < 2) return [];
  const counts = new Map<string, { count: number; first: string }>();
  for (const s of seen) {
    const c = counts.get(s.identity);
    if (c) c.count++;
    else counts.set(s.identity, { count: 1, first: s.where });
  }
  if (counts.size === 1) return [];
  // The most used schema is taken as the house error schema; ties go to the first one seen.
  let house = seen[0].identity;
  for (const [identity, c] of counts) if (c.count > counts.get(house)!.count) house = identity;
  const reference = counts.get(house)!;
  const results: IFunctionResult[] = [];
  for (const s of seen) {
    if (s.identity === house) continue;
    results.push({
      message: `4xx/5xx responses should share one error schema: ${s.where} differs from the schema used by ${reference.count} of ${seen.length} error responses (e.g. ${reference.first}).`,
      path: s.path,
    });
  }
  return results;
});

const operationSecurity = createRulesetFunction<unknown, null>({ input: null, options: null }, (root) => {
  const globalSecurity = isObject(root) && Array.isArray(root.security) && root.security.length > 0;
  const results: IFunctionResult[] = [];
  for (const { path, method, operation } of operations(root)) {
    // An explicit `security: []` marks a public operation on purpose, so any `security` key counts.
    if (Array.isArray(operation.security) || globalSecurity) continue;
    results.push({
      message: `${method.toUpperCase()} ${path} has no security requirement: add \`security\` (or \`security: []\` if it is public on purpose).`,
      path: ['paths', path, method],
    });
  }
  return results;
});

/** The house ruleset as a Spectral ruleset definition (used when the `ruleset` input is empty). */
export const houseRuleset: RulesetDefinition = {
  documentationUrl: 'https://github.com/myco-gates/myco-gates/blob/main/docs/openapi-contract.md#house-ruleset',
  extends: [[fastOas, 'recommended']],
  formats: [oas2, oas3],
  rules: {
    // Superseded by house-operation-description, which also checks the length; keeping both would double-report.
    'operation-description': 'off',
    'house-operation-description': {
      description: `Every operation has a description of ${DESCRIPTION_MIN}–${DESCRIPTION_MAX} characters.`,
      severity: 'warn',
      given: HTTP_METHODS.map((m) => `$.paths[*].${m}`),
      message: '{{error}}',
      then: { function: operationDescription },
    },
    'house-property-description': {
      description: 'Every schema property has a description.',
      severity: 'warn',
      given: '$',
      message: '{{error}}',
      then: { function: propertyDescription },
    },
    'house-error-schema': {
      description: '4xx/5xx responses share one error schema (the same $ref or a structurally equal schema).',
      severity: 'warn',
      given: '$',
      message: '{{error}}',
      then: { function: errorSchema },
    },
    'house-operation-security': {
      description: 'Every operation has a security requirement, or an explicit `security: []` when public.',
      severity: 'error',
      given: '$',
      message: '{{error}}',
      then: { function: operationSecurity },
    },
  },
};
