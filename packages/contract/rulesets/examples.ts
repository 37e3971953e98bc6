import {
  createRulesetFunction,
  type IFunctionResult,
  type RulesetDefinition,
  type RulesetFunction,
  type RulesetFunctionContext,
} from '@stoplight/spectral-core';
import { pointerToPath } from '@stoplight/json';
import { extractDraftVersion, oas2, oas3_0, oas3_1, oas3_2 } from '@stoplight/spectral-formats';
import { schema as schemaFunction } from '@stoplight/spectral-functions';
import { oas } from '@stoplight/spectral-rulesets';
import { CodeGen } from 'ajv/dist/compile/codegen/index.js';
import traverse from 'json-schema-traverse';

/**
 * `spectral:oas` with its five schema-validating rules made fast, and their findings unchanged.
 *
 * Spectral's `oasExample` and `oasSchema` functions deep-clone the schema on every call (to strip `id`, relax
 * `required` for readOnly/writeOnly and map Swagger 2.0's `x-nullable`), and Ajv caches compiled validators by object
 * identity, so every example in a spec compiles a fresh validator: 40–65 % of a whole lint on the five large public
 * specs (11 s of DigitalOcean's 27 s), and 4.5 s on Kubernetes where `duplicated-entry-in-enum` recompiles the same
 * two-keyword schema for each of 3,000 enums. The functions below do the same transformation but hand Ajv one object
 * per distinct schema text, so each distinct schema is compiled once per lint. Their logic follows
 * @stoplight/spectral-rulesets 1.23 (`oasExample`, `oasSchema`; Apache-2.0); `examples.test.ts` checks that they give
 * exactly Spectral's findings.
 */

type Json = Record<string, unknown>;
type Path = (string | number)[];
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const isPlainObject = (value: unknown): value is Json => isObject(value) && !Array.isArray(value);

/**
 * Per lint run (keyed by Spectral's document inventory): one schema object per distinct JSON text and flags, and the
 * Swagger 2.0 rewrite of each, so Ajv's identity cache hits.
 */
interface RunCache {
  byText: Map<string, Json>;
  oas2: WeakMap<object, Json>;
  /** Keys of schemas Ajv rejects as invalid: those calls go to Spectral's own function (see oasExample). */
  invalid: Set<string>;
}
const runs = new WeakMap<object, RunCache>();
function runCache(context: RulesetFunctionContext): RunCache {
  let cache = runs.get(context.documentInventory);
  if (!cache) {
    cache = { byText: new Map(), oas2: new WeakMap(), invalid: new Set() };
    runs.set(context.documentInventory, cache);
  }
  return cache;
}

interface ValidationError {
  keyword: string;
  schemaPath: string;
  message?: string;
}

/** OAS 3.0 and 2.0 `nullable`: Ajv's "must be object" becomes "must be object,null" like Spectral's. */
function rewriteNullable(schema: Json, errors: ValidationError[]): void {
  for (const error of errors) {
    if (error.keyword !== 'type') continue;
    const value = schemaProperty(schema, error.schemaPath);
    if (isPlainObject(value) && value.nullable === true) error.message += ',null';
  }
}

function schemaProperty(schema: Json, schemaPath: string): unknown {
  let value: unknown = schema;
  for (const segment of pointerToPath(schemaPath).slice(0, -1)) {
    if (!isPlainObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}

function visitOas2(schema: traverse.SchemaObject): void {
  if (schema['x-nullable'] === true) {
    schema.nullable = true;
    delete schema['x-nullable'];
  }
}

interface OasSchemaOptions {
  schema: Json;
}

/** Spectral's `oasSchema`: validate a value against a schema in the document's dialect. */
function validateOasSchema(target: unknown, options: OasSchemaOptions, context: RulesetFunctionContext) {
  const formats = context.document.formats;
  let schema = options.schema;
  let dialect = 'draft4';
  let prepareResults: ((errors: ValidationError[]) => void) | undefined;
  if (!formats) {
    dialect = 'auto';
  } else if (formats.has(oas3_2) || formats.has(oas3_1)) {
    const data = context.document.data as unknown;
    dialect =
      isPlainObject(data) && typeof data.jsonSchemaDialect === 'string'
        ? (extractDraftVersion(data.jsonSchemaDialect) ?? 'draft2020-12')
        : 'draft2020-12';
  } else if (formats.has(oas3_0)) {
    prepareResults = rewriteNullable.bind(null, schema);
  } else if (formats.has(oas2)) {
    const cache = runCache(context).oas2;
    let rewritten = cache.get(schema);
    if (!rewritten) {
      rewritten = JSON.parse(JSON.stringify(schema)) as Json;
      traverse(rewritten, visitOas2);
      cache.set(schema, rewritten);
    }
    schema = rewritten;
    prepareResults = rewriteNullable.bind(null, rewritten);
  }
  return withoutCodeOptimization(() =>
    schemaFunction(target, { ...options, schema, prepareResults, dialect } as never, context),
  );
}

/**
 * Run `fn` with Ajv's code optimization pass off. The pass (`code.optimize`, on by default, and Spectral's Ajv
 * instances take no options) inlines names in each generated validator; it never changes what a validator accepts, and
 * here each validator runs only a few times, so the pass cost more than it saved: a fifth of Twilio's whole lint.
 */
function withoutCodeOptimization<T>(fn: () => T): T {
  const optimize = Object.getOwnPropertyDescriptor(CodeGen.prototype, 'optimize');
  CodeGen.prototype.optimize = () => {};
  try {
    return fn();
  } finally {
    if (optimize) Object.defineProperty(CodeGen.prototype, 'optimize', optimize);
  }
}

/** Drop-in for spectral:oas's `oasSchema` (used by `duplicated-entry-in-enum`). */
export const oasSchema = createRulesetFunction<unknown, OasSchemaOptions>(
  { input: null, options: { type: 'object', properties: { schema: { type: 'object' } }, additionalProperties: false } },
  validateOasSchema,
);

const MEDIA_ITEMS: Record<2 | 3, { field: string; multiple: boolean; keyed: boolean }[]> = {
  2: [{ field: 'examples', multiple: true, keyed: false }],
  3: [
    { field: 'example', multiple: false, keyed: false },
    { field: 'examples', multiple: true, keyed: true },
  ],
};
const REQUEST_MEDIA_PATHS: Record<2 | 3, string[][]> = {
  2: [],
  3: [
    ['components', 'requestBodies'],
    ['paths', '*', '*', 'requestBody'],
  ],
};
const RESPONSE_MEDIA_PATHS: Record<2 | 3, string[][]> = {
  2: [['responses'], ['paths', '*', '*', 'responses']],
  3: [
    ['components', 'responses'],
    ['paths', '*', '*', 'responses'],
  ],
};
const SCHEMA_ITEMS: Record<2 | 3, string[]> = { 2: ['example', 'x-example', 'default'], 3: ['example', 'default'] };

const isSubpath = (path: Path, prefixes: string[][]) =>
  prefixes.some((prefix) => prefix.every((segment, i) => segment === '*' || segment === path[i]));

function* mediaItems(target: Json, path: Path, version: 2 | 3): Generator<{ value: unknown; path: Path }> {
  for (const { field, keyed, multiple } of MEDIA_ITEMS[version]) {
    if (!(field in target)) continue;
    const value = target[field];
    if (!multiple) {
      yield { value, path: [...path, field] };
      return;
    }
    if (!isObject(value)) continue;
    for (const key of Object.keys(value)) {
      const example = value[key];
      if (version === 3 && keyed && (!isObject(example) || 'externalValue' in example)) continue;
      yield {
        value: keyed && isObject(example) ? example.value : example,
        path: keyed ? [...path, field, key, 'value'] : [...path, field, key],
      };
    }
    return;
  }
}

function* schemaItems(target: Json, path: Path, version: 2 | 3): Generator<{ value: unknown; path: Path }> {
  for (const field of SCHEMA_ITEMS[version])
    if (field in target) yield { value: target[field], path: [...path, field] };
}

/** json-schema-traverse's keyword tables (present at runtime, missing from its typings). */
const keywordTables = traverse as unknown as Record<'keywords' | 'arrayKeywords' | 'propsKeywords', Json>;
const TRAVERSED_KEYWORDS = new Set([
  ...Object.keys(keywordTables.keywords),
  ...Object.keys(keywordTables.arrayKeywords),
  ...Object.keys(keywordTables.propsKeywords),
]);

/** Spectral removes `id` below non-keyword keys (it also means to remove `$id`, but deletes `id` there too). */
function cleanSchema(schema: Json): void {
  traverse(schema, { allKeys: true }, (fragment, _ptr, _root, _parentPtr, parentKeyword) => {
    if (parentKeyword === undefined || TRAVERSED_KEYWORDS.has(parentKeyword)) return;
    if ('id' in fragment) delete fragment.id;
    if ('$id' in fragment) delete fragment.id;
  });
}

/** Request examples need not carry readOnly properties, response examples need not carry writeOnly ones. */
function relaxRequired(schema: Json, readOnly: boolean, writeOnly: boolean): void {
  if (!readOnly && !writeOnly) return;
  const notPointers: string[] = [];
  traverse(schema, {}, (fragment, pointer, _root, parentPointer, parentKeyword, parent, propertyName) => {
    if (parentKeyword === 'not') {
      notPointers.push(pointer);
      return;
    }
    if (
      parentPointer !== undefined &&
      notPointers.some((p) => parentPointer === p || parentPointer.startsWith(`${p}/`))
    )
      return;
    if ((fragment.readOnly === true && readOnly) || (fragment.writeOnly === true && writeOnly)) {
      if (
        parentKeyword === 'properties' &&
        parent &&
        (parent.required === undefined || Array.isArray(parent.required))
      ) {
        parent.required = (parent.required as unknown[] | undefined)?.filter((p) => p !== propertyName);
        if ((parent.required as unknown[] | undefined)?.length === 0) delete parent.required;
      }
    }
  });
}

interface OasExampleOptions {
  oasVersion: 2 | 3;
  schemaField: string;
  type: 'media' | 'schema';
}

/** Drop-in for spectral:oas's `oasExample`: validate `example`/`examples`/`default` against the schema beside them. */
export const oasExample = createRulesetFunction<Json, OasExampleOptions>(
  {
    input: { type: 'object' },
    options: {
      type: 'object',
      properties: {
        oasVersion: { enum: [2, 3] },
        schemaField: { type: 'string' },
        type: { enum: ['media', 'schema'] },
      },
      additionalProperties: false,
    },
  },
  (target, options, context): IFunctionResult[] | undefined | void | Promise<IFunctionResult[] | undefined | void> => {
    const version = options.oasVersion;
    let schema = (options.schemaField === '$' ? target : target[options.schemaField]) as Json;
    const items =
      options.type === 'schema'
        ? schemaItems(target, context.path, version)
        : mediaItems(target, context.path, version);
    let dropRequired = false;
    if (context.document.formats?.has(oas2) && 'required' in schema && typeof schema.required === 'boolean') {
      dropRequired = true;
      schema = { ...schema };
      delete schema.required;
    }
    const relaxReadOnly = options.type === 'media' && isSubpath(context.path, REQUEST_MEDIA_PATHS[version]);
    const relaxWriteOnly = options.type === 'media' && isSubpath(context.path, RESPONSE_MEDIA_PATHS[version]);
    // The transformation is a function of the schema's text and these flags, so equal inputs share one result.
    const text = JSON.stringify(schema);
    const key = `${Number(dropRequired)}${Number(relaxReadOnly)}${Number(relaxWriteOnly)}${text}`;
    const cache = runCache(context);
    if (cache.invalid.has(key)) return spectralOasExample(target, options, context);
    let prepared = cache.byText.get(key);
    if (!prepared) {
      prepared = JSON.parse(text) as Json;
      cleanSchema(prepared);
      relaxRequired(prepared, relaxReadOnly, relaxWriteOnly);
      cache.byText.set(key, prepared);
    }
    let results: IFunctionResult[] | undefined;
    for (const item of items) {
      const result = validateOasSchema(item.value, { schema: prepared }, { ...context, path: item.path });
      if (Array.isArray(result)) (results ??= []).push(...result);
    }
    // Ajv keeps a schema it rejected in its identity cache and compiles it without the check the next time, so an
    // invalid schema must not be shared: Spectral's own function (a fresh clone per call) reports it each time.
    if (results?.some((r) => r.message.startsWith('schema is invalid'))) {
      cache.invalid.add(key);
      return spectralOasExample(target, options, context);
    }
    return results;
  },
);

/** Spectral's own `oasExample`, for the rare schema Ajv rejects. */
const spectralOasExample: RulesetFunction<Json, OasExampleOptions> = (
  oas as unknown as { rules: Record<string, { then: { function: RulesetFunction<Json, OasExampleOptions> } }> }
).rules['oas3-valid-media-example'].then.function;

/** The spectral:oas rules whose functions are swapped for the cached ones above. */
const FAST_FUNCTIONS: Record<string, unknown> = {
  'duplicated-entry-in-enum': oasSchema,
  'oas2-valid-schema-example': oasExample,
  'oas2-valid-media-example': oasExample,
  'oas3-valid-media-example': oasExample,
  'oas3-valid-schema-example': oasExample,
};

type RuleDefinition = { then: Json | Json[] } & Json;

/** `spectral:oas` as Spectral ships it, except that its example and enum checks compile each schema once. */
export const fastOas: RulesetDefinition = (() => {
  const original = oas as unknown as { rules: Record<string, RuleDefinition> } & Json;
  const rules = { ...original.rules };
  for (const [name, fn] of Object.entries(FAST_FUNCTIONS)) {
    const rule = rules[name];
    if (!rule) throw new Error(`spectral:oas no longer has the rule ${name}: update FAST_FUNCTIONS`);
    const swap = (then: Json) => ({ ...then, function: fn });
    rules[name] = { ...rule, then: Array.isArray(rule.then) ? rule.then.map(swap) : swap(rule.then) };
  }
  return { ...original, rules } as unknown as RulesetDefinition;
})();
