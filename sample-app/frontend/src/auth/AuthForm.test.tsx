import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../api/session.js';
import { useFakeBackend } from '../test/backend.js';
import { renderWithServices } from '../test/render.js';
import { AuthForm } from './AuthForm.js';

describe('AuthForm', () => {
  it('logs in with valid credentials and starts a session', async () => {
    const backend = useFakeBackend();
    backend.addUser('ada@example.com', 'correct horse battery', 'Ada');
    const { user, session } = renderWithServices(<AuthForm />);
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await expect.poll(() => session.get()?.user.name).toBe('Ada');
    expect(session.get()?.tokens.tokenType).toBe('Bearer');
  });

  it('shows the backend message for wrong credentials and lets the user retry', async () => {
    const backend = useFakeBackend();
    backend.addUser('ada@example.com', 'correct horse battery');
    const { user, session } = renderWithServices(<AuthForm />);
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong email or password.');
    expect(session.get()).toBeNull();
    expect(screen.getByRole('button', { name: 'Log in' }).hasAttribute('disabled')).toBe(false);
  });

  it('registers a new account (name field appears) and starts a session', async () => {
    const backend = useFakeBackend();
    const { user, session } = renderWithServices(<AuthForm />);
    expect(screen.queryByLabelText('Name')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create one' }));
    expect(screen.getByRole('heading').textContent).toBe('Create account');
    await user.type(screen.getByLabelText('Name'), 'Grace');
    await user.type(screen.getByLabelText('Email'), 'grace@example.com');
    await user.type(screen.getByLabelText('Password'), 'long enough pw');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await expect.poll(() => session.get()?.user.email).toBe('grace@example.com');
    expect(backend.accounts.get('grace@example.com')?.password).toBe('long enough pw');
  });

  it('reports a duplicate registration and clears the error when switching mode', async () => {
    const backend = useFakeBackend();
    backend.addUser('ada@example.com', 'correct horse battery');
    const { user } = renderWithServices(<AuthForm />);
    await user.click(screen.getByRole('button', { name: 'Create one' }));
    await user.type(screen.getByLabelText('Name'), 'Ada');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'another password');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect((await screen.findByRole('alert')).textContent).toBe('An account for ada@example.com already exists.');
    await user.click(screen.getByRole('button', { name: 'Log in instead' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('heading').textContent).toBe('Log in');
  });

  it('explains why a previous session ended', () => {
    const session = new SessionStore();
    session.set(null, 'Your session expired. Log in again.');
    renderWithServices(<AuthForm />, session);
    expect(screen.getByRole('alert').textContent).toBe('Your session expired. Log in again.');
  });
});
