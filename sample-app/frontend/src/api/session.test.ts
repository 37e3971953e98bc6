import { describe, expect, it, vi } from 'vitest';
import { SessionStore, type Session } from './session.js';

const session: Session = {
  user: { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'user', createdAt: '2026-01-01T00:00:00.000Z' },
  tokens: { accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', expiresIn: 900 },
};

describe('SessionStore', () => {
  it.each([
    { name: 'nothing stored', stored: null, expected: null },
    { name: 'a valid session', stored: JSON.stringify(session), expected: session },
    { name: 'corrupt JSON', stored: '{not json', expected: null },
    { name: 'JSON of the wrong shape', stored: JSON.stringify({ user: 'x' }), expected: null },
  ])('loads $name', ({ stored, expected }) => {
    if (stored !== null) sessionStorage.setItem('myco.session', stored);
    expect(new SessionStore().get()).toEqual(expected);
    // A bad entry is removed so it is not parsed again on every load.
    if (expected === null) expect(sessionStorage.getItem('myco.session')).toBeNull();
  });

  it('persists, notifies subscribers and forgets on logout with a reason', () => {
    const store = new SessionStore();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    store.set(session);
    expect(JSON.parse(sessionStorage.getItem('myco.session')!)).toEqual(session);
    expect(new SessionStore().get()).toEqual(session);
    store.set(null, 'expired');
    expect(store.get()).toBeNull();
    expect(store.endReason()).toBe('expired');
    expect(sessionStorage.getItem('myco.session')).toBeNull();
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    store.set(session);
    expect(listener).toHaveBeenCalledTimes(2);
    expect(store.endReason()).toBeUndefined();
  });

  it('works without storage (private mode) by keeping the session in memory', () => {
    const store = new SessionStore(undefined);
    store.set(session);
    expect(store.get()).toEqual(session);
    store.set(null);
    expect(store.get()).toBeNull();
  });
});
