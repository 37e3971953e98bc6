import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './auth.js';
import { startBackend, TEST_SECRET, type TestBackend } from './testing.js';

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend({ ADMIN_EMAILS: 'Boss@Example.com' });
});
afterAll(() => backend.close());
afterEach(() => expect(backend.violations).toEqual([]));

const post = (url: string, payload: unknown) => backend.request({ method: 'POST', url, payload: payload as object });
const me = (token: string) =>
  backend.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });

async function signed(claims: Record<string, unknown>, expiresAt: number, secret = TEST_SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(claims.sub ?? 'nobody'))
    .setIssuer('myco-sample-backend')
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

describe('passwords', () => {
  it('hashes with a random salt and verifies only the right password', async () => {
    const [first, second] = await Promise.all([hashPassword('secret-pass', 1024), hashPassword('secret-pass', 1024)]);
    expect(first).toMatch(/^scrypt\$1024\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('secret-pass', first)).toBe(true);
    expect(await verifyPassword('secret-pasS', first)).toBe(false);
  });

  it.each(['', 'plain', 'bcrypt$10$x$y', 'scrypt$abc$c2FsdA==$a2V5', 'scrypt$1024$$a2V5'])(
    'never matches malformed hash %j',
    async (stored) => {
      expect(await verifyPassword('secret-pass', stored)).toBe(false);
    },
  );
});

describe('register, login, refresh', () => {
  it('registers, logs in and returns the current user', async () => {
    const registered = await post('/api/auth/register', {
      email: 'Ada@Example.com',
      password: 'analytical',
      name: 'Ada',
    });
    expect(registered.statusCode).toBe(201);
    expect(registered.json().user).toMatchObject({ email: 'ada@example.com', name: 'Ada', role: 'user' });
    expect(registered.json().tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });

    const login = await post('/api/auth/login', { email: 'ADA@example.com', password: 'analytical' });
    expect(login.statusCode).toBe(200);
    const current = await me(login.json().tokens.accessToken);
    expect(current.statusCode).toBe(200);
    expect(current.json()).toEqual(registered.json().user);
  });

  it('gives admins the admin role from ADMIN_EMAILS, case-insensitively', async () => {
    const { token } = await backend.register('boss@example.com');
    expect((await me(token)).json().role).toBe('admin');
  });

  it('refuses a second account for the same email with 409', async () => {
    await backend.register('dup@example.com');
    const again = await post('/api/auth/register', { email: 'DUP@example.com', password: 'whatever1', name: 'Dup' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('email_taken');
  });

  it('lets exactly one of two concurrent registrations of an email win', async () => {
    // Production-strength hashing keeps both requests between lookup and insert at the same time.
    const slow = await startBackend({}, { scryptCost: 16_384 });
    const register = () =>
      slow.request({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email: 'race@example.com', password: 'whatever1', name: 'Race' },
      });
    const statuses = (await Promise.all([register(), register()])).map((response) => response.statusCode);
    expect(statuses.sort()).toEqual([201, 409]);
    expect(await slow.metric('auth_attempts_total', { type: 'register', result: 'failure' })).toBe(1);
    expect(slow.violations).toEqual([]);
    await slow.close();
  });

  it.each([
    ['wrong password', { email: 'login@example.com', password: 'wrong-password' }],
    ['unknown email', { email: 'ghost@example.com', password: 'correct horse battery' }],
  ])('answers %s with the same 401', async (_case, credentials) => {
    await backend.register('login@example.com').catch(() => undefined);
    const response = await post('/api/auth/login', credentials);
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toMatchObject({ code: 'unauthorized', message: 'Email or password is wrong.' });
  });

  it('rotates refresh tokens: each works once', async () => {
    const { refreshToken, userId } = await backend.register('rotate@example.com');
    const first = await post('/api/auth/refresh', { refreshToken });
    expect(first.statusCode).toBe(200);
    expect(first.json().user.id).toBe(userId);
    expect((await me(first.json().tokens.accessToken)).statusCode).toBe(200);

    const reused = await post('/api/auth/refresh', { refreshToken });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().error.message).toContain('already used');
    expect((await post('/api/auth/refresh', { refreshToken: first.json().tokens.refreshToken })).statusCode).toBe(200);
    // Only the newest refresh token of this user is kept; used ones are purged.
    expect(
      backend.app.store.db.prepare('SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = ?').get(userId),
    ).toEqual({ n: 1 });
  });

  it('counts attempts by type and result', async () => {
    const before = await backend.metric('auth_attempts_total', { type: 'login', result: 'failure' });
    await post('/api/auth/login', { email: 'nobody@example.com', password: 'nope-nope' });
    expect(await backend.metric('auth_attempts_total', { type: 'login', result: 'failure' })).toBe(before + 1);
    expect(await backend.metric('users_registered_total')).toBeGreaterThan(0);
    expect(await backend.metric('auth_attempts_total', { type: 'refresh', result: 'failure' })).toBeGreaterThan(0);
  });
});

describe('bad tokens', () => {
  it.each<[string, () => Promise<string | undefined>, string]>([
    ['no header', async () => undefined, 'Missing bearer token'],
    ['garbage', async () => 'Bearer not-a-jwt', 'access token is invalid'],
    ['wrong scheme', async () => 'Basic dXNlcjpwYXNz', 'Missing bearer token'],
    [
      'expired',
      async () => `Bearer ${await signed({ typ: 'access', role: 'user' }, Math.floor(Date.now() / 1000) - 10)}`,
      'access token has expired',
    ],
    [
      'signed with another key',
      async () => `Bearer ${await signed({ typ: 'access' }, Math.floor(Date.now() / 1000) + 60, 'x'.repeat(40))}`,
      'access token is invalid',
    ],
    [
      'refresh token used as access',
      async () => `Bearer ${(await backend.register('swap@example.com')).refreshToken}`,
      'not an access token',
    ],
    [
      'deleted user',
      async () =>
        `Bearer ${await signed({ typ: 'access', sub: '3f1b1a43-8f42-4b43-9a3e-4a5f3f0c7c11' }, Math.floor(Date.now() / 1000) + 60)}`,
      'no longer exists',
    ],
  ])('%s -> 401', async (_case, header, message) => {
    const authorization = await header();
    const response = await backend.request({
      method: 'GET',
      url: '/api/auth/me',
      headers: authorization ? { authorization } : {},
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.message).toContain(message);
  });

  it('refuses an access token at the refresh endpoint', async () => {
    const { token } = await backend.register('swap2@example.com');
    const response = await post('/api/auth/refresh', { refreshToken: token });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.message).toContain('not a refresh token');
  });
});
