import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { errorBody, http, server, useFakeBackend } from '../test/backend.js';
import { loggedInSession, renderWithServices } from '../test/render.js';
import { Workspace } from './Workspace.js';

async function setup(template: string | null = 'node-api') {
  const backend = useFakeBackend();
  const session = loggedInSession(backend);
  const project = backend.addProject(session.get()!.user.id, 'demo', template);
  const onBack = vi.fn();
  const view = renderWithServices(<Workspace project={project} onBack={onBack} />, session);
  const files = () => within(screen.getByRole('navigation', { name: 'Files' }));
  if (template) await files().findByRole('button', { name: 'server.ts' });
  return { backend, project, onBack, files, ...view };
}

const editor = (path: string) => screen.getByLabelText(`Content of ${path}`) as HTMLTextAreaElement;

describe('Workspace', () => {
  it('shows the file tree with folders and opens a file into the editor', async () => {
    const { files, user } = await setup();
    expect(files().getByText('src/')).toBeTruthy();
    expect(
      files()
        .getAllByRole('button', { name: /\.(json|ts)$/ })
        .map((b) => b.textContent),
    ).toEqual(['server.ts', 'package.json']);
    expect(screen.getByText('Select a file to edit it, or create a new one.')).toBeTruthy();
    await user.click(files().getByRole('button', { name: 'server.ts' }));
    expect((await screen.findByLabelText('Content of src/server.ts')).textContent).toBe("console.log('up');\n");
    expect(files().getByRole('button', { name: 'server.ts' }).getAttribute('aria-current')).toBe('true');
  });

  it('edits and saves a file; Save is only enabled while there are unsaved changes', async () => {
    const { backend, project, files, user } = await setup();
    await user.click(files().getByRole('button', { name: 'package.json' }));
    await screen.findByLabelText('Content of package.json');
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save.hasAttribute('disabled')).toBe(true);
    await user.clear(editor('package.json'));
    await user.type(editor('package.json'), '{{ "name": "renamed" }');
    expect(screen.getByText('(unsaved)')).toBeTruthy();
    await user.click(save);
    expect((await screen.findByRole('status')).textContent).toBe('Saved package.json.');
    expect(backend.files.get(project.id)?.get('package.json')).toBe('{ "name": "renamed" }');
    expect(screen.queryByText('(unsaved)')).toBeNull();
    expect(save.hasAttribute('disabled')).toBe(true);
  });

  it('saves with Ctrl+S and ignores the shortcut when nothing changed', async () => {
    const { backend, project, files, user } = await setup();
    const puts = vi.fn();
    server.events.on('request:start', ({ request }) => request.method === 'PUT' && puts());
    await user.click(files().getByRole('button', { name: 'server.ts' }));
    await screen.findByLabelText('Content of src/server.ts');
    fireEvent.keyDown(editor('src/server.ts'), { key: 's', ctrlKey: true });
    expect(puts).not.toHaveBeenCalled();
    await user.type(editor('src/server.ts'), '// more');
    fireEvent.keyDown(editor('src/server.ts'), { key: 'S', metaKey: true });
    await screen.findByText('Saved src/server.ts.');
    fireEvent.keyDown(editor('src/server.ts'), { key: 'x', ctrlKey: true });
    server.events.removeAllListeners();
    expect(puts).toHaveBeenCalledTimes(1);
    expect(backend.files.get(project.id)?.get('src/server.ts')).toBe("console.log('up');\n// more");
  });

  it('deletes a file only after confirmation', async () => {
    const { backend, project, files, user } = await setup();
    await user.click(files().getByRole('button', { name: 'package.json' }));
    await screen.findByLabelText('Content of package.json');
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(backend.files.get(project.id)?.has('package.json')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Confirm delete' }));
    expect((await screen.findByRole('status')).textContent).toBe('Deleted package.json.');
    expect(backend.files.get(project.id)?.has('package.json')).toBe(false);
    expect(files().queryByRole('button', { name: 'package.json' })).toBeNull();
    expect(screen.queryByLabelText('Content of package.json')).toBeNull();
  });

  it('creates a new empty file and opens it', async () => {
    const { backend, project, files, user } = await setup(null);
    expect(await files().findByText('No files yet.')).toBeTruthy();
    await user.type(files().getByLabelText('New file'), ' lib/util.py ');
    await user.click(files().getByRole('button', { name: 'Create file' }));
    expect((await screen.findByRole('status')).textContent).toBe('Created lib/util.py.');
    expect(editor('lib/util.py').value).toBe('');
    expect(backend.files.get(project.id)?.get('lib/util.py')).toBe('');
    expect(files().getByText('lib/')).toBeTruthy();
    expect((files().getByLabelText('New file') as HTMLInputElement).value).toBe('');
    // The AI panel follows the open file's language.
    expect((screen.getByLabelText('Language') as HTMLSelectElement).value).toBe('python');
  });

  it.each([
    { path: '../escape.ts', message: 'The path may not contain empty, "." or ".." segments.' },
    { path: 'package.json', message: 'package.json already exists; open it from the tree.' },
  ])('refuses to create $path without calling the backend', async ({ path, message }) => {
    const { backend, project, files, user } = await setup();
    await user.type(files().getByLabelText('New file'), path);
    await user.click(files().getByRole('button', { name: 'Create file' }));
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    expect(backend.files.get(project.id)?.get('package.json')).toBe('{ "name": "api" }\n');
    // The typed path stays so it can be corrected.
    expect((files().getByLabelText('New file') as HTMLInputElement).value).toBe(path);
  });

  it('shows why a file could not be opened', async () => {
    const { files, user } = await setup();
    server.use(
      http.get('/api/projects/{id}/files/content', ({ response }) =>
        response(400).json(errorBody('invalid_path', 'The path is unsafe.')),
      ),
    );
    await user.click(files().getByRole('button', { name: 'server.ts' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The path is unsafe.');
  });

  it('shows why the file list could not be loaded', async () => {
    const backend = useFakeBackend();
    const session = loggedInSession(backend);
    const stranger = backend.addProject('someone-else', 'not-mine');
    renderWithServices(<Workspace project={stranger} onBack={() => {}} />, session);
    expect((await screen.findByRole('alert')).textContent).toBe('Project not found.');
    expect(screen.queryByText('Loading files…')).toBeNull();
  });

  it('generates code for the open file and inserts it into the editor', async () => {
    const { backend, project, files, user } = await setup();
    const insert = () => screen.getByRole('button', { name: 'Insert into open file' });
    await user.type(screen.getByLabelText('Prompt'), 'a health check');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    const output = await screen.findByLabelText('Generated code');
    expect(within(output).getByText(/\/\/ typescript: a health check/)).toBeTruthy();
    expect(within(output).getByText('local/local-deterministic · 12 in / 34 out tokens · $0.0012')).toBeTruthy();
    expect(insert().hasAttribute('disabled')).toBe(true);
    expect(backend.generateRequests).toEqual([
      { prompt: 'a health check', language: 'typescript', projectId: project.id },
    ]);

    await user.click(files().getByRole('button', { name: 'server.ts' }));
    await screen.findByLabelText('Content of src/server.ts');
    await user.click(insert());
    expect(editor('src/server.ts').value).toBe(
      "console.log('up');\n\n// typescript: a health check\nexport function generated() {}\n",
    );
    expect(screen.getByText('(unsaved)')).toBeTruthy();
  });

  it('inserts into an empty file without a leading blank line, with the language the user picked', async () => {
    const { backend, files, user } = await setup(null);
    await user.type(files().getByLabelText('New file'), 'main.ts');
    await user.click(files().getByRole('button', { name: 'Create file' }));
    await screen.findByLabelText('Content of main.ts');
    await user.selectOptions(screen.getByLabelText('Language'), 'go');
    await user.type(screen.getByLabelText('Prompt'), 'hello');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await user.click(await screen.findByRole('button', { name: 'Insert into open file' }));
    expect(editor('main.ts').value).toBe('// go: hello\nexport function generated() {}\n');
    expect(backend.generateRequests[0].language).toBe('go');
  });

  it('shows cached answers as cached and engine failures as errors', async () => {
    const { user } = await setup();
    server.use(
      http.post('/api/ai/generate', ({ response }) =>
        response(200).json({
          code: 'x',
          language: 'typescript',
          provider: 'local',
          model: 'm',
          cached: true,
          usage: { inputTokens: 1, outputTokens: 2 },
          costUsd: 0,
        }),
      ),
    );
    await user.type(screen.getByLabelText('Prompt'), 'again');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByText('local/m · 1 in / 2 out tokens · cached')).toBeTruthy();

    server.use(
      http.post('/api/ai/generate', ({ response }) =>
        response(502).json(errorBody('ai_engine_unavailable', 'The AI engine is unreachable.')),
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The AI engine is unreachable.');
    expect(screen.queryByLabelText('Generated code')).toBeNull();
  });

  it('goes back to the project list', async () => {
    const { onBack, user } = await setup();
    await user.click(screen.getByRole('button', { name: '← All projects' }));
    expect(onBack).toHaveBeenCalledOnce();
  });
});
