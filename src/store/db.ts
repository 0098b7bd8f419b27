import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export type Db = Knex;
export type DbKind = 'sqlite' | 'postgres';

// BIGINT (epoch ms, counts) comes back from pg as a string by default; our values fit in a double.
pg.types.setTypeParser(20, (value) => Number(value));

export interface ConnectOptions {
  /** PostgreSQL schema to use (tests isolate themselves in one schema each). */
  schema?: string;
  /**
   * SQLite connections for reports: a larger page cache (16 MB) for their index reads, temporary tables in
   * memory, and two connections, so a report's figures outside its cohort are read while the cohort is worked
   * on (WAL readers run at once).
   */
  forReports?: boolean;
}

export function dbKind(databaseUrl: string): DbKind {
  return databaseUrl.startsWith('postgres') ? 'postgres' : 'sqlite';
}

/**
 * Where the Slack event inbox lives. On SQLite it is a file of its own beside the database (`data/threaddesk.db` →
 * `data/threaddesk.inbox.db`): storing an event before Slack gets its answer then never waits for the database's
 * one write lock, held by a ticket's transaction or a report. PostgreSQL (row locks) and an in-memory SQLite
 * database keep the inbox in the database itself: null.
 */
export function inboxDatabaseUrl(databaseUrl: string): string | null {
  if (dbKind(databaseUrl) === 'postgres' || databaseUrl.includes(':memory:')) return null;
  const filename = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
  const ext = path.extname(filename);
  return `sqlite:${ext ? `${filename.slice(0, -ext.length)}.inbox${ext}` : `${filename}.inbox`}`;
}

/** Opens the database named by a `sqlite:<path>` or `postgres://…` URL. */
export function connectDb(databaseUrl: string, options: ConnectOptions = {}): Db {
  if (dbKind(databaseUrl) === 'postgres') {
    return knexFactory({
      client: 'pg',
      connection: databaseUrl,
      searchPath: options.schema ? [options.schema] : undefined,
      pool: { min: 0, max: 10 },
    });
  }
  const filename = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: options.forReports ? 2 : 1,
      // WAL lets a report read while the bot writes; busy_timeout waits instead of failing with SQLITE_BUSY;
      // synchronous=NORMAL is the documented pairing with WAL: commits skip the fsync, the database stays
      // consistent, and only a power cut (not a process crash) can lose the last moments.
      afterCreate(conn: { exec: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) {
        // Reports: a larger page cache, and their temporary tables and sorts kept in memory (tens of MB at most).
        const reports = options.forReports ? ' PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;' : '';
        conn.exec(`PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;${reports}`, (err) => done(err, conn));
      },
    },
  });
}

/**
 * A second pool of `max` connections to the same PostgreSQL database (and schema) as `db`: work that must answer
 * within a deadline (storing a Slack event before its 3 s) then never waits for a pool slot behind longer work.
 */
export function separatePool(db: Db, max: number): Db {
  return knexFactory({ ...(db.client.config as Knex.Config), pool: { min: 0, max } });
}

export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}

const isSqliteBusy = (err: unknown) => (err as { code?: string } | null)?.code === 'SQLITE_BUSY';

/**
 * Runs a write transaction, again if SQLite refused it with "database is locked" because another process
 * wrote since it began reading (SQLite cannot wait in that case: the transaction's snapshot is stale). The
 * transaction rolled back whole, so running it again is safe as long as `run` only works on the database.
 * PostgreSQL errors, and SQLite's other errors, go straight through.
 */
export async function retryIfBusy<T>(run: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isSqliteBusy(err) || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 500) * (0.5 + Math.random())));
    }
  }
}

/**
 * A write transaction, again if SQLite refused it (retryIfBusy). On SQLite its first statement is a write that
 * changes nothing, which takes the file's write lock at once (what BEGIN IMMEDIATE does): another process's
 * write then makes it wait (busy_timeout) instead of failing later, when a read-then-write transaction would
 * find its snapshot stale. `lockTable` is any table of the file (the inbox's own file has only slack_inbox).
 */
export function writeTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>, lockTable = 'tickets'): Promise<T> {
  const sqlite = db.client.config.client === 'sqlite3';
  return retryIfBusy(() =>
    db.transaction(async (trx) => {
      if (sqlite) await trx.raw(`UPDATE ${lockTable} SET id = id WHERE 0`);
      return work(trx);
    }),
  );
}
