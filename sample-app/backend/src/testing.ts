// Test-only helpers: a backend wired for tests and a stand-in AI engine on a real local port.
import { readMetric } from '@myco-gates/service-kit';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, type BuildOptions } from './app.js';
import { loadConfig, type BackendConfig } from './config.js';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long';

export interface TestBackend {
  app: ReturnType<typeof buildApp>;
  config: BackendConfig;
  /** Every contract violation seen so far; tests assert it stays empty. */
  violations: string[];
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Registers a user and returns its access token, refresh token and id. */
  register(email: string, password?: string): Promise<{ token: string; refreshToken: string; userId: string }>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/** Builds a backend with a test env, checking every response against openapi.yaml. */
export async function startBackend(
  env: NodeJS.ProcessEnv = {},
  options: Omit<BuildOptions, 'config'> = {},
): Promise<TestBackend> {
  const config = loadConfig({
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    AI_ENGINE_URL: 'http://127.0.0.1:9',
    ...env,
  });
  const violations: string[] = [];
  const app = buildApp({
    config,
    scryptCost: 1024,
    logger: false,
    onContractViolation: (problem) => violations.push(problem),
    ...options,
  });
  await app.ready();
  const request = (injectOptions: InjectOptions) => app.inject(injectOptions);
  return {
    app,
    config,
    violations,
    request,
    async register(email, password = 'correct horse battery') {
      const response = await request({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email, password, name: email.split('@')[0] },
      });
      if (response.statusCode !== 201) throw new Error(`register ${email}: ${response.statusCode} ${response.body}`);
      const body = response.json();
      return { token: body.tokens.accessToken, refreshToken: body.tokens.refreshToken, userId: body.user.id };
    },
    async metric(name, labels = {}) {
      const text = await (await request({ method: 'GET', url: '/metrics' })).body;
      return readMetric(text, name, labels);
    },
    close: () => app.close(),
  };
}

/** A stand-in AI engine on 127.0.0.1 whose behaviour each test sets. */
export interface StubEngine {
  url: string;
  requests: { url: string; body: unknown; requestId: string | undefined }[];
  handle: (request: IncomingMessage, body: string, response: ServerResponse) => void;
  close(): Promise<void>;
}

export const ENGINE_ANSWER = {
  code: 'export const add = (a: number, b: number) => a + b;\n',
  language: 'typescript',
  provider: 'local',
  model: 'local-deterministic',
  cached: false,
  usage: { inputTokens: 12, outputTokens: 20 },
  costUsd: 0,
  latencyMs: 3,
};

export async function startStubEngine(): Promise<StubEngine> {
  const stub: StubEngine = {
    url: '',
    requests: [],
    handle: (request, _body, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(request.url === '/readyz' ? { status: 'ready' } : ENGINE_ANSWER));
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      stub.requests.push({
        url: request.url ?? '',
        body: body ? JSON.parse(body) : undefined,
        requestId: request.headers['x-request-id'] as string | undefined,
      });
      stub.handle(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}
