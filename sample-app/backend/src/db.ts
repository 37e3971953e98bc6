import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BackendMetrics } from './metrics.js';

/** The slice of the SQLite API the backend uses; better-sqlite3 and node:sqlite both provide it. */
export interface SqlDatabase {
  prepare(sql: string): {
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): { changes: number | bigint };
  };
  exec(sql: string): unknown;
  close(): unknown;
}

const require = createRequire(import.meta.url);

/**
 * Opens SQLite with better-sqlite3 (the production driver). Its native addon is built for the Node.js that ran
 * `npm ci`; when a different Node.js runs the app (e.g. the repo's node@24 shadowing Node 20 in npm scripts) the
 * addon cannot load, and the built-in node:sqlite (Node >= 22.5) takes over with the same SQL and semantics.
 */
export function openSqlite(
  path: string,
  load: (id: string) => unknown = require,
): { db: SqlDatabase; driver: 'better-sqlite3' | 'node:sqlite' } {
  let addonError: unknown;
  try {
    const BetterSqlite3 = load('better-sqlite3') as new (path: string) => SqlDatabase;
    return { db: new BetterSqlite3(path), driver: 'better-sqlite3' };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_DLOPEN_FAILED' && code !== 'MODULE_NOT_FOUND') throw error;
    addonError = error;
  }
  let sqlite: { DatabaseSync: new (path: string) => SqlDatabase };
  try {
    sqlite = load('node:sqlite') as typeof sqlite;
  } catch {
    throw new Error(
      `better-sqlite3 cannot load under Node.js ${process.version} (${(addonError as Error).message.split('\n')[0]}) ` +
        'and this Node.js has no node:sqlite: run `npm rebuild better-sqlite3` with this Node.js, or use Node.js >= 22.5.',
    );
  }
  return { db: new sqlite.DatabaseSync(path), driver: 'node:sqlite' };
}

/** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
export function transaction<T>(db: SqlDatabase, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** True when a statement failed on a UNIQUE constraint (both drivers put the same text in the message). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('UNIQUE constraint failed');
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** A numbered SQL migration from src/migrations (`0001_name.sql`). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Lists the migrations in a directory in version order; a misnamed file is an error, not silently skipped. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match)
        throw new Error(`${dir}${file}: migration files must be named NNNN_name.sql (e.g. 0003_add_index.sql).`);
      return { version: Number(match[1]), name: match[2], sql: readFileSync(dir + file, 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
}

/** Applies the migrations not yet recorded in schema_migrations, each in its own transaction. */
export function migrate(db: SqlDatabase, migrations: Migration[] = readMigrations()): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((row) => (row as { version: number }).version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    transaction(db, () => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    });
    done.push(migration.version);
  }
  return done;
}

/** The SQLite handle plus a timer that feeds db_query_duration_seconds{operation}. */
export class Store {
  readonly db: SqlDatabase;
  readonly driver: 'better-sqlite3' | 'node:sqlite';

  constructor(
    path: string,
    private readonly metrics: BackendMetrics,
  ) {
    ({ db: this.db, driver: this.driver } = openSqlite(path));
    this.db.exec('PRAGMA foreign_keys = ON');
    // Replicas may share one database file (the main job's cluster): wait for another writer instead of failing.
    this.db.exec('PRAGMA busy_timeout = 5000');
    if (path !== ':memory:') this.db.exec('PRAGMA journal_mode = WAL');
    migrate(this.db);
  }

  /** Runs one statement group and records its duration under `operation`. */
  timed<T>(operation: string, run: (db: SqlDatabase) => T): T {
    const end = this.metrics.dbDuration.startTimer({ operation });
    try {
      return run(this.db);
    } finally {
      end();
    }
  }

  close(): void {
    this.db.close();
  }
}
