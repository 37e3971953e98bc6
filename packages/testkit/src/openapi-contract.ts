import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under ESM interop its callable export may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

/** One OpenAPI parameter object, trimmed to what the contract check reads. */
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Record<string, unknown>;
}

/** One OpenAPI operation, trimmed to what the contract check reads. */
export interface OpenApiOperation {
  operationId: string;
  parameters?: OpenApiParameter[];
  requestBody?: {
    required?: boolean;
    content?: Record<string, { schema?: Record<string, unknown> }>;
  };
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> } | undefined>;
}

/** A documented route: `METHOD /path/{template}` plus its operationId. */
export interface DocumentedRoute {
  /** Upper-case HTTP method. */
  method: string;
  /** Path template exactly as written in the OpenAPI description. */
  template: string;
  operationId: string;
}

/** The result of matching a concrete request path against the documented routes. */
export interface RouteMatch {
  route: DocumentedRoute;
  /** `METHOD /template`, the key used for handlers, faults and violations. */
  key: string;
  /** Decoded path parameters by name. */
  params: Record<string, string>;
}

interface CompactSpec {
  packageVersion: string;
  routes: [string, string, string][];
  operations: Record<string, OpenApiOperation>;
}

const SPEC_PACKAGE = '@octokit/openapi';
const SPEC_FILE = 'generated/api.github.com.deref.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Builds the `METHOD /template` key used throughout the stub.
 *
 * @param method - HTTP method in any case.
 * @param template - OpenAPI path template, e.g. `/repos/{owner}/{repo}`.
 * @returns The key, e.g. `GET /repos/{owner}/{repo}`.
 */
export function routeKey(method: string, template: string): string {
  return `${method.toUpperCase()} ${template}`;
}

function specPackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(`${SPEC_PACKAGE}/package.json`));
}

interface CacheLayout {
  packageVersion: string;
  specPath: string;
  directory: string;
  routesFile: string;
  operationFile: (key: string) => string;
}

function cacheLayout(): CacheLayout {
  const packageDir = specPackageDir();
  const packageVersion = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const directory = join(tmpdir(), 'myco-gates-testkit', `github-openapi-${packageVersion}`);
  return {
    packageVersion,
    specPath: join(packageDir, SPEC_FILE),
    directory,
    routesFile: join(directory, 'routes.json'),
    operationFile: (key) => join(directory, `op-${createHash('sha256').update(key).digest('hex').slice(0, 20)}.json`),
  };
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    // Missing, or torn by a crashed writer: the caller rebuilds it.
    return undefined;
  }
}

/** Write-then-rename, so a parallel test process never reads a half-written file. */
function writeAtomically(path: string, value: unknown): void {
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(value));
  renameSync(partial, path);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `build` while holding a lock file, so of several test processes starting cold only one
 * parses the 73 MB description; the others wait and then find its output. A lock older than
 * 2 minutes is taken to belong to a crashed process and is broken.
 */
function withBuildLock(directory: string, ready: () => boolean, build: () => void): void {
  const lock = join(directory, 'build.lock');
  for (;;) {
    if (ready()) return;
    try {
      closeSync(openSync(lock, 'wx'));
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { force: true });
      } catch {
        // The holder just released it; try again.
      }
      sleepSync(100);
      continue;
    }
    try {
      if (!ready()) build();
    } finally {
      rmSync(lock, { force: true });
    }
    return;
  }
}

/**
 * Reads the 73 MB dereferenced description (~2.5 s, ~250 MB) and writes the route table and the
 * requested operations to the cache, one small file each.
 */
function extractFromSpec(layout: CacheLayout, keys: readonly string[]): void {
  let spec: { paths: Record<string, Record<string, OpenApiOperation & { parameters?: unknown }>> };
  try {
    spec = JSON.parse(readFileSync(layout.specPath, 'utf8'));
  } catch (error) {
    throw new Error(
      `Cannot read GitHub's OpenAPI description at ${layout.specPath}: ${(error as Error).message}. ` +
        `Reinstall it with \`npm install -w packages/testkit ${SPEC_PACKAGE}\`.`,
    );
  }
  const routes: [string, string, string][] = [];
  const wanted = new Set(keys);
  for (const [template, pathItem] of Object.entries(spec.paths)) {
    const shared = (pathItem.parameters ?? []) as unknown as OpenApiParameter[];
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method] as OpenApiOperation | undefined;
      if (!operation) continue;
      const key = routeKey(method, template);
      routes.push([method.toUpperCase(), template, operation.operationId]);
      if (!wanted.has(key)) continue;
      const own = operation.parameters ?? [];
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own].map(
        ({ name, in: location, required, schema }) => ({ name, in: location, required, schema }),
      );
      const compact: OpenApiOperation = {
        operationId: operation.operationId,
        parameters,
        requestBody: operation.requestBody,
        responses: operation.responses,
      };
      writeAtomically(layout.operationFile(key), compact);
    }
  }
  writeAtomically(layout.routesFile, routes);
}

/**
 * Loads the route table and the operations we serve, from the os.tmpdir() cache when present.
 * vitest runs each test file in its own process, so the cache is what keeps the 73 MB parse to
 * once per machine and package version.
 */
function loadCompactSpec(servedKeys: readonly string[]): CompactSpec {
  const layout = cacheLayout();
  mkdirSync(layout.directory, { recursive: true });
  const cachedOperations = () => servedKeys.every((key) => existsSync(layout.operationFile(key)));
  const routesReady = () => existsSync(layout.routesFile);
  withBuildLock(layout.directory, routesReady, () => extractFromSpec(layout, servedKeys));
  let routes = readJson<[string, string, string][]>(layout.routesFile) ?? [];

  // Checked against the route table first, so a wrong template fails fast without a full parse.
  const documented = new Set(routes.map(([method, template]) => routeKey(method, template)));
  const missing = servedKeys.filter((key) => !documented.has(key));
  if (missing.length > 0) {
    throw new Error(
      `The GitHub stub serves routes that ${SPEC_PACKAGE}@${layout.packageVersion} does not document: ` +
        `${missing.join(', ')}. Fix the route template in packages/testkit/src/github-stub.ts to match the ` +
        'published description.',
    );
  }
  withBuildLock(layout.directory, cachedOperations, () => extractFromSpec(layout, servedKeys));
  routes = readJson<[string, string, string][]>(layout.routesFile) ?? routes;
  const operations: Record<string, OpenApiOperation> = {};
  for (const key of servedKeys) {
    const operation = readJson<OpenApiOperation>(layout.operationFile(key));
    if (!operation) {
      throw new Error(
        `The cached GitHub operation ${key} at ${layout.operationFile(key)} is unreadable; ` +
          `delete ${layout.directory} and rerun.`,
      );
    }
    operations[key] = operation;
  }
  return { packageVersion: layout.packageVersion, routes, operations };
}

/** Formats ajv errors as one line each, e.g. `/body must be string`. */
/**
 * Ajv's errors as one line each, prefixed with where the value sits (`response body/items/0`).
 * @param where what was validated.
 * @param errors ajv's errors.
 * @returns the lines.
 */
export function describeErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const at = error.instancePath === '' ? where : `${where}${error.instancePath}`;
    const detail =
      error.keyword === 'additionalProperties'
        ? `${error.message} '${(error.params as { additionalProperty: string }).additionalProperty}'`
        : error.keyword === 'enum'
          ? `${error.message}: ${JSON.stringify((error.params as { allowedValues: unknown }).allowedValues)}`
          : error.message;
    return `${at} ${detail}`;
  });
}

/**
 * OpenAPI 3.0 reads `nullable: true` + `enum` as "null or one of these"; ajv insists null be listed in
 * the enum, which would reject GitHub's own `conclusion: null`. Adds the null without touching the input.
 */
function allowNullInNullableEnums(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowNullInNullableEnums);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node)) copy[name] = allowNullInNullableEnums(value);
  if (copy.nullable === true && Array.isArray(copy.enum) && !copy.enum.includes(null)) {
    copy.enum = [...copy.enum, null];
  }
  return copy;
}

interface CompiledRoute {
  route: DocumentedRoute;
  key: string;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

/**
 * GitHub's REST contract, read from the published OpenAPI description in `@octokit/openapi`.
 * Checks requests and responses of the operations the stub serves; routes every other documented
 * operation so undocumented paths can be told apart from documented-but-unserved ones.
 */
export class GitHubContract {
  /** Version of `@octokit/openapi` the contract was read from. */
  readonly packageVersion: string;
  private readonly routes: CompiledRoute[];
  private readonly operations: Record<string, OpenApiOperation>;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly bodyAjv: Ajv;
  private readonly paramAjv: Ajv;

  constructor(compact: CompactSpec) {
    this.packageVersion = compact.packageVersion;
    this.operations = compact.operations;
    this.routes = compact.routes
      .map(([method, template, operationId]) => {
        const names: string[] = [];
        const source = template
          .split('/')
          .map((segment) =>
            segment.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
              if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
              names.push(name);
              return '([^/]+)';
            }),
          )
          .join('/');
        const literalSegments = template.split('/').filter((s) => s !== '' && !s.includes('{')).length;
        return {
          route: { method, template, operationId },
          key: routeKey(method, template),
          pattern: new RegExp(`^${source}$`),
          names,
          literalSegments,
        };
      })
      // More literal segments first, so `/issues/comments/{id}` wins over `/issues/{number}/{x}`.
      .sort((a, b) => b.literalSegments - a.literalSegments);
    // strict off: GitHub's description uses OpenAPI keywords (example, discriminator…) that are not JSON Schema.
    this.bodyAjv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
    this.paramAjv = addFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: true, validateFormats: true }));
  }

  /** Keys (`METHOD /template`) of the operations whose schemas were loaded. */
  get servedKeys(): string[] {
    return Object.keys(this.operations);
  }

  /**
   * Finds the documented operation for a concrete request.
   *
   * @param method - HTTP method of the request.
   * @param pathname - URL path without query string, e.g. `/repos/o/r/issues/1/comments`.
   * @returns The match, or `undefined` when GitHub documents no such operation.
   */
  match(method: string, pathname: string): RouteMatch | undefined {
    const upper = method.toUpperCase();
    for (const compiled of this.routes) {
      if (compiled.route.method !== upper) continue;
      const found = compiled.pattern.exec(pathname);
      if (!found) continue;
      const params: Record<string, string> = {};
      compiled.names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1]);
      });
      return { route: compiled.route, key: compiled.key, params };
    }
    return undefined;
  }

  /** Whether GitHub documents the given `METHOD /template` key at all. */
  documents(key: string): boolean {
    return this.routes.some((compiled) => compiled.key === key);
  }

  /** Whether the operation documents a response for `status`. */
  documentsStatus(key: string, status: number): boolean {
    return String(status) in this.operation(key).responses;
  }

  /** The operationId of a served operation, e.g. `issues/create-comment`. */
  operationId(key: string): string {
    return this.operation(key).operationId;
  }

  private validator(cacheKey: string, ajv: Ajv, schema: Record<string, unknown>): ValidateFunction {
    let validate = this.validators.get(cacheKey);
    if (!validate) {
      validate = ajv.compile(allowNullInNullableEnums(schema) as Record<string, unknown>);
      this.validators.set(cacheKey, validate);
    }
    return validate;
  }

  private operation(key: string): OpenApiOperation {
    const operation = this.operations[key];
    if (!operation) throw new Error(`No schemas loaded for ${key}; add it to the stub's served routes.`);
    return operation;
  }

  /**
   * Validates a request's path parameters, query string and JSON body against the operation.
   *
   * @param key - `METHOD /template` of a served operation.
   * @param params - Path parameters from {@link GitHubContract.match}.
   * @param query - Query parameters (repeated names become arrays).
   * @param rawBody - Request body text ('' when absent).
   * @returns One message per violation; empty when the request conforms.
   */
  checkRequest(
    key: string,
    params: Record<string, string>,
    query: Record<string, string | string[]>,
    rawBody: string,
  ): string[] {
    const operation = this.operation(key);
    const problems: string[] = [];
    const parameters = operation.parameters ?? [];
    for (const location of ['path', 'query'] as const) {
      const declared = parameters.filter((p) => p.in === location);
      const schema = {
        type: 'object',
        properties: Object.fromEntries(declared.map((p) => [p.name, p.schema ?? {}])),
        required: declared.filter((p) => p.required).map((p) => p.name),
        // GitHub silently ignores unknown query parameters, which hides typos such as `perpage`.
        additionalProperties: false,
      };
      const values = location === 'path' ? { ...params } : { ...query };
      const validate = this.validator(`${key}#${location}`, this.paramAjv, schema);
      if (!validate(values)) problems.push(...describeErrors(`request ${location}`, validate.errors));
    }

    const jsonSchema = operation.requestBody?.content?.['application/json']?.schema;
    if (rawBody.trim() === '') {
      if (operation.requestBody?.required) problems.push('request body is required but was empty');
      return problems;
    }
    if (!operation.requestBody) {
      problems.push('request has a body but the operation documents none');
      return problems;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      problems.push('request body is not valid JSON');
      return problems;
    }
    if (jsonSchema) {
      const validate = this.validator(`${key}#body`, this.bodyAjv, jsonSchema);
      if (!validate(body)) problems.push(...describeErrors('request body', validate.errors));
    }
    return problems;
  }

  /**
   * Validates a response the stub is about to send against the documented response for its status.
   *
   * @param key - `METHOD /template` of a served operation.
   * @param status - HTTP status code.
   * @param body - Parsed JSON body, or `undefined` for an empty body.
   * @returns One message per violation; empty when the response conforms.
   */
  checkResponse(key: string, status: number, body: unknown): string[] {
    const operation = this.operation(key);
    const documented = operation.responses[String(status)] ?? operation.responses.default;
    if (!documented) {
      return [
        `response status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`,
      ];
    }
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) {
      return body === undefined ? [] : [`response ${status} documents no JSON body but one was sent`];
    }
    if (body === undefined) return [`response ${status} must have a JSON body`];
    const validate = this.validator(`${key}#${status}`, this.bodyAjv, schema);
    return validate(body) ? [] : describeErrors(`response ${status} body`, validate.errors);
  }
}

const contracts = new Map<string, GitHubContract>();

/**
 * Loads GitHub's REST contract once per process (and once per machine via a cache in os.tmpdir()).
 *
 * @param servedKeys - `METHOD /template` keys whose request/response schemas are needed.
 * @returns The shared contract for that set of operations.
 */
export function loadGitHubContract(servedKeys: readonly string[]): GitHubContract {
  const id = [...servedKeys].sort().join('\n');
  let contract = contracts.get(id);
  if (!contract) {
    contract = new GitHubContract(loadCompactSpec(servedKeys));
    contracts.set(id, contract);
  }
  return contract;
}
