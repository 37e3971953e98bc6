import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { App } from './App.js';
import { createApiClient, defaultBaseUrl } from './api/client.js';
import { ServicesProvider, type Services } from './api/context.js';
import { SessionStore } from './api/session.js';
import './styles.css';

/** Renders the app into `element` with real services unless others are given. */
export function mount(element: HTMLElement, services?: Services): Root {
  const session = services?.session ?? new SessionStore();
  const api = services?.api ?? createApiClient({ baseUrl: defaultBaseUrl(), session });
  const root = createRoot(element);
  root.render(
    <StrictMode>
      <ServicesProvider value={{ api, session }}>
        <App />
      </ServicesProvider>
    </StrictMode>,
  );
  return root;
}

const container = document.getElementById('root');
if (container) mount(container);
