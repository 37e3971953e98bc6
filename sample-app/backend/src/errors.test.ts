import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, handleError } from './errors.js';

// A bare Fastify instance with the real handler: proves every kind of thrown error becomes the Error schema.
const app = Fastify({ logger: false });
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
  await app.ready();
});
afterAll(() => app.close());

describe('handleError', () => {
  it.each([
    ['/api-error', 409, 'conflict_here', 'Pick another name.'],
    ['/teapot', 418, 'bad_request', 'No coffee.'],
    ['/method', 405, 'method_not_allowed', 'Use POST.'],
    ['/bug', 500, 'internal_error', 'Internal error; quote request id'],
    ['/gateway', 500, 'internal_error', 'Internal error; quote request id'],
  ])('%s -> %s %s', async (url, status, code, message) => {
    const response = await app.inject({ method: 'GET', url, headers: { 'x-request-id': 'req-1' } });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({
      error: { code, message: expect.stringContaining(message), requestId: expect.any(String) },
    });
    expect(response.body).not.toContain('app.ts');
  });
});
