import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from './App.js';
import { SessionStore } from './api/session.js';
import { useFakeBackend } from './test/backend.js';
import { loggedInSession, renderWithServices } from './test/render.js';

describe('App', () => {
  it('walks from registration through a project to a saved file and back out', async () => {
    const backend = useFakeBackend();
    const { user } = renderWithServices(<App />);
    await user.click(screen.getByRole('button', { name: 'Create one' }));
    await user.type(screen.getByLabelText('Name'), 'Ada');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByText('Ada (user)')).toBeTruthy();
    await user.type(await screen.findByLabelText('Project name'), 'shop');
    await user.selectOptions(screen.getByLabelText('Template'), 'python-fastapi');
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    await user.click(await screen.findByRole('button', { name: 'Open shop' }));

    await user.click(await screen.findByRole('button', { name: 'main.py' }));
    const content = (await screen.findByLabelText('Content of main.py')) as HTMLTextAreaElement;
    await user.type(content, '# edited');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved main.py.');
    const project = backend.projects[0];
    expect(backend.files.get(project.id)?.get('main.py')).toBe('print("up")\n# edited');

    await user.click(screen.getByRole('button', { name: '← All projects' }));
    expect(await screen.findByRole('button', { name: 'Open shop' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Log out' }));
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(sessionStorage.getItem('myco.session')).toBeNull();
  });

  it('restores a stored session on load', async () => {
    const backend = useFakeBackend();
    loggedInSession(backend);
    renderWithServices(<App />, new SessionStore());
    expect(await screen.findByText('Test User (user)')).toBeTruthy();
    expect(await screen.findByText('No projects yet. Create one to start.')).toBeTruthy();
  });

  it('returns to the login form with the reason when the session cannot be renewed', async () => {
    const backend = useFakeBackend();
    const session = loggedInSession(backend);
    session.set({ ...session.get()!, tokens: { ...session.get()!.tokens, refreshToken: 'revoked' } });
    backend.expireAccessTokens();
    renderWithServices(<App />, session);
    expect((await screen.findByRole('alert')).textContent).toBe('Your session expired. Log in again.');
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeTruthy();
  });
});
