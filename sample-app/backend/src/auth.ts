import { ApiError } from '@myco-gates/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { AppContext } from './context.js';
import { isUniqueViolation, transaction } from './db.js';

/** The authenticated caller, attached to the request by `authenticate`. */
export interface Principal {
  userId: string;
  role: 'user' | 'admin';
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: 'user' | 'admin';
  created_at: string;
}

const KEY_LENGTH = 32;
const ISSUER = 'myco-sample-backend';

function scryptAsync(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  const options: ScryptOptions = { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 };
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Hashes a password with a random 16-byte salt: `scrypt$<N>$<salt b64>$<key b64>`. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return `scrypt$${cost}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Compares a password with a stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, costText, saltText, keyText] = stored.split('$');
  const cost = Number(costText);
  if (scheme !== 'scrypt' || !Number.isInteger(cost) || !saltText || !keyText) return false;
  const expected = Buffer.from(keyText, 'base64');
  const actual = await scryptAsync(password, Buffer.from(saltText, 'base64'), cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function publicUser(user: UserRow) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.created_at };
}

const emailTaken = () => new ApiError(409, 'email_taken', 'An account with this email exists; log in instead.');
const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

/** Registers the auth routes and the `authenticate`/`requireAdmin` helpers used by the other routes. */
export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store, metrics, config } = ctx;
  // Unknown emails are still checked against a real hash so login time does not reveal which emails exist.
  const decoyHash = hashPassword(randomUUID(), ctx.scryptCost);

  async function issueTokens(user: UserRow) {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const sign = (type: string, ttl: number, extra: Record<string, unknown> = {}) =>
      new SignJWT({ role: user.role, typ: type, ...extra })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setIssuedAt(now)
        .setExpirationTime(now + ttl)
        .sign(config.jwtSecret);
    store.timed('refresh_token_insert', (db) =>
      transaction(db, () => {
        // Used or expired tokens are dead either way (a missing row is refused like a revoked one), so drop them.
        db.prepare('DELETE FROM refresh_tokens WHERE user_id = ? AND (revoked = 1 OR expires_at < ?)').run(
          user.id,
          now,
        );
        db.prepare('INSERT INTO refresh_tokens (jti, user_id, expires_at) VALUES (?, ?, ?)').run(
          jti,
          user.id,
          now + config.refreshTokenTtlSeconds,
        );
      }),
    );
    return {
      user: publicUser(user),
      tokens: {
        accessToken: await sign('access', config.accessTokenTtlSeconds),
        refreshToken: await sign('refresh', config.refreshTokenTtlSeconds, { jti }),
        tokenType: 'Bearer' as const,
        expiresIn: config.accessTokenTtlSeconds,
      },
    };
  }

  async function verifyToken(token: string, type: 'access' | 'refresh') {
    try {
      const { payload } = await jwtVerify(token, config.jwtSecret, { issuer: ISSUER, algorithms: ['HS256'] });
      if (payload.typ !== type || typeof payload.sub !== 'string') {
        throw unauthorized(
          `This is not a${type === 'access' ? 'n access' : ' refresh'} token; send the ${type} token.`,
        );
      }
      return payload;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthorized(`The ${type} token has expired; log in again.`);
      throw unauthorized(`The ${type} token is invalid; log in again.`);
    }
  }

  const findUser = (column: 'id' | 'email', value: string) =>
    store.timed(`user_by_${column}`, (db) => db.prepare(`SELECT * FROM users WHERE ${column} = ?`).get(value)) as
      UserRow | undefined;

  ctx.authenticate = async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match) throw unauthorized('Missing bearer token: send `Authorization: Bearer <accessToken>`.');
    const payload = await verifyToken(match[1], 'access');
    const user = findUser('id', payload.sub!);
    if (!user) throw unauthorized('The user of this token no longer exists; register or log in again.');
    request.principal = { userId: user.id, role: user.role };
  };
  ctx.requireAdmin = async (request: FastifyRequest) => {
    await ctx.authenticate(request);
    if (request.principal!.role !== 'admin') {
      throw new ApiError(403, 'forbidden', 'This operation needs the admin role (see ADMIN_EMAILS).');
    }
  };

  app.post('/api/auth/register', async (request, reply) => {
    const { email, password, name } = request.body as { email: string; password: string; name: string };
    const normalized = email.toLowerCase();
    if (findUser('email', normalized)) {
      metrics.authAttempts.inc({ type: 'register', result: 'failure' });
      throw emailTaken();
    }
    const user: UserRow = {
      id: randomUUID(),
      email: normalized,
      name,
      password_hash: await hashPassword(password, ctx.scryptCost),
      role: config.adminEmails.includes(normalized) ? 'admin' : 'user',
      created_at: new Date().toISOString(),
    };
    try {
      store.timed('user_insert', (db) =>
        db
          .prepare('INSERT INTO users (id, email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(user.id, user.email, user.name, user.password_hash, user.role, user.created_at),
      );
    } catch (error) {
      // Two registrations of one email can both pass the lookup while hashing; the UNIQUE index decides.
      if (!isUniqueViolation(error)) throw error;
      metrics.authAttempts.inc({ type: 'register', result: 'failure' });
      throw emailTaken();
    }
    metrics.authAttempts.inc({ type: 'register', result: 'success' });
    metrics.usersRegistered.inc();
    return reply.code(201).send(await issueTokens(user));
  });

  app.post('/api/auth/login', async (request) => {
    const { email, password } = request.body as { email: string; password: string };
    const user = findUser('email', email.toLowerCase());
    const valid = await verifyPassword(password, user?.password_hash ?? (await decoyHash));
    if (!user || !valid) {
      metrics.authAttempts.inc({ type: 'login', result: 'failure' });
      throw unauthorized('Email or password is wrong.');
    }
    metrics.authAttempts.inc({ type: 'login', result: 'success' });
    return issueTokens(user);
  });

  app.post('/api/auth/refresh', async (request) => {
    const { refreshToken } = request.body as { refreshToken: string };
    try {
      const payload = await verifyToken(refreshToken, 'refresh');
      // Rotation: each refresh token works once, so a stolen one is useless after the owner refreshes.
      const revoked = store.timed('refresh_token_revoke', (db) =>
        db
          .prepare('UPDATE refresh_tokens SET revoked = 1 WHERE jti = ? AND user_id = ? AND revoked = 0')
          .run(String(payload.jti), payload.sub),
      );
      const user = findUser('id', payload.sub!);
      if (revoked.changes !== 1 || !user) throw unauthorized('This refresh token was already used; log in again.');
      metrics.authAttempts.inc({ type: 'refresh', result: 'success' });
      return await issueTokens(user);
    } catch (error) {
      metrics.authAttempts.inc({ type: 'refresh', result: 'failure' });
      throw error;
    }
  });

  app.get('/api/auth/me', { onRequest: ctx.authenticate }, async (request) =>
    publicUser(findUser('id', request.principal!.userId)!),
  );
}
