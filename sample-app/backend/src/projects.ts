import { ApiError } from '@myco-gates/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AppContext } from './context.js';
import { isUniqueViolation, transaction } from './db.js';
import { safeFilePath } from './paths.js';
import { TEMPLATES } from './templates.js';

interface ProjectRow {
  id: string;
  owner_id: string;
  name: string;
  description: string;
  template: string | null;
  created_at: string;
  updated_at: string;
  file_count: number;
}

interface FileRow {
  path: string;
  content: string;
  size: number;
  updated_at: string;
}

const PROJECT_SELECT = `SELECT p.*, (SELECT COUNT(*) FROM files f WHERE f.project_id = p.id) AS file_count FROM projects p`;

function toProject(row: ProjectRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    template: row.template,
    ownerId: row.owner_id,
    fileCount: row.file_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const nameTaken = (name: string) =>
  new ApiError(
    409,
    'project_name_taken',
    `You already have a project named ${JSON.stringify(name)}; pick another name.`,
  );

/** Looks up a project visible to the caller (owner or admin); anything else is 404 so ids do not leak. */
export function visibleProject(ctx: AppContext, request: FastifyRequest, id: string): ProjectRow {
  const { userId, role } = request.principal!;
  const row = ctx.store.timed('project_get', (db) => db.prepare(`${PROJECT_SELECT} WHERE p.id = ?`).get(id)) as
    ProjectRow | undefined;
  if (!row || (row.owner_id !== userId && role !== 'admin')) {
    throw new ApiError(
      404,
      'project_not_found',
      `Project ${id} does not exist or is not yours; list yours with GET /api/projects.`,
    );
  }
  return row;
}

/** Registers templates, project CRUD and the per-project file tree routes. */
export function projectRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store, metrics } = ctx;
  const auth = { onRequest: ctx.authenticate };

  app.get('/api/templates', async () => ({
    templates: TEMPLATES.map(({ files, ...template }) => ({ ...template, files: Object.keys(files).sort() })).sort(
      (a, b) => a.id.localeCompare(b.id),
    ),
  }));

  app.get('/api/projects', auth, async (request) => {
    const { userId, role } = request.principal!;
    const rows = store.timed('project_list', (db) =>
      role === 'admin'
        ? db.prepare(`${PROJECT_SELECT} ORDER BY p.created_at DESC, p.rowid DESC`).all()
        : db.prepare(`${PROJECT_SELECT} WHERE p.owner_id = ? ORDER BY p.created_at DESC, p.rowid DESC`).all(userId),
    ) as ProjectRow[];
    metrics.projectOperations.inc({ operation: 'list' });
    return { projects: rows.map(toProject) };
  });

  app.post('/api/projects', auth, async (request, reply) => {
    const body = request.body as { name: string; description?: string; template?: string };
    const template = body.template === undefined ? undefined : TEMPLATES.find((t) => t.id === body.template);
    if (body.template !== undefined && !template) {
      throw new ApiError(
        422,
        'unknown_template',
        `Template ${JSON.stringify(body.template)} does not exist; use one of ${TEMPLATES.map((t) => t.id).join(', ')}.`,
      );
    }
    const id = randomUUID();
    const now = new Date().toISOString();
    try {
      store.timed('project_insert', (db) =>
        transaction(db, () => {
          db.prepare(
            'INSERT INTO projects (id, owner_id, name, description, template, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          ).run(id, request.principal!.userId, body.name, body.description ?? '', template?.id ?? null, now, now);
          const insert = db.prepare(
            'INSERT INTO files (project_id, path, content, size, updated_at) VALUES (?, ?, ?, ?, ?)',
          );
          for (const [path, content] of Object.entries(template?.files ?? {})) {
            insert.run(id, path, content, Buffer.byteLength(content), now);
          }
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(body.name);
      throw error;
    }
    metrics.projectOperations.inc({ operation: 'create' });
    metrics.projectsCreated.inc();
    return reply.code(201).send(toProject(visibleProject(ctx, request, id)));
  });

  app.get('/api/projects/:id', auth, async (request) => {
    const row = visibleProject(ctx, request, (request.params as { id: string }).id);
    metrics.projectOperations.inc({ operation: 'get' });
    return toProject(row);
  });

  app.patch('/api/projects/:id', auth, async (request) => {
    const row = visibleProject(ctx, request, (request.params as { id: string }).id);
    const body = request.body as { name?: string; description?: string };
    try {
      store.timed('project_update', (db) =>
        db
          .prepare('UPDATE projects SET name = ?, description = ?, updated_at = ? WHERE id = ?')
          .run(body.name ?? row.name, body.description ?? row.description, new Date().toISOString(), row.id),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(body.name!);
      throw error;
    }
    metrics.projectOperations.inc({ operation: 'update' });
    return toProject(visibleProject(ctx, request, row.id));
  });

  app.delete('/api/projects/:id', auth, async (request, reply) => {
    const row = visibleProject(ctx, request, (request.params as { id: string }).id);
    store.timed('project_delete', (db) => db.prepare('DELETE FROM projects WHERE id = ?').run(row.id));
    metrics.projectOperations.inc({ operation: 'delete' });
    return reply.code(204).send();
  });

  // File routes count every outcome, so a spike of rejected paths shows up on the dashboard.
  const fileOperation = async <T>(operation: string, run: () => T | Promise<T>): Promise<T> => {
    try {
      const result = await run();
      metrics.filesystemOperations.inc({ operation, result: 'success' });
      return result;
    } catch (error) {
      metrics.filesystemOperations.inc({ operation, result: 'failure' });
      throw error;
    }
  };
  const fileTarget = (request: FastifyRequest) => ({
    project: visibleProject(ctx, request, (request.params as { id: string }).id),
    path: safeFilePath((request.query as { path: string }).path),
  });
  const fileNotFound = (path: string) =>
    new ApiError(
      404,
      'file_not_found',
      `File ${JSON.stringify(path)} does not exist in this project; list files first.`,
    );
  const touch = (projectId: string, now: string) =>
    store.timed('project_touch', (db) =>
      db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now, projectId),
    );

  app.get('/api/projects/:id/files', auth, async (request) =>
    fileOperation('list', () => {
      const project = visibleProject(ctx, request, (request.params as { id: string }).id);
      const rows = store.timed('file_list', (db) =>
        db.prepare('SELECT path, size, updated_at FROM files WHERE project_id = ? ORDER BY path').all(project.id),
      ) as FileRow[];
      return { files: rows.map((row) => ({ path: row.path, size: row.size, updatedAt: row.updated_at })) };
    }),
  );

  app.get('/api/projects/:id/files/content', auth, async (request) =>
    fileOperation('read', () => {
      const { project, path } = fileTarget(request);
      const row = store.timed('file_read', (db) =>
        db.prepare('SELECT * FROM files WHERE project_id = ? AND path = ?').get(project.id, path),
      ) as FileRow | undefined;
      if (!row) throw fileNotFound(path);
      return { path: row.path, content: row.content, size: row.size, updatedAt: row.updated_at };
    }),
  );

  app.put('/api/projects/:id/files/content', auth, async (request, reply) =>
    fileOperation('write', () => {
      const { project, path } = fileTarget(request);
      const { content } = request.body as { content: string };
      const now = new Date().toISOString();
      const size = Buffer.byteLength(content);
      const existed = store.timed('file_write', (db) =>
        transaction(db, () => {
          const found = db.prepare('SELECT 1 FROM files WHERE project_id = ? AND path = ?').get(project.id, path);
          db.prepare(
            `INSERT INTO files (project_id, path, content, size, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (project_id, path) DO UPDATE
             SET content = excluded.content, size = excluded.size, updated_at = excluded.updated_at`,
          ).run(project.id, path, content, size, now);
          return found !== undefined;
        }),
      );
      touch(project.id, now);
      return reply.code(existed ? 200 : 201).send({ path, content, size, updatedAt: now });
    }),
  );

  app.delete('/api/projects/:id/files/content', auth, async (request, reply) =>
    fileOperation('delete', () => {
      const { project, path } = fileTarget(request);
      const result = store.timed('file_delete', (db) =>
        db.prepare('DELETE FROM files WHERE project_id = ? AND path = ?').run(project.id, path),
      );
      if (result.changes === 0) throw fileNotFound(path);
      touch(project.id, new Date().toISOString());
      return reply.code(204).send();
    }),
  );
}
