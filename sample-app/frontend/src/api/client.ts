import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';
import type { SessionStore } from './session.js';

export type User = components['schemas']['User'];
export type TokenPair = components['schemas']['TokenPair'];
export type AuthResponse = components['schemas']['AuthResponse'];
export type Template = components['schemas']['Template'];
export type Project = components['schemas']['Project'];
export type FileEntry = components['schemas']['FileEntry'];
export type FileContent = components['schemas']['FileContent'];
export type GenerateRequest = components['schemas']['GenerateRequest'];
export type GenerateResponse = components['schemas']['GenerateResponse'];
export type GenerateLanguage = NonNullable<GenerateRequest['language']>;
export type ErrorBody = components['schemas']['Error'];

/** The typed openapi-fetch client over the backend's OpenAPI contract. */
export type ApiClient = Client<paths>;

/** A failed API call: the backend's `Error` body, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** Origin the backend is served under; its paths already start with `/api`. */
  baseUrl: string;
  /** Where the tokens live; the client reads the access token and stores refreshed pairs. */
  session: SessionStore;
}

const AUTH_PATHS = ['/api/auth/login', '/api/auth/register', '/api/auth/refresh'];

/**
 * Creates the API client. Every request carries the session's access token; a 401 on any
 * other than the auth endpoints triggers one refresh with the refresh token and one retry,
 * and a failed refresh ends the session so the UI returns to the login form.
 */
export function createApiClient({ baseUrl, session }: ApiClientOptions): ApiClient {
  // fetch is looked up per call, not captured once, so a fetch swapped in later (msw in
  // tests, a polyfill) is still used.
  const client = createClient<paths>({ baseUrl, fetch: (request) => globalThis.fetch(request) });
  const retryCopies = new WeakMap<Request, Request>();
  let refreshing: Promise<boolean> | undefined;

  async function refresh(): Promise<boolean> {
    const current = session.get();
    if (!current) return false;
    const { data } = await client.POST('/api/auth/refresh', {
      body: { refreshToken: current.tokens.refreshToken },
    });
    if (!data) {
      session.set(null, 'Your session expired. Log in again.');
      return false;
    }
    session.set({ user: data.user, tokens: data.tokens });
    return true;
  }

  const auth: Middleware = {
    onRequest({ request, schemaPath }) {
      if (AUTH_PATHS.includes(schemaPath)) return undefined;
      const token = session.get()?.tokens.accessToken;
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      // The body stream is consumed by the first attempt, so the retry needs its own copy.
      retryCopies.set(request, request.clone());
      return request;
    },
    async onResponse({ request, response, schemaPath }) {
      const copy = retryCopies.get(request);
      if (response.status !== 401 || AUTH_PATHS.includes(schemaPath) || !copy) return undefined;
      // Concurrent 401s share one refresh: refresh tokens may be single-use.
      refreshing ??= refresh().finally(() => (refreshing = undefined));
      if (!(await refreshing)) return undefined;
      const token = session.get()?.tokens.accessToken;
      copy.headers.set('Authorization', `Bearer ${token}`);
      return globalThis.fetch(copy);
    },
  };
  client.use(auth);
  return client;
}

/** The origin the app was loaded from: the backend is reached through it under /api. */
export function defaultBaseUrl(): string {
  return window.location.origin;
}

interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as ErrorBody | undefined)?.error;
  return typeof error?.message === 'string' && typeof error.code === 'string';
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws one {@link ApiError} whose
 * message is fit to show: the backend's message, or a hint that the server is unreachable.
 */
export async function unwrap<T>(call: Promise<ApiResult<T>>): Promise<T> {
  let result: ApiResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError(
      0,
      'network',
      `Cannot reach the server (${(cause as Error).message}). Check your connection and retry.`,
    );
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  if (isErrorBody(error)) {
    throw new ApiError(response.status, error.error.code, error.error.message, error.error.requestId);
  }
  throw new ApiError(
    response.status,
    'unexpected_response',
    `The server answered ${response.status} ${response.statusText}`.trim() + '.',
  );
}

/** The text to show for any error thrown by an API call or a component. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
