/**
 * An in-memory stand-in for the sample backend, served over msw at the HTTP boundary. Every
 * handler is typed from the generated OpenAPI `paths`, so a status code or body that the
 * contract does not allow fails `tsc`, and the fake cannot drift from the real API unnoticed.
 */
import { setupServer } from 'msw/node';
import { createOpenApiHttp } from 'openapi-msw';
import type { components, paths } from '../api/schema.js';

type Schemas = components['schemas'];

export const http = createOpenApiHttp<paths>({ baseUrl: window.location.origin });

export const TIMESTAMP = '2026-01-02T03:04:05.000Z';

/** The shared Error body every 4xx/5xx answer uses. */
export function errorBody(code: string, message: string): Schemas['Error'] {
  return { error: { code, message, requestId: 'req-test' } };
}

export const TEMPLATES: Schemas['Template'][] = [
  {
    id: 'node-api',
    name: 'Node API',
    description: 'A Fastify service.',
    language: 'typescript',
    files: ['package.json', 'src/server.ts'],
  },
  {
    id: 'python-fastapi',
    name: 'Python FastAPI',
    description: 'A FastAPI service.',
    language: 'python',
    files: ['main.py'],
  },
];

const SEEDS: Record<string, Record<string, string>> = {
  'node-api': { 'package.json': '{ "name": "api" }\n', 'src/server.ts': "console.log('up');\n" },
  'python-fastapi': { 'main.py': 'print("up")\n' },
};

interface Account {
  user: Schemas['User'];
  password: string;
}

/** State of the fake backend; tests read it to check what the UI really sent. */
export class FakeBackend {
  readonly accounts = new Map<string, Account>();
  readonly projects: Schemas['Project'][] = [];
  readonly files = new Map<string, Map<string, string>>();
  readonly generateRequests: Schemas['GenerateRequest'][] = [];
  private readonly accessTokens = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();
  private sequence = 0;

  /** Registers a user directly, as if through the API, and returns the account's tokens. */
  addUser(email: string, password: string, name = 'Test User'): Schemas['AuthResponse'] {
    const user: Schemas['User'] = { id: this.uuid(), email, name, role: 'user', createdAt: TIMESTAMP };
    this.accounts.set(email, { user, password });
    return { user, tokens: this.issueTokens(user.id) };
  }

  /** Adds a project (seeded like the backend does) owned by `ownerId`. */
  addProject(ownerId: string, name: string, template: string | null = null): Schemas['Project'] {
    const files = new Map(Object.entries(template ? (SEEDS[template] ?? {}) : {}));
    const project: Schemas['Project'] = {
      id: this.uuid(),
      name,
      description: '',
      template,
      ownerId,
      fileCount: files.size,
      createdAt: TIMESTAMP,
      updatedAt: TIMESTAMP,
    };
    this.projects.unshift(project);
    this.files.set(project.id, files);
    return project;
  }

  /** Makes every access token issued so far invalid, as if it expired. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  private uuid(): string {
    this.sequence += 1;
    return `00000000-0000-4000-8000-${String(this.sequence).padStart(12, '0')}`;
  }

  private issueTokens(userId: string): Schemas['TokenPair'] {
    this.sequence += 1;
    const accessToken = `access-${this.sequence}`;
    const refreshToken = `refresh-${this.sequence}`;
    this.accessTokens.set(accessToken, userId);
    this.refreshTokens.set(refreshToken, userId);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: 900 };
  }

  private userFor(request: Request): Schemas['User'] | undefined {
    const token = request.headers.get('authorization')?.replace(/^Bearer /, '');
    const userId = token ? this.accessTokens.get(token) : undefined;
    return [...this.accounts.values()].find((a) => a.user.id === userId)?.user;
  }

  private ownProject(user: Schemas['User'], id: string) {
    const project = this.projects.find((p) => p.id === id && p.ownerId === user.id);
    return project && { project, files: this.files.get(project.id)! };
  }

  private fileContent(path: string, content: string): Schemas['FileContent'] {
    return { path, content, size: new TextEncoder().encode(content).length, updatedAt: TIMESTAMP };
  }

  /** The msw handlers implementing the contract's operations the UI uses. */
  handlers() {
    const unauthorized = errorBody('unauthorized', 'Missing or invalid bearer token.');
    const notFound = errorBody('not_found', 'Project not found.');
    return [
      http.post('/api/auth/register', async ({ request, response }) => {
        const body = await request.json();
        if (this.accounts.has(body.email)) {
          return response(409).json(errorBody('conflict', `An account for ${body.email} already exists.`));
        }
        return response(201).json(this.addUser(body.email, body.password, body.name));
      }),
      http.post('/api/auth/login', async ({ request, response }) => {
        const body = await request.json();
        const account = this.accounts.get(body.email);
        if (!account || account.password !== body.password) {
          return response(401).json(errorBody('invalid_credentials', 'Wrong email or password.'));
        }
        return response(200).json({ user: account.user, tokens: this.issueTokens(account.user.id) });
      }),
      http.post('/api/auth/refresh', async ({ request, response }) => {
        const { refreshToken } = await request.json();
        const userId = this.refreshTokens.get(refreshToken);
        const account = [...this.accounts.values()].find((a) => a.user.id === userId);
        if (!account) return response(401).json(errorBody('unauthorized', 'The refresh token is invalid or expired.'));
        this.refreshTokens.delete(refreshToken);
        return response(200).json({ user: account.user, tokens: this.issueTokens(account.user.id) });
      }),
      http.get('/api/templates', ({ response }) => response(200).json({ templates: TEMPLATES })),
      http.get('/api/projects', ({ request, response }) => {
        const user = this.userFor(request);
        if (!user) return response(401).json(unauthorized);
        return response(200).json({ projects: this.projects.filter((p) => p.ownerId === user.id) });
      }),
      http.post('/api/projects', async ({ request, response }) => {
        const user = this.userFor(request);
        if (!user) return response(401).json(unauthorized);
        const body = await request.json();
        if (body.template && !SEEDS[body.template]) {
          return response(422).json(errorBody('unknown_template', `Unknown template ${body.template}.`));
        }
        if (this.projects.some((p) => p.ownerId === user.id && p.name === body.name)) {
          return response(409).json(errorBody('conflict', `You already have a project named ${body.name}.`));
        }
        const project = this.addProject(user.id, body.name, body.template ?? null);
        project.description = body.description ?? '';
        return response(201).json(project);
      }),
      http.delete('/api/projects/{id}', ({ request, params, response }) => {
        const user = this.userFor(request);
        if (!user) return response(401).json(unauthorized);
        const owned = this.ownProject(user, params.id);
        if (!owned) return response(404).json(notFound);
        this.projects.splice(this.projects.indexOf(owned.project), 1);
        return response(204).empty();
      }),
      http.get('/api/projects/{id}/files', ({ request, params, response }) => {
        const user = this.userFor(request);
        if (!user) return response(401).json(unauthorized);
        const owned = this.ownProject(user, params.id);
        if (!owned) return response(404).json(notFound);
        const files = [...owned.files.entries()]
          .map(([path, content]) => this.fileContent(path, content))
          .map(({ path, size, updatedAt }) => ({ path, size, updatedAt }))
          .sort((a, b) => a.path.localeCompare(b.path));
        return response(200).json({ files });
      }),
      http.get('/api/projects/{id}/files/content', ({ request, params, query, response }) => {
        const user = this.userFor(request);
        if (!user) return response(401).json(unauthorized);
        const owned = this.ownProject(user, params.id);
        const path = query.get('path') ?? '';
        const content = owned?.files.get(path);
        if (content === undefined) return response(404).json(errorBody('not_found', `No file ${path}.`));
        return response(200).json(this.fileContent(path, content));
      }),
      http.put('/api/projects/{id}/files/content', async ({ request, params, query, response }) => {
        const user = this.userFor(request);
        if (!user) return response(401).json(unauthorized);
        const owned = this.ownProject(user, params.id);
        if (!owned) return response(404).json(notFound);
        const path = query.get('path') ?? '';
        const { content } = await request.json();
        const existed = owned.files.has(path);
        owned.files.set(path, content);
        owned.project.fileCount = owned.files.size;
        return response(existed ? 200 : 201).json(this.fileContent(path, content));
      }),
      http.delete('/api/projects/{id}/files/content', ({ request, params, query, response }) => {
        const user = this.userFor(request);
        if (!user) return response(401).json(unauthorized);
        const owned = this.ownProject(user, params.id);
        const path = query.get('path') ?? '';
        if (!owned?.files.delete(path)) return response(404).json(errorBody('not_found', `No file ${path}.`));
        owned.project.fileCount = owned.files.size;
        return response(204).empty();
      }),
      http.post('/api/ai/generate', async ({ request, response }) => {
        if (!this.userFor(request)) return response(401).json(unauthorized);
        const body = await request.json();
        this.generateRequests.push(body);
        const language = body.language ?? 'typescript';
        return response(200).json({
          code: `// ${language}: ${body.prompt}\nexport function generated() {}\n`,
          language,
          provider: 'local',
          model: 'local-deterministic',
          cached: false,
          usage: { inputTokens: 12, outputTokens: 34 },
          costUsd: 0.0012,
        });
      }),
    ];
  }
}

export const server = setupServer();

/** A fresh fake backend installed as the msw handlers for the current test. */
export function useFakeBackend(): FakeBackend {
  const backend = new FakeBackend();
  server.use(...backend.handlers());
  return backend;
}
