/**
 * Profiles one report on a kept benchmark database: records the statements computeReport runs, then replays
 * them one by one in a transaction, printing each statement's time and its plan (EXPLAIN QUERY PLAN on SQLite,
 * EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).
 *
 *   npx tsx bench/lib/report-explain.ts sqlite:/tmp/reports.sqlite [--days 30] [--agent UAGENT10]
 *   npx tsx bench/lib/report-explain.ts postgres://postgres@127.0.0.1:5432/test --schema bench_reports_x [--days 30]
 *
 * (Make the database with `npm run bench:reports -- --reuse PATH` or `--pg-schema NAME`.)
 */
import { parseArgs } from 'node:util';
import { computeReport } from '../../src/reports/compute-report.js';
import { connectDb, dbKind } from '../../src/store/db.js';
import { createServiceLevelStore } from '../../src/store/service-level-store.js';
import { HISTORY, readHistoryMeta } from './report-history.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { schema: { type: 'string' }, days: { type: 'string', default: '30' }, agent: { type: 'string' }, 'min-ms': { type: 'string', default: '0' } },
});
const url = positionals[0];
if (!url) {
  console.error('usage: tsx bench/lib/report-explain.ts <sqlite:PATH | postgres://…> [--schema NAME] [--days N] [--agent ID] [--min-ms M]');
  process.exit(2);
}
const kind = dbKind(url);
const db = connectDb(url, flags.schema ? { schema: flags.schema } : {});
const meta = await readHistoryMeta(db);
if (!meta) throw new Error('not a benchmark history (no bench_meta)');
const DAY = 86_400_000;
const cohort = { teamId: HISTORY.teamId, from: meta.today - Number(flags.days) * DAY, to: meta.today, ...(flags.agent ? { assigneeId: flags.agent } : {}) };

// 1. Record the statements (and time the report once, warm).
await computeReport(cohort, { db, serviceLevels: createServiceLevelStore(db), now: meta.now });
const statements: Array<{ sql: string; bindings: unknown[] }> = [];
// pg reports native $n placeholders: back to knex's `?` (numbered in order, so the bindings line up).
const record = (q: { sql: string; bindings?: unknown[] }) => statements.push({ sql: kind === 'postgres' ? q.sql.replace(/\$\d+/g, '?') : q.sql, bindings: q.bindings ?? [] });
db.on('query', record);
const t0 = performance.now();
await computeReport(cohort, { db, serviceLevels: createServiceLevelStore(db), now: meta.now });
console.log(`report (${flags.days} days${flags.agent ? `, ${flags.agent}` : ''}): ${(performance.now() - t0).toFixed(0)} ms, ${statements.length} statements`);
db.off('query', record);

// 2. Replay inside one transaction (the temp tables need it), plan first.
const minMs = Number(flags['min-ms']);
await db.transaction(async (trx) => {
  for (const { sql, bindings } of statements) {
    if (/^(BEGIN|COMMIT|ROLLBACK)/i.test(sql.trim())) continue;
    const isSelect = /^\s*(SELECT|WITH|select)/.test(sql);
    const isCreateAs = /^\s*CREATE TEMP TABLE/i.test(sql);
    let plan = '';
    if (kind === 'sqlite' && (isSelect || isCreateAs)) {
      const rows = (await trx.raw(`EXPLAIN QUERY PLAN ${isCreateAs ? sql.replace(/^\s*CREATE TEMP TABLE \w+ AS/i, '') : sql}`, bindings as never[])) as Array<{ id: number; parent: number; detail: string }>;
      const depth = new Map<number, number>([[0, 0]]);
      plan = rows.map((r) => { depth.set(r.id, (depth.get(r.parent) ?? 0) + 1); return `${'  '.repeat(depth.get(r.id)!)}${r.detail}`; }).join('\n');
    }
    if (kind === 'postgres' && (isSelect || isCreateAs)) {
      // EXPLAIN ANALYZE executes the statement (a CREATE TABLE AS too): time it from there.
      const t = performance.now();
      const result = await trx.raw(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, bindings as never[]);
      const elapsed = performance.now() - t;
      plan = (result.rows as Array<Record<string, string>>).map((r) => r['QUERY PLAN']).join('\n');
      if (elapsed >= minMs) console.log(`\n=== ${elapsed.toFixed(1)} ms (under EXPLAIN ANALYZE): ${sql.replace(/\s+/g, ' ').slice(0, 400)}\n${plan}`);
      continue;
    }
    const t = performance.now();
    await trx.raw(sql, bindings as never[]);
    const elapsed = performance.now() - t;
    if (elapsed >= minMs) console.log(`\n=== ${elapsed.toFixed(1)} ms: ${sql.replace(/\s+/g, ' ').slice(0, 400)}${plan ? `\n${plan}` : ''}`);
  }
  throw new Error('rollback');
}).catch((err: unknown) => {
  if (!(err instanceof Error && err.message === 'rollback')) throw err;
});
await db.destroy();
