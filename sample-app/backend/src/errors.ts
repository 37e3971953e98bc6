import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** An error that becomes an `Error`-schema response with its own status and code. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The body of every 4xx/5xx response (`#/components/schemas/Error`). */
export function errorBody(code: string, message: string, requestId: string) {
  return { error: { code, message, requestId } };
}

// Fastify's own errors (body parsing, URL decoding) carry a status but a code meant for Fastify developers;
// clients get one of ours plus a message that says how to fix the request.
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
 */
export function handleError(error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): void {
  let status: number;
  let code: string;
  let message: string;
  if (error instanceof ApiError) {
    [status, code, message] = [error.statusCode, error.code, error.message];
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
