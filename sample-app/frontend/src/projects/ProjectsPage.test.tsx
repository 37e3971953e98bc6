import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { errorBody, http, server, useFakeBackend } from '../test/backend.js';
import { loggedInSession, renderWithServices } from '../test/render.js';
import { ProjectsPage } from './ProjectsPage.js';

function setup() {
  const backend = useFakeBackend();
  const session = loggedInSession(backend);
  const ownerId = session.get()!.user.id;
  const onOpen = vi.fn();
  return { backend, session, ownerId, onOpen };
}

describe('ProjectsPage', () => {
  it('lists only the caller’s projects with template and file count', async () => {
    const { backend, session, ownerId, onOpen } = setup();
    backend.addProject(ownerId, 'alpha', 'node-api');
    backend.addProject(ownerId, 'beta');
    backend.addProject('someone-else', 'gamma');
    renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    const list = await screen.findByRole('list');
    await within(list).findByText('alpha');
    const items = within(list)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([
      expect.stringContaining('betaempty · 0 files'),
      expect.stringContaining('alphanode-api · 2 files'),
    ]);
  });

  it('says so when there are no projects yet', async () => {
    const { session, onOpen } = setup();
    renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    expect(await screen.findByText('No projects yet. Create one to start.')).toBeTruthy();
  });

  it('creates a project from a template, shows it first and reports it', async () => {
    const { backend, session, onOpen } = setup();
    const { user } = renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    await screen.findByText('No projects yet. Create one to start.');
    await user.type(screen.getByLabelText('Project name'), 'my-api');
    await user.type(screen.getByLabelText('Description'), 'first try');
    await user.selectOptions(screen.getByLabelText('Template'), 'node-api');
    expect(screen.getByText('A Fastify service. Seeds 2 files.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    expect((await screen.findByRole('status')).textContent).toBe('Created my-api.');
    expect(screen.getByText('node-api · 2 files · first try')).toBeTruthy();
    expect(backend.projects[0]).toMatchObject({ name: 'my-api', template: 'node-api', description: 'first try' });
    expect((screen.getByLabelText('Project name') as HTMLInputElement).value).toBe('');
  });

  it('sends an empty project without template or description fields', async () => {
    const { backend, session, onOpen } = setup();
    const bodies: unknown[] = [];
    server.events.on('request:start', async ({ request }) => {
      if (request.method === 'POST') bodies.push(await request.clone().json());
    });
    const { user } = renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    await user.type(screen.getByLabelText('Project name'), 'bare');
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    await screen.findByRole('status');
    server.events.removeAllListeners();
    expect(bodies).toEqual([{ name: 'bare' }]);
    expect(backend.projects[0].template).toBeNull();
    expect(screen.getByText('empty · 0 files')).toBeTruthy();
  });

  it('shows a name conflict from the backend', async () => {
    const { backend, session, ownerId, onOpen } = setup();
    backend.addProject(ownerId, 'taken');
    const { user } = renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    await screen.findByText('taken');
    await user.type(screen.getByLabelText('Project name'), 'taken');
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    expect((await screen.findByRole('alert')).textContent).toBe('You already have a project named taken.');
    expect(backend.projects).toHaveLength(1);
  });

  it('opens and deletes projects', async () => {
    const { backend, session, ownerId, onOpen } = setup();
    const alpha = backend.addProject(ownerId, 'alpha');
    backend.addProject(ownerId, 'beta');
    const { user } = renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    await user.click(await screen.findByRole('button', { name: 'Open alpha' }));
    expect(onOpen).toHaveBeenCalledWith(alpha);
    await user.click(screen.getByRole('button', { name: 'Delete beta' }));
    await expect.poll(() => screen.queryByText('beta')).toBeNull();
    expect(backend.projects.map((p) => p.name)).toEqual(['alpha']);
  });

  it('shows why a delete failed and keeps the project listed', async () => {
    const { backend, session, ownerId, onOpen } = setup();
    backend.addProject(ownerId, 'alpha');
    server.use(
      http.delete('/api/projects/{id}', ({ response }) =>
        response(503).json(errorBody('fault_injected', 'Injected fault: service unavailable.')),
      ),
    );
    const { user } = renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    await user.click(await screen.findByRole('button', { name: 'Delete alpha' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Injected fault: service unavailable.');
    expect(screen.getByText('alpha')).toBeTruthy();
  });

  it('shows a load failure instead of an endless spinner', async () => {
    const { session, onOpen } = setup();
    server.use(
      http.get('/api/templates', ({ response }) => response(500).json(errorBody('internal', 'Internal error.'))),
    );
    renderWithServices(<ProjectsPage onOpen={onOpen} />, session);
    expect((await screen.findByRole('alert')).textContent).toBe('Internal error.');
    expect(screen.queryByText('Loading projects…')).toBeNull();
  });
});
