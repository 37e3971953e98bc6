import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { FakeBackend, errorBody, http, server, useFakeBackend } from '../test/backend.js';
import { ApiError, createApiClient, defaultBaseUrl, describeError, unwrap } from './client.js';
import { SessionStore } from './session.js';

function setup(backend: FakeBackend = useFakeBackend()) {
  const session = new SessionStore();
  session.set(backend.addUser('ada@example.com', 'correct horse battery'));
  const api = createApiClient({ baseUrl: defaultBaseUrl(), session });
  return { backend, session, api };
}

describe('unwrap', () => {
  it('returns the data of a successful call', async () => {
    const { backend, session, api } = setup();
    backend.addProject(session.get()!.user.id, 'alpha');
    const list = await unwrap(api.GET('/api/projects'));
    expect(list.projects.map((p) => p.name)).toEqual(['alpha']);
  });

  it('turns the contract Error body into an ApiError with status, code, message and request id', async () => {
    const { api } = setup();
    const failure = await unwrap(api.DELETE('/api/projects/{id}', { params: { path: { id: 'missing' } } })).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'Project not found.',
      requestId: 'req-test',
    });
  });

  it.each([
    {
      name: 'an HTML page from a proxy',
      body: () => new HttpResponse('<h1>Bad Gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
    },
    { name: 'JSON that is not the Error schema', body: () => HttpResponse.json({ oops: true }, { status: 500 }) },
  ])('reports $name as an unexpected response with the status', async ({ body }) => {
    setup();
    server.use(http.untyped.get(`${defaultBaseUrl()}/api/templates`, body));
    const api = createApiClient({ baseUrl: defaultBaseUrl(), session: new SessionStore() });
    const failure = (await unwrap(api.GET('/api/templates')).catch((e: unknown) => e)) as ApiError;
    expect(failure.code).toBe('unexpected_response');
    expect(failure.message).toMatch(/^The server answered 50\d/);
  });

  it('reports a network failure as status 0 with a retry hint', async () => {
    server.use(http.untyped.get(`${defaultBaseUrl()}/api/templates`, () => HttpResponse.error()));
    const api = createApiClient({ baseUrl: defaultBaseUrl(), session: new SessionStore() });
    const failure = (await unwrap(api.GET('/api/templates')).catch((e: unknown) => e)) as ApiError;
    expect(failure.status).toBe(0);
    expect(failure.message).toMatch(/^Cannot reach the server .*retry\.$/);
  });
});

describe('describeError', () => {
  it.each([
    [new Error('boom'), 'boom'],
    ['plain text', 'plain text'],
    [42, '42'],
  ])('%j -> %s', (input, expected) => {
    expect(describeError(input)).toBe(expected);
  });
});

describe('authentication', () => {
  it('sends the access token on API calls but not to the auth endpoints', async () => {
    const { api, session } = setup();
    const seen: Record<string, string | null> = {};
    server.events.on('request:start', ({ request }) => {
      seen[new URL(request.url).pathname] = request.headers.get('authorization');
    });
    await unwrap(api.GET('/api/projects'));
    await unwrap(api.POST('/api/auth/refresh', { body: { refreshToken: session.get()!.tokens.refreshToken } }));
    server.events.removeAllListeners();
    expect(seen['/api/projects']).toMatch(/^Bearer access-\d+$/);
    expect(seen['/api/auth/refresh']).toBeNull();
  });

  it('refreshes an expired access token once and retries the request, body included', async () => {
    const { backend, session, api } = setup();
    const project = backend.addProject(session.get()!.user.id, 'alpha');
    const before = session.get()!.tokens;
    backend.expireAccessTokens();
    const file = await unwrap(
      api.PUT('/api/projects/{id}/files/content', {
        params: { path: { id: project.id }, query: { path: 'a.ts' } },
        body: { content: 'retried' },
      }),
    );
    expect(file.content).toBe('retried');
    expect(backend.files.get(project.id)?.get('a.ts')).toBe('retried');
    expect(session.get()!.tokens.accessToken).not.toBe(before.accessToken);
    expect(session.get()!.tokens.refreshToken).not.toBe(before.refreshToken);
  });

  it('shares one refresh between concurrent 401s (refresh tokens are single-use)', async () => {
    const { backend, api } = setup();
    backend.expireAccessTokens();
    let refreshes = 0;
    server.events.on('request:start', ({ request }) => {
      if (request.url.endsWith('/api/auth/refresh')) refreshes += 1;
    });
    const results = await Promise.all([unwrap(api.GET('/api/projects')), unwrap(api.GET('/api/projects'))]);
    server.events.removeAllListeners();
    expect(results).toEqual([{ projects: [] }, { projects: [] }]);
    expect(refreshes).toBe(1);
  });

  it('ends the session with a reason when the refresh token is rejected too', async () => {
    const { backend, session, api } = setup();
    backend.expireAccessTokens();
    server.use(
      http.post('/api/auth/refresh', ({ response }) => response(401).json(errorBody('unauthorized', 'expired'))),
    );
    const failure = (await unwrap(api.GET('/api/projects')).catch((e: unknown) => e)) as ApiError;
    expect(failure.status).toBe(401);
    expect(session.get()).toBeNull();
    expect(session.endReason()).toBe('Your session expired. Log in again.');
  });

  it('does not try to refresh without a session', async () => {
    useFakeBackend();
    const api = createApiClient({ baseUrl: defaultBaseUrl(), session: new SessionStore() });
    const failure = (await unwrap(api.GET('/api/projects')).catch((e: unknown) => e)) as ApiError;
    expect(failure).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
