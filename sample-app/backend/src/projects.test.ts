import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { safeFilePath } from './paths.js';
import { startBackend, type TestBackend } from './testing.js';

let backend: TestBackend;
let alice: string;
let bob: string;
let admin: string;
beforeAll(async () => {
  backend = await startBackend({ ADMIN_EMAILS: 'root@example.com' });
  alice = (await backend.register('alice@example.com')).token;
  bob = (await backend.register('bob@example.com')).token;
  admin = (await backend.register('root@example.com')).token;
});
afterAll(() => backend.close());
afterEach(() => expect(backend.violations).toEqual([]));

function call(token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: object) {
  return backend.request({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
}
async function createProject(token: string, body: object) {
  const response = await call(token, 'POST', '/api/projects', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; fileCount: number; updatedAt: string };
}

describe('templates', () => {
  it('lists the templates with their seeded files, sorted by id', async () => {
    const response = await backend.request({ method: 'GET', url: '/api/templates' });
    expect(response.json().templates.map((t: { id: string }) => t.id)).toEqual([
      'node-api',
      'python-fastapi',
      'react-typescript',
    ]);
    expect(response.json().templates[0].files).toContain('src/server.ts');
  });
});

describe('projects', () => {
  it('creates from a template, seeding its files', async () => {
    const project = await createProject(alice, { name: 'api', description: 'An API', template: 'node-api' });
    expect(project).toMatchObject({ name: 'api', description: 'An API', template: 'node-api', fileCount: 4 });
    const files = (await call(alice, 'GET', `/api/projects/${project.id}/files`)).json().files;
    expect(files.map((f: { path: string }) => f.path)).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/server.ts',
    ]);
  });

  it('creates an empty project without a template', async () => {
    expect(await createProject(alice, { name: 'blank' })).toMatchObject({
      template: null,
      description: '',
      fileCount: 0,
    });
  });

  it('refuses an unknown template with 422 naming the valid ones', async () => {
    const response = await call(alice, 'POST', '/api/projects', { name: 'x', template: 'cobol-cics' });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.message).toContain('node-api, python-fastapi, react-typescript');
  });

  it('refuses duplicate names per owner with 409 but allows them across owners', async () => {
    await createProject(alice, { name: 'same' });
    expect((await call(alice, 'POST', '/api/projects', { name: 'same' })).statusCode).toBe(409);
    await createProject(bob, { name: 'same' });
  });

  it('lists only own projects, newest first; admins see all', async () => {
    const own = (await call(bob, 'GET', '/api/projects')).json().projects;
    expect(own.map((p: { name: string }) => p.name)).toEqual(['same']);
    const all = (await call(admin, 'GET', '/api/projects')).json().projects;
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all[0].name).toBe('same');
  });

  it('gets, renames and deletes; other users get 404', async () => {
    const project = await createProject(alice, { name: 'crud' });
    expect((await call(bob, 'GET', `/api/projects/${project.id}`)).statusCode).toBe(404);
    expect((await call(admin, 'GET', `/api/projects/${project.id}`)).statusCode).toBe(200);

    const renamed = await call(alice, 'PATCH', `/api/projects/${project.id}`, { name: 'crud2', description: 'new' });
    expect(renamed.json()).toMatchObject({ name: 'crud2', description: 'new' });
    expect((await call(alice, 'PATCH', `/api/projects/${project.id}`, { name: 'blank' })).statusCode).toBe(409);
    expect((await call(bob, 'DELETE', `/api/projects/${project.id}`)).statusCode).toBe(404);
    expect((await call(alice, 'DELETE', `/api/projects/${project.id}`)).statusCode).toBe(204);
    expect((await call(alice, 'GET', `/api/projects/${project.id}`)).statusCode).toBe(404);
    expect(await backend.metric('project_operations_total', { operation: 'delete' })).toBe(1);
  });

  it.each([
    ['a non-UUID id', 'GET', '/api/projects/not-a-uuid', undefined, 'path.id must match format "uuid"'],
    [
      'an empty patch',
      'PATCH',
      '/api/projects/3f1b1a43-8f42-4b43-9a3e-4a5f3f0c7c11',
      {},
      'must NOT have fewer than 1 properties',
    ],
    ['an unknown field', 'POST', '/api/projects', { name: 'n', owner: 'me' }, 'additional property "owner"'],
    ['a missing name', 'POST', '/api/projects', { description: 'd' }, "must have required property 'name'"],
    [
      'a too long name',
      'POST',
      '/api/projects',
      { name: 'n'.repeat(101) },
      'body.name must NOT have more than 100 characters',
    ],
  ] as const)('answers %s with 400', async (_case, method, url, payload, message) => {
    const response = await call(alice, method, url, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed' });
    expect(response.json().error.message).toContain(message);
  });
});

describe('files', () => {
  let projectId: string;
  const file = (path: string) => `/api/projects/${projectId}/files/content?path=${encodeURIComponent(path)}`;
  beforeAll(async () => {
    projectId = (await createProject(alice, { name: 'files' })).id;
  });

  it('creates (201), replaces (200), reads, lists and deletes a file', async () => {
    const created = await call(alice, 'PUT', file('src/a.ts'), { content: 'héllo' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ path: 'src/a.ts', content: 'héllo', size: 6 });
    expect((await call(alice, 'PUT', file('src/a.ts'), { content: 'bye' })).statusCode).toBe(200);
    expect((await call(alice, 'GET', file('src/a.ts'))).json()).toMatchObject({ content: 'bye', size: 3 });
    expect((await call(alice, 'GET', `/api/projects/${projectId}/files`)).json().files).toEqual([
      expect.objectContaining({ path: 'src/a.ts', size: 3 }),
    ]);
    const project = (await call(alice, 'GET', `/api/projects/${projectId}`)).json();
    expect(project.fileCount).toBe(1);
    expect(project.updatedAt > project.createdAt).toBe(true);
    expect((await call(alice, 'DELETE', file('src/a.ts'))).statusCode).toBe(204);
    expect((await call(alice, 'GET', file('src/a.ts'))).statusCode).toBe(404);
    expect((await call(alice, 'DELETE', file('src/a.ts'))).statusCode).toBe(404);
  });

  it.each(['../etc/passwd', 'a/../../b', '/etc/passwd', 'a\\b', 'a\u0000b', 'a//b', './a', 'a/'])(
    'rejects unsafe path %j with 400 on read, write and delete',
    async (path) => {
      for (const [method, payload] of [['GET'], ['PUT', { content: 'x' }], ['DELETE']] as const) {
        const response = await call(alice, method, file(path), payload);
        expect(response.statusCode, `${method} ${path}`).toBe(400);
        expect(response.json().error.code).toBe('invalid_path');
      }
    },
  );

  it('keeps other users out of the file tree', async () => {
    expect((await call(bob, 'GET', `/api/projects/${projectId}/files`)).statusCode).toBe(404);
    expect((await call(bob, 'PUT', file('x.txt'), { content: 'x' })).statusCode).toBe(404);
  });

  it('requires the path query parameter and a content field', async () => {
    expect((await call(alice, 'GET', `/api/projects/${projectId}/files/content`)).json().error.message).toContain(
      "query must have required property 'path'",
    );
    expect((await call(alice, 'PUT', file('a.txt'), { text: 'x' })).statusCode).toBe(400);
  });

  it('deletes the file tree with the project and counts outcomes', async () => {
    const project = await createProject(alice, { name: 'doomed', template: 'python-fastapi' });
    expect((await call(alice, 'DELETE', `/api/projects/${project.id}`)).statusCode).toBe(204);
    const left = backend.app.store.db.prepare('SELECT COUNT(*) AS n FROM files WHERE project_id = ?').get(project.id);
    expect(left).toEqual({ n: 0 });
    expect(
      await backend.metric('filesystem_operations_total', { operation: 'read', result: 'failure' }),
    ).toBeGreaterThan(0);
    expect(
      await backend.metric('filesystem_operations_total', { operation: 'write', result: 'success' }),
    ).toBeGreaterThan(0);
    expect(await backend.metric('projects_created_total')).toBeGreaterThan(0);
  });
});

describe('safeFilePath', () => {
  it.each(['a', 'src/index.ts', '.gitignore', 'a/b/c.d', 'dir/..hidden'])('accepts %j', (path) => {
    expect(safeFilePath(path)).toBe(path);
  });
});
