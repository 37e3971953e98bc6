import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, errorShapeProblem, handleError } from './errors.js';

// A bare Fastify instance with the real handler: proves every kind of thrown error becomes the Error schema.
const app = Fastify({ logger: false, bodyLimit: 64 });
beforeAll(async () => {
  app.setErrorHandler(handleError);
  app.get('/api-error', async () => {
    throw new ApiError(409, 'conflict_here', 'Pick another name.');
  });
  app.get('/bug', async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app.ts:12:3");
  });
  app.get('/teapot', async () => {
    throw Object.assign(new Error('No coffee.'), { statusCode: 418 });
  });
  app.get('/method', async () => {
    throw Object.assign(new Error('Use POST.'), { statusCode: 405 });
  });
  app.get('/gateway', async () => {
    throw Object.assign(new Error('upstream said no'), { statusCode: 502 });
  });
  app.get('/syntax', async () => JSON.parse('{'));
  app.post(
    '/schema',
    { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
    async () => ({ ok: true }),
  );
  app.post('/echo', async (request) => request.body);
  await app.ready();
});
afterAll(() => app.close());

describe('handleError', () => {
  it.each([
    ['/api-error', 409, 'conflict_here', 'Pick another name.'],
    ['/teapot', 418, 'bad_request', 'No coffee.'],
    ['/method', 405, 'method_not_allowed', 'Use POST.'],
    ['/syntax', 400, 'malformed_json', 'The request body is not valid JSON:'],
    ['/bug', 500, 'internal_error', 'Internal error; quote request id'],
    ['/gateway', 500, 'internal_error', 'Internal error; quote request id'],
  ])('GET %s -> %s %s', async (url, status, code, message) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({
      error: { code, message: expect.stringContaining(message), requestId: expect.any(String) },
    });
    if (status === 500) expect(response.json().error.message).toContain(response.json().error.requestId);
    expect(errorShapeProblem(response.body)).toBeUndefined();
    expect(response.body).not.toContain('app.ts');
  });

  it.each([
    ['a schema violation', '/schema', 'application/json', '{}', 400, 'validation_failed', 'body must have required'],
    ['invalid JSON', '/echo', 'application/json', '{"a":', 400, 'malformed_json', 'not valid JSON'],
    ['an empty JSON body', '/echo', 'application/json', '', 400, 'bad_request', 'The JSON request body is empty'],
    ['a non-JSON media type', '/echo', 'application/xml', '<a/>', 415, 'unsupported_media_type', 'must be JSON'],
    ['a body over the limit', '/echo', 'application/json', `"${'x'.repeat(100)}"`, 413, 'payload_too_large', '1 MB'],
  ])('POST %s -> %s', async (_what, url, contentType, payload, status, code, message) => {
    const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toMatchObject({ code, message: expect.stringContaining(message) });
    expect(errorShapeProblem(response.body)).toBeUndefined();
  });
});

describe('errorShapeProblem', () => {
  it.each([
    ['{"error":{"code":"not_found","message":"No.","requestId":"r1"}}', undefined],
    ['<html>', 'not JSON: <html>'],
    ['{"message":"No."}', 'wrong shape: {"message":"No."}'],
    ['{"error":{"code":"x","message":"No.","requestId":"r1","stack":"…"}}', 'wrong shape:'],
    ['{"error":{"code":"x","message":"No.","requestId":1}}', 'non-string field:'],
    ['{"error":{"code":"NotFound","message":"No.","requestId":"r1"}}', 'bad code NotFound'],
    ['null', 'wrong shape: null'],
  ])('%s -> %s', (body, problem) => {
    if (problem === undefined) expect(errorShapeProblem(body)).toBeUndefined();
    else expect(errorShapeProblem(body)).toContain(problem);
  });
});
