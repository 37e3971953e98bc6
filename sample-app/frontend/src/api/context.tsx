import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ApiClient } from './client.js';
import type { Session, SessionStore } from './session.js';

/** What the components need from the outside world, injected so tests can build their own. */
export interface Services {
  api: ApiClient;
  session: SessionStore;
}

const ServicesContext = createContext<Services | null>(null);

export const ServicesProvider = ServicesContext.Provider;

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() needs a <ServicesProvider> above the component.');
  return services;
}

/** The current session; re-renders the caller on login, refresh and logout. */
export function useSession(): Session | null {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.get);
}
