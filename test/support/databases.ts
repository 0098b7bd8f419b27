import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { connectDb, type Db } from '../../src/store/db.js';
import { migrateLatest } from '../../src/store/migrate.js';

export type DbKind = 'sqlite' | 'postgres';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let postgresReachable: Promise<boolean> | null = null;

/** Whether the PostgreSQL test server answers; suites that need it skip (and say so) when it does not. */
export function isPostgresReachable(): Promise<boolean> {
  postgresReachable ??= (async () => {
    const probe = knexFactory({ client: 'pg', connection: { connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 } });
    try {
      await probe.raw('select 1');
      return true;
    } catch {
      console.warn(`PostgreSQL at ${POSTGRES_URL} is not reachable: PostgreSQL tests are skipped.`);
      return false;
    } finally {
      await probe.destroy();
    }
  })();
  return postgresReachable;
}

export interface TestDb {
  db: Db;
  url: string;
  schema?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database: a new SQLite file, or a new schema of its own on the PostgreSQL test server. */
export async function createTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-test-'));
    const url = `sqlite:${path.join(dir, 'test.sqlite')}`;
    const db = connectDb(url);
    await migrateLatest(db);
    return { db, url, drop: async () => { await db.destroy(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL });
  await admin.raw(`create schema ${schema}`);
  await admin.destroy();
  const db = connectDb(POSTGRES_URL, { schema });
  await migrateLatest(db);
  return {
    db,
    url: POSTGRES_URL,
    schema,
    drop: async () => {
      await db.raw(`drop schema ${schema} cascade`);
      await db.destroy();
    },
  };
}
