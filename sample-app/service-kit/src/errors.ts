import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * An error that becomes an `Error`-schema response with its own status and code.
 *
 * @example
 * throw new ApiError(409, 'name_taken', 'A project with that name exists; pick another name.');
 */
export class ApiError extends Error {
  /**
   * @param statusCode - the HTTP status of the response (4xx for client mistakes, 5xx for ours)
   * @param code - a stable snake_case code clients may branch on
   * @param message - what went wrong and how to fix it; shown to the client as is
   */
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * A bad environment variable: the message names the variable and how to fix it. Start-up prints it as one line
 * (see loadConfigOrReport); it never becomes an HTTP response.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The body of every 4xx/5xx response of both services (`#/components/schemas/Error` in the backend's openapi.yaml). */
export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

/**
 * Builds the body of a 4xx/5xx response.
 *
 * @param code - stable snake_case error code
 * @param message - what went wrong and how to fix it
 * @param requestId - the request id, so a user can quote it when reporting the error
 * @returns the `{error: {code, message, requestId}}` body
 */
export function errorBody(code: string, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } };
}

// Fastify's own errors (body parsing, URL decoding) carry a status but a code meant for Fastify developers;
// clients get one of ours plus a message that says how to fix the request. The 1 MB matches BODY_LIMIT_BYTES.
const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body exceeds 1 MB; send a smaller body.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'unsupported_media_type',
    'The request body must be JSON: send it with `Content-Type: application/json`.',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    400,
    'bad_request',
    'The JSON request body is empty; send a JSON object or drop the Content-Type header.',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'The Content-Length header does not match the body.'],
};

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
};

/**
 * Fastify error handler: every thrown error becomes the shared Error schema with the right status. Unknown
 * errors are logged with their stack and answered with a generic 500 so internals never reach the client.
 *
 * A failed route `schema` check becomes 400 `validation_failed` with Fastify's message (which the app's
 * `schemaErrorFormatter` may shape); routes without a schema never take that branch.
 *
 * @example
 * app.setErrorHandler(handleError);
 */
export function handleError(error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): void {
  let status: number;
  let code: string;
  let message: string;
  if (error instanceof ApiError) {
    [status, code, message] = [error.statusCode, error.code, error.message];
  } else if (error.validation) {
    [status, code, message] = [400, 'validation_failed', `${error.message}.`];
  } else if (error.code && FASTIFY_ERRORS[error.code]) {
    [status, code, message] = FASTIFY_ERRORS[error.code];
  } else if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    [status, code, message] = [400, 'malformed_json', `The request body is not valid JSON: ${error.message}`];
  } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    status = error.statusCode;
    code = STATUS_CODES[status] ?? 'bad_request';
    message = error.message;
  } else {
    request.log.error({ err: error }, 'unhandled error');
    [status, code, message] = [
      500,
      'internal_error',
      `Internal error; quote request id ${request.id} when reporting it.`,
    ];
  }
  if (status >= 500) request.log.warn({ code, status }, message);
  void reply
    .code(status)
    .type('application/json')
    .send(errorBody(code, message, request.id));
}

/**
 * Checks a 4xx/5xx body against the shared Error schema; tests call it on every error response they see.
 *
 * @param body - the raw response body
 * @returns why the body is not exactly `{error: {code, message, requestId}}` with string fields and a snake_case
 *   code, or `undefined` when it is
 */
export function errorShapeProblem(body: string): string | undefined {
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `not JSON: ${body.slice(0, 80)}`;
  }
  const keys = Object.keys(parsed ?? {}).join(',');
  const inner = parsed?.error ? Object.keys(parsed.error).sort().join(',') : '';
  if (keys !== 'error' || inner !== 'code,message,requestId') return `wrong shape: ${body.slice(0, 120)}`;
  if (![parsed.error.code, parsed.error.message, parsed.error.requestId].every((v) => typeof v === 'string')) {
    return `non-string field: ${body.slice(0, 120)}`;
  }
  if (!/^[a-z][a-z0-9_]*$/.test(parsed.error.code)) return `bad code ${parsed.error.code}`;
  return undefined;
}
