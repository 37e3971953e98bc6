import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { isUniqueViolation, migrate, openSqlite, readMigrations, Store, transaction } from './db.js';
import { createMetrics } from './metrics.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'backend-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('reads the numbered migrations in order', () => {
    expect(readMigrations().map((m) => `${m.version}:${m.name}`)).toEqual(['1:init', '2:files']);
  });

  it('applies each migration once, also across reopening a file database', () => {
    const path = join(dir, 'app.db');
    const first = new Store(path, createMetrics());
    first.db.prepare("INSERT INTO users VALUES ('u1', 'a@b.c', 'A', 'h', 'user', 'now')").run();
    first.close();
    const second = new Store(path, createMetrics());
    expect(migrate(second.db)).toEqual([]);
    expect(second.db.prepare('SELECT email FROM users').get()).toEqual({ email: 'a@b.c' });
    second.close();
  });

  it('names a misnamed migration file and the fix', () => {
    const migrations = join(dir, 'bad/');
    mkdirSync(migrations);
    writeFileSync(join(migrations, 'add-index.sql'), 'SELECT 1;');
    expect(() => readMigrations(migrations)).toThrow(
      `${migrations}add-index.sql: migration files must be named NNNN_name.sql`,
    );
  });

  it('rolls a failing migration back entirely', () => {
    const { db } = openSqlite(':memory:');
    expect(() =>
      migrate(db, [{ version: 1, name: 'broken', sql: 'CREATE TABLE a (x INTEGER); INSERT INTO nowhere VALUES (1);' }]),
    ).toThrow(/no such table: nowhere/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
  });
});

describe('openSqlite', () => {
  const failing = (code: string) => (id: string) => {
    if (id === 'better-sqlite3') throw Object.assign(new Error(`addon failed\nstack`), { code });
    return require(id);
  };
  const hasNodeSqlite = (() => {
    try {
      require('node:sqlite');
      return true;
    } catch {
      return false;
    }
  })();

  it('uses better-sqlite3 when its addon loads', () => {
    const loaded = openSqlite(':memory:', (id) => (id === 'better-sqlite3' ? class {} : undefined));
    expect(loaded.driver).toBe('better-sqlite3');
  });

  it.each(['ERR_DLOPEN_FAILED', 'MODULE_NOT_FOUND'])('falls back to node:sqlite on %s, or names the fix', (code) => {
    if (hasNodeSqlite) {
      const { db, driver } = openSqlite(':memory:', failing(code));
      expect(driver).toBe('node:sqlite');
      expect(db.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    } else {
      expect(() => openSqlite(':memory:', failing(code))).toThrow(
        /better-sqlite3 cannot load under Node.js v\d+.* \(addon failed\) .*run `npm rebuild better-sqlite3`/,
      );
    }
  });

  it('rethrows other errors', () => {
    expect(() => openSqlite(':memory:', failing('EACCES'))).toThrow('addon failed');
  });
});

describe('transaction and errors', () => {
  it('commits on return and rolls back on throw; recognises UNIQUE violations', () => {
    const { db } = openSqlite(':memory:');
    db.exec('CREATE TABLE t (k TEXT UNIQUE)');
    transaction(db, () => db.prepare("INSERT INTO t VALUES ('a')").run());
    let caught: unknown;
    try {
      transaction(db, () => {
        db.prepare("INSERT INTO t VALUES ('b')").run();
        db.prepare("INSERT INTO t VALUES ('a')").run();
      });
    } catch (error) {
      caught = error;
    }
    expect(isUniqueViolation(caught)).toBe(true);
    expect(isUniqueViolation(new Error('disk I/O error'))).toBe(false);
    expect(db.prepare('SELECT k FROM t ORDER BY k').all()).toEqual([{ k: 'a' }]);
  });

  it('times statements into db_query_duration_seconds', async () => {
    const metrics = createMetrics();
    const store = new Store(':memory:', metrics);
    store.timed('probe', (db) => db.prepare('SELECT 1').get());
    expect(await metrics.registry.getSingleMetricAsString('db_query_duration_seconds')).toMatch(
      /db_query_duration_seconds_count\{.*operation="probe".*\} 1/,
    );
    store.close();
  });
});
