import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// ajv-formats is CommonJS; under ESM its default export arrives wrapped.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** Where the contract lives; the app validates requests against it and tests validate every response. */
export const SPEC_PATH = fileURLToPath(new URL('../openapi.yaml', import.meta.url));
const SPEC_ID = 'openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Validators for one operation, keyed by the Fastify route template it is served on. */
export interface Operation {
  operationId: string;
  method: string;
  /** OpenAPI path, e.g. `/api/projects/{id}`. */
  path: string;
  /** Fastify route template, e.g. `/api/projects/:id` (also the `route` metric label). */
  route: string;
  params?: ValidateFunction;
  query?: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
  /** True when the operation needs a bearer token (its `security` is not `[]`). */
  secured: boolean;
  responses: Map<string, { contentType?: string; schema?: ValidateFunction }>;
}

/** The compiled contract: the operations plus the Error schema for responses of unmatched routes. */
export interface Contract {
  operations: Operation[];
  find(method: string, route: string | undefined): Operation | undefined;
  errorSchema: ValidateFunction;
}

type Json = Record<string, any>;

/** Turns ajv errors into one readable sentence, e.g. `body must NOT have additional property "foo"`. */
export function describeErrors(where: string, errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((error) => {
      const at = `${where}${error.instancePath.replace(/\//g, '.')}`;
      if (error.keyword === 'additionalProperties') {
        return `${at} must NOT have additional property "${error.params.additionalProperty}"`;
      }
      return `${at} ${error.message}`;
    })
    .join('; ');
}

const compiled = new Map<string, Contract>();

/**
 * Loads openapi.yaml and compiles a validator for every parameter set, request body and response. The result is
 * immutable, so it is compiled once per spec file and shared by every app in the process.
 */
export function loadContract(specPath: string = SPEC_PATH): Contract {
  let contract = compiled.get(specPath);
  if (!contract) {
    contract = compileContract(specPath);
    compiled.set(specPath, contract);
  }
  return contract;
}

function compileContract(specPath: string): Contract {
  const spec = parse(readFileSync(specPath, 'utf8')) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ ...spec, $id: SPEC_ID });

  const deref = (node: Json): Json => {
    let current = node;
    while (current && typeof current.$ref === 'string') {
      current = current.$ref
        .slice(2)
        .split('/')
        .reduce((parent: Json, key: string) => parent[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
    }
    return current;
  };
  // Fragments compiled on their own must resolve `#/components/...` against the whole document.
  const rebase = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rebase);
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [
          key,
          key === '$ref' && typeof value === 'string' && value.startsWith('#') ? SPEC_ID + value : rebase(value),
        ]),
      );
    }
    return node;
  };
  const compile = (schema: unknown) => ajv.compile(rebase(schema) as Json);
  const paramsSchema = (parameters: Json[], location: string) => {
    const own = parameters.filter((parameter) => parameter.in === location);
    if (own.length === 0) return undefined;
    return compile({
      type: 'object',
      properties: Object.fromEntries(own.map((parameter) => [parameter.name, parameter.schema])),
      required: own.filter((parameter) => parameter.required).map((parameter) => parameter.name),
      additionalProperties: location === 'path',
    });
  };

  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths as Json)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(deref);
      const requestBody = operation.requestBody ? deref(operation.requestBody) : undefined;
      const bodySchema = requestBody?.content?.['application/json']?.schema;
      const responses = new Map<string, { contentType?: string; schema?: ValidateFunction }>();
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        const content = deref(response as Json).content as Json | undefined;
        const contentType = content ? Object.keys(content)[0] : undefined;
        responses.set(status, {
          contentType,
          schema: contentType ? compile(content![contentType].schema) : undefined,
        });
      }
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        route: path.replace(/\{([^}]+)\}/g, ':$1'),
        params: paramsSchema(parameters, 'path'),
        query: paramsSchema(parameters, 'query'),
        body: bodySchema ? compile(bodySchema) : undefined,
        bodyRequired: Boolean(requestBody?.required),
        secured: ((operation.security ?? spec.security ?? []) as unknown[]).length > 0,
        responses,
      });
    }
  }
  const byKey = new Map(operations.map((operation) => [`${operation.method} ${operation.route}`, operation]));
  return {
    operations,
    find: (method, route) => (route === undefined ? undefined : byKey.get(`${method} ${route}`)),
    errorSchema: compile({ $ref: '#/components/schemas/Error' }),
  };
}

/**
 * Checks one response against the contract and returns the problems (empty when it conforms). Tests call this
 * for every response so a handler that drifts from openapi.yaml fails the suite.
 */
export function checkResponse(
  contract: Contract,
  method: string,
  route: string | undefined,
  status: number,
  contentType: string | undefined,
  payload: string,
): string[] {
  const operation = contract.find(method, route);
  const where = `${method} ${route ?? '(unmatched)'} -> ${status}`;
  if (!operation) {
    if (status !== 404 && status !== 405) return [`${where}: no operation in openapi.yaml`];
    return contract.errorSchema(safeJson(payload))
      ? []
      : [`${where}: ${describeErrors('body', contract.errorSchema.errors)}`];
  }
  const documented = operation.responses.get(String(status));
  if (!documented) return [`${where}: status ${status} is not documented for ${operation.operationId}`];
  if (!documented.contentType) return payload === '' ? [] : [`${where}: body sent but none documented`];
  const mediaType = contentType?.split(';')[0].trim();
  if (mediaType !== documented.contentType) {
    return [`${where}: content-type ${mediaType} but openapi.yaml documents ${documented.contentType}`];
  }
  const body = documented.contentType === 'application/json' ? safeJson(payload) : payload;
  if (documented.schema && !documented.schema(body)) {
    return [`${where}: ${describeErrors('body', documented.schema.errors)}`];
  }
  return [];
}

function safeJson(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
