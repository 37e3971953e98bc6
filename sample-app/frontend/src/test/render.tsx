import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { createApiClient, defaultBaseUrl } from '../api/client.js';
import { ServicesProvider } from '../api/context.js';
import { SessionStore } from '../api/session.js';
import type { FakeBackend } from './backend.js';

/** Renders `ui` with a real API client and session store, talking to the msw-served backend. */
export function renderWithServices(ui: ReactNode, session = new SessionStore()) {
  const api = createApiClient({ baseUrl: defaultBaseUrl(), session });
  const user = userEvent.setup();
  const view = render(<ServicesProvider value={{ api, session }}>{ui}</ServicesProvider>);
  return { ...view, api, session, user };
}

/** A session store already logged in as a fresh user of `backend`. */
export function loggedInSession(backend: FakeBackend, email = 'ada@example.com'): SessionStore {
  const session = new SessionStore();
  session.set(backend.addUser(email, 'correct horse battery'));
  return session;
}
