import type { TokenPair, User } from './client.js';

/** A logged-in user and the tokens that authenticate them. */
export interface Session {
  user: User;
  tokens: TokenPair;
}

type Listener = () => void;

/**
 * Holds the current session and keeps it in sessionStorage, so a reload keeps the user logged
 * in but closing the tab logs them out. Components subscribe through useSyncExternalStore.
 */
export class SessionStore {
  private current: Session | null;
  private reason: string | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly storage: Storage | undefined = globalThis.sessionStorage,
    private readonly key = 'myco.session',
  ) {
    this.current = this.load();
  }

  /** The current session, or null when logged out. */
  get = (): Session | null => this.current;

  /** Why the last session ended when it was not the user's choice (e.g. expired tokens). */
  endReason(): string | undefined {
    return this.reason;
  }

  /** Starts, renews or (with null) ends the session; `reason` explains an involuntary end. */
  set(session: Session | null, reason?: string): void {
    this.current = session;
    this.reason = session ? undefined : reason;
    if (session) this.storage?.setItem(this.key, JSON.stringify(session));
    else this.storage?.removeItem(this.key);
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private load(): Session | null {
    const raw = this.storage?.getItem(this.key);
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as Partial<Session>;
      if (typeof parsed.tokens?.accessToken === 'string' && typeof parsed.user?.email === 'string') {
        return parsed as Session;
      }
    } catch {
      // fall through: a corrupt entry (edited by hand, older app version) is dropped below
    }
    this.storage?.removeItem(this.key);
    return null;
  }
}
