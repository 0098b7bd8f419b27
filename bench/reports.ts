/**
 * `npm run bench:reports` — reports on a large history, on SQLite and PostgreSQL.
 *
 * Generates a realistic year of helpdesk history (default 1,000,000 tickets, about 5 messages each, their
 * events, tags, satisfaction surveys and SLA policies; see bench/lib/report-history.ts) with set-based SQL in a
 * fresh migrated database (an SQLite file in a temp dir; a new PostgreSQL schema), runs ANALYZE, then, in a
 * child process per database (so its peak RSS is the reporting's, not the generation's), times:
 *   - the daily digest (src/reports/digest.ts buildDigest for yesterday: its report, the day before's, the
 *     14-day chart series),
 *   - the 30-day report (computeReport over the last 30 days: ~82k tickets at full size),
 *   - a per-agent 30-day report (the busiest agent),
 *   - two baselines, single-pass SQL aggregates over the 30-day report's tickets: one over the history itself
 *     (the tickets joined to their messages), one over the per-ticket figures kept on the ticket rows, which
 *     the report reads (src/store/ticket-metrics.ts),
 * each with warm-up runs, then the median and max of the measured runs. Prints a table with the targets
 * (30-day report under 2 s on SQLite, under 1 s on PostgreSQL, within 3x of the baseline, shown against each;
 * peak RSS of the reporting process under 300 MB), the slowest statements of one 30-day report, and the figures as JSON on a
 * last line starting with `RESULT `. A reused database (--reuse / --pg-schema) first gets any newer migrations,
 * and is refused if it still lacks an index today's migrations make (a migration edited in place). The reporting
 * connection is opened as the bot opens it for reports (connectDb(url, { forReports: true })); its peak RSS is
 * the child's VmHWM (see bench/lib/report-child.ts for why not process.resourceUsage().maxRSS).
 * `npx tsx bench/lib/report-explain.ts` then shows the plan and time of every statement of one report on a
 * kept database.
 * Exits 0 once it has measured (missed targets are marked MISSED), 1 if a database could not be measured.
 */
import crypto from 'node:crypto';
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { connectDb } from '../src/store/db.js';
import { migrateLatest } from '../src/store/migrate.js';
import { integerFlag } from './lib/args.js';
import type { ChildJob, ChildResult, OpName } from './lib/report-child.js';
import { generateHistory, hasTickets, HISTORY, readHistoryMeta, writeHistoryMeta, type Dialect, type HistoryFigures, type HistorySpec } from './lib/report-history.js';
import { max, ms, percentile } from './lib/stats.js';

const USAGE = `usage: npm run bench:reports -- [--tickets N] [--db sqlite|postgres|both] [--reuse PATH] [--pg-schema NAME] [--keep] [--runs R] [--warmup W] [--budget S]
       [--statement-timeout S] [--pg-url URL]
  --tickets N        tickets in the generated history (default 1000000; about 5 messages each)
  --db D             sqlite, postgres or both (default both)
  --reuse PATH       SQLite file to use: reused if it holds a history of N tickets, else generated there (and kept)
  --pg-schema NAME   PostgreSQL schema to use: reused if it holds a history of N tickets, else generated there (and kept)
  --keep             keep the generated SQLite file / PostgreSQL schema (default: removed at the end)
  --runs R           measured runs per operation (default 3)
  --warmup W         warm-up runs per operation (default 1)
  --budget S         seconds per operation after which no further run starts (default 180; the table says
                     how many runs were measured: an operation slower than the budget is measured once)
  --statement-timeout S  PostgreSQL statement_timeout of the reporting connection (default 900)
  --pg-url URL       PostgreSQL server (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/test)`;

const { values: flags } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000000' },
    db: { type: 'string', default: 'both' },
    reuse: { type: 'string' },
    'pg-schema': { type: 'string' },
    keep: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    budget: { type: 'string', default: '180' },
    'statement-timeout': { type: 'string', default: '900' },
    'pg-url': { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = integerFlag(USAGE);
const TICKETS = positive('tickets', flags.tickets);
const RUNS = positive('runs', flags.runs);
const WARMUP = positive('warmup', flags.warmup, true);
const BUDGET_S = positive('budget', flags.budget);
const STATEMENT_TIMEOUT_S = positive('statement-timeout', flags['statement-timeout']);
if (!['sqlite', 'postgres', 'both'].includes(flags.db!)) {
  console.error(`--db: expected sqlite, postgres or both, got ${flags.db}\n${USAGE}`);
  process.exit(2);
}
if (flags['pg-schema'] !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(flags['pg-schema'])) {
  console.error(`--pg-schema: expected a lower-case identifier, got ${flags['pg-schema']}`);
  process.exit(2);
}
const DATABASES: Dialect[] = flags.db === 'both' ? ['sqlite', 'postgres'] : [flags.db as Dialect];
const PG_URL = flags['pg-url']!;

/** The history ends on a fixed day (so a kept database stays valid); reports run at 06:00 UTC the next morning. */
const TODAY = Date.UTC(2026, 11, 1);
const SPEC: HistorySpec = { tickets: TICKETS, today: TODAY, now: TODAY + 6 * 3_600_000 };

const TARGETS = { report30: { sqlite: 2000, postgres: 1000 }, ratio: 3, rssMb: 300 };

const log = (line: string): void => console.error(`[bench] ${line}`);

interface Prepared {
  dialect: Dialect;
  url: string;
  schema?: string;
  where: string;
  generated: HistoryFigures | null;
  /** Generation time of a reused database, as recorded when it was generated. */
  recordedSeconds: number | null;
  analyzeSeconds: number;
  /** Migrations applied to a reused database because the code has newer ones (their indexes built on the history). */
  upgraded: string[];
  cleanup(): Promise<void>;
}

/** Names of the applied migrations. */
async function appliedMigrations(db: Knex): Promise<string[]> {
  return ((await db('knex_migrations').select('name')) as Array<{ name: string }>).map((r) => r.name);
}

/**
 * A reused history was generated under the migrations of its day: apply newer ones (e.g. report indexes) so it
 * has every index the current code expects, then refresh the statistics. Returns the migrations applied.
 */
async function upgradeReused(db: Knex, dialect: Dialect, schema?: string): Promise<string[]> {
  const before = new Set(await appliedMigrations(db));
  const t0 = performance.now();
  await migrateLatest(db);
  const missing = await missingIndexes(db, dialect, schema);
  if (missing.length > 0) {
    throw new Error(`the reused history lacks indexes today's migrations make (${missing.join(', ')}; a migration was edited after it was generated): generate it again`);
  }
  const applied = (await appliedMigrations(db)).filter((name) => !before.has(name));
  if (applied.length === 0) return [];
  if (dialect === 'sqlite') await db.raw('ANALYZE');
  else await vacuumAnalyze(db, schema!);
  log(`${dialect}: applied ${applied.join(', ')} to the reused history (+ ${dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE'}): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return applied;
}

/** Index names of a database (SQLite) or of one PostgreSQL schema. */
async function indexNames(db: Knex, dialect: Dialect, schema?: string): Promise<Set<string>> {
  const rows =
    dialect === 'sqlite'
      ? ((await db.raw(`SELECT name FROM sqlite_master WHERE type = 'index'`)) as Array<{ name: string }>)
      : ((await db.raw('SELECT indexname AS name FROM pg_indexes WHERE schemaname = ?', [schema ?? 'public'])).rows as Array<{ name: string }>);
  return new Set(rows.map((r) => r.name));
}

/**
 * Indexes today's migrations make that a reused history lacks (a migration edited after the history was made):
 * measuring without them would mislead, so the caller refuses to reuse it.
 */
async function missingIndexes(db: Knex, dialect: Dialect, schema?: string): Promise<string[]> {
  let expected: Set<string>;
  if (dialect === 'sqlite') {
    const fresh = connectDb('sqlite::memory:');
    try {
      await migrateLatest(fresh);
      expected = await indexNames(fresh, 'sqlite');
    } finally {
      await fresh.destroy();
    }
  } else {
    const probe = `bench_reports_probe_${crypto.randomBytes(4).toString('hex')}`;
    await db.raw(`CREATE SCHEMA ${probe}`);
    const fresh = connectDb(PG_URL, { schema: probe });
    try {
      await migrateLatest(fresh);
      expected = await indexNames(fresh, 'postgres', probe);
    } finally {
      await fresh.destroy();
      await db.raw(`DROP SCHEMA ${probe} CASCADE`);
    }
  }
  const present = await indexNames(db, dialect, schema);
  return [...expected].filter((name) => !present.has(name) && !name.startsWith('knex_migrations'));
}

/** VACUUM (ANALYZE) the schema's tables only (a long-lived database has its visibility map set by autovacuum). */
async function vacuumAnalyze(db: Knex, schema: string): Promise<void> {
  const tables = (await db.raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'`, [schema])).rows as Array<{ table_name: string }>;
  await db.raw(`VACUUM (ANALYZE) ${tables.map((t) => `"${schema}"."${t.table_name}"`).join(', ')}`);
}

async function prepareSqlite(): Promise<Prepared> {
  const reuse = flags.reuse;
  const dir = reuse ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-bench-reports-'));
  const file = reuse ? path.resolve(reuse) : path.join(dir!, 'reports.sqlite');
  const url = `sqlite:${file}`;
  const cleanup = async () => {
    if (dir && !flags.keep) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept SQLite database ${file}`);
  };
  if (fs.existsSync(file)) {
    const db = connectDb(url);
    try {
      const meta = await readHistoryMeta(db);
      if (meta && meta.tickets === SPEC.tickets && meta.today === SPEC.today && meta.now === SPEC.now) {
        log(`sqlite: reusing ${file} (${meta.tickets} tickets, generated in ${meta.generationSeconds} s)`);
        const upgraded = await upgradeReused(db, 'sqlite');
        return { dialect: 'sqlite', url, where: file, generated: null, recordedSeconds: meta.generationSeconds, analyzeSeconds: 0, upgraded, cleanup };
      }
      throw new Error(`${file} exists but does not hold a complete history of ${SPEC.tickets} tickets: remove it or choose another --reuse path`);
    } finally {
      await db.destroy();
    }
  }
  log(`sqlite: generating ${SPEC.tickets} tickets in ${file}`);
  const migrated = connectDb(url);
  await migrateLatest(migrated);
  await migrated.destroy();
  // Bulk load on one connection without a rollback journal (the file is new: a crash just means generating again).
  const gen = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  try {
    for (const pragma of ['journal_mode = OFF', 'synchronous = OFF', 'foreign_keys = OFF', 'cache_size = -1000000', 'temp.cache_size = -1000000']) await gen.raw(`PRAGMA ${pragma}`);
    const figures = await generateHistory(gen, 'sqlite', SPEC, log);
    const t0 = performance.now();
    await gen.raw('ANALYZE');
    const analyzeSeconds = (performance.now() - t0) / 1000;
    log(`  ANALYZE: ${analyzeSeconds.toFixed(1)} s`);
    await gen.raw('PRAGMA journal_mode = WAL');
    await writeHistoryMeta(gen, SPEC, figures.seconds + analyzeSeconds);
    return { dialect: 'sqlite', url, where: file, generated: figures, recordedSeconds: null, analyzeSeconds, upgraded: [], cleanup };
  } catch (err) {
    await gen.destroy();
    await cleanup();
    throw err;
  } finally {
    await gen.destroy().catch(() => undefined);
  }
}

async function preparePostgres(): Promise<Prepared> {
  const given = flags['pg-schema'];
  const schema = given ?? `bench_reports_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  const keep = flags.keep || given !== undefined;
  const cleanup = async () => {
    if (keep) log(`kept PostgreSQL schema ${schema}`);
    else await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.destroy();
  };
  const exists = (await admin.raw('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [schema])).rows.length > 0;
  if (exists) {
    const db = connectDb(PG_URL, { schema });
    try {
      const meta = await readHistoryMeta(db);
      if (meta && meta.tickets === SPEC.tickets && meta.today === SPEC.today && meta.now === SPEC.now) {
        log(`postgres: reusing schema ${schema} (${meta.tickets} tickets, generated in ${meta.generationSeconds} s)`);
        const upgraded = await upgradeReused(db, 'postgres', schema);
        return { dialect: 'postgres', url: PG_URL, schema, where: `schema ${schema}`, generated: null, recordedSeconds: meta.generationSeconds, analyzeSeconds: 0, upgraded, cleanup };
      }
      if (await hasTickets(db)) throw new Error(`schema ${schema} exists but does not hold a complete history of ${SPEC.tickets} tickets: drop it or choose another --pg-schema`);
    } finally {
      await db.destroy();
    }
  } else {
    await admin.raw(`CREATE SCHEMA ${schema}`);
  }
  log(`postgres: generating ${SPEC.tickets} tickets in schema ${schema}`);
  const db = connectDb(PG_URL, { schema });
  try {
    await migrateLatest(db);
    // One transaction (temp tables live in its session). Foreign keys are not checked during the load
    // (session_replication_role = replica skips their triggers): the rows are consistent by construction.
    const figures = await db.transaction(async (trx) => {
      for (const setting of ["session_replication_role = 'replica'", "work_mem = '512MB'", "temp_buffers = '2GB'", 'synchronous_commit = off']) await trx.raw(`SET LOCAL ${setting}`);
      return generateHistory(trx, 'postgres', SPEC, log);
    });
    const t0 = performance.now();
    await vacuumAnalyze(db, schema);
    const analyzeSeconds = (performance.now() - t0) / 1000;
    log(`  VACUUM (ANALYZE): ${analyzeSeconds.toFixed(1)} s`);
    await writeHistoryMeta(db, SPEC, figures.seconds + analyzeSeconds);
    return { dialect: 'postgres', url: PG_URL, schema, where: `schema ${schema}`, generated: figures, recordedSeconds: null, analyzeSeconds, upgraded: [], cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  } finally {
    await db.destroy();
  }
}

function runChild(prepared: Prepared): Promise<ChildResult> {
  const entry = fileURLToPath(new URL('./lib/report-child.ts', import.meta.url));
  const job: ChildJob = { url: prepared.url, schema: prepared.schema, today: SPEC.today, now: SPEC.now, warmup: WARMUP, runs: RUNS, budgetMs: BUDGET_S * 1000, statementTimeoutMs: STATEMENT_TIMEOUT_S * 1000 };
  return new Promise((resolve, reject) => {
    const child = fork(entry, [JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ChildResult | { ok: false; error: string } | null = null;
    child.on('message', (message) => {
      result = message as typeof result;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result?.ok) resolve(result);
      else reject(new Error(`report child (${prepared.dialect}) failed: ${result && !result.ok ? result.error : `exit ${code ?? signal}`}`));
    });
  });
}

const OPS: Array<{ op: OpName; label: string }> = [
  { op: 'digest', label: 'daily digest (buildDigest: yesterday)' },
  { op: 'report30', label: '30-day report' },
  { op: 'agent30', label: 'per-agent 30-day report' },
  { op: 'baseline', label: 'baseline: single pass over tickets + messages' },
  { op: 'keptBaseline', label: 'baseline: single pass over tickets + kept figures' },
];

interface Row {
  database: string;
  operation: string;
  runs: string;
  median: string;
  max: string;
  target: string;
  verdict: string;
}

const medianOf = (result: ChildResult, op: OpName) => (result.ops[op].error ? Number.NaN : percentile(result.ops[op].samples, 50));

function rowsFor(dialect: Dialect, result: ChildResult): Row[] {
  const rows: Row[] = [];
  for (const { op, label } of OPS) {
    const target = op === 'report30' ? TARGETS.report30[dialect] : null;
    const { samples, error, failedAfterMs } = result.ops[op];
    const med = medianOf(result, op);
    rows.push({
      database: dialect,
      operation: label,
      runs: String(samples.length),
      median: error ? `failed after ${ms(failedAfterMs ?? Number.NaN)}` : ms(med),
      max: error ? '' : ms(max(samples)),
      target: target === null ? '-' : `< ${target} ms`,
      verdict: target === null ? (error ? 'FAILED' : '') : !error && med < target ? 'ok' : 'MISSED',
    });
  }
  // The target is against the history the report covers (tickets + messages); the ratio to a pass over the
  // kept figures alone (three columns summed from an index) is shown for information.
  for (const [op, label, judged] of [['baseline', 'tickets + messages', true], ['keptBaseline', 'tickets + kept figures', false]] as const) {
    const ratio = medianOf(result, 'report30') / medianOf(result, op);
    rows.push({
      database: dialect,
      operation: `30-day report / baseline over ${label} (medians)`,
      runs: '',
      median: Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : '-',
      max: '',
      target: judged ? `<= ${TARGETS.ratio}x` : '-',
      verdict: judged ? (ratio <= TARGETS.ratio ? 'ok' : 'MISSED') : '',
    });
  }
  rows.push({
    database: dialect,
    operation: 'peak RSS of the reporting process',
    runs: '',
    median: `${result.peakRssMb.toFixed(0)} MB`,
    max: '',
    target: `< ${TARGETS.rssMb} MB`,
    verdict: result.peakRssMb < TARGETS.rssMb ? 'ok' : 'MISSED',
  });
  return rows;
}

function table(rows: Row[]): string {
  const header: Row = { database: 'database', operation: 'operation', runs: 'runs', median: 'median', max: 'max', target: 'target', verdict: 'verdict' };
  const keys = Object.keys(header) as Array<keyof Row>;
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...[header, ...rows].map((r) => r[k].length))])) as Record<keyof Row, number>;
  const right = new Set<keyof Row>(['runs', 'median', 'max']);
  const line = (r: Row) => keys.map((k) => (right.has(k) ? r[k].padStart(width[k]) : r[k].padEnd(width[k]))).join('  ').trimEnd();
  return [line(header), keys.map((k) => '-'.repeat(width[k])).join('  '), ...rows.map(line)].join('\n');
}

/** The code measured: commit, and whether the engine's files differ from it (others may be editing them). */
function codeVersion(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const dirty = git(['status', '--porcelain', '--', 'src', 'migrations']).split('\n').filter(Boolean).length;
    return `${git(['rev-parse', '--short', 'HEAD'])}${dirty > 0 ? ` + ${dirty} uncommitted file(s) in src/ or migrations/` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

async function main(): Promise<void> {
  const results: Array<{ prepared: Prepared; result: ChildResult; load: [number, number]; code: string }> = [];
  const failures: string[] = [];
  for (const dialect of DATABASES) {
    try {
      const prepared = dialect === 'sqlite' ? await prepareSqlite() : await preparePostgres();
      try {
        log(`${dialect}: timing the reports in a child process (${WARMUP} warm-up + ${RUNS} runs per operation)`);
        const loadBefore = os.loadavg()[0]!;
        const code = codeVersion(); // the child loads src/ now (others may be changing it between databases)
        const result = await runChild(prepared);
        results.push({ prepared, result, load: [loadBefore, os.loadavg()[0]!], code });
      } finally {
        await prepared.cleanup();
      }
    } catch (err) {
      // One database failing must not lose the other's figures.
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      failures.push(`${dialect}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  if (results.length === 0) throw new Error(`no database could be measured (${failures.join('; ')})`);

  const out: string[] = [];
  const n = (value: number) => value.toLocaleString('en-US');
  out.push(`\nReports on ${n(SPEC.tickets)} tickets (history ends ${new Date(SPEC.today).toISOString().slice(0, 10)}, reports at ${new Date(SPEC.now).toISOString()}), ${WARMUP} warm-up + ${RUNS} runs per operation\n`);
  for (const { prepared, result, load, code } of results) {
    const g = prepared.generated;
    if (g) {
      out.push(
        `${prepared.dialect}: generated ${n(g.tickets)} tickets, ${n(g.messages)} messages, ${n(g.events)} events, ${n(g.tags)} tags, ${n(g.surveys)} surveys ` +
          `(open backlog ${n(g.openBacklog)}) in ${g.seconds.toFixed(0)} s + ${prepared.analyzeSeconds.toFixed(0)} s ${prepared.dialect === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE'}`,
      );
    } else out.push(`${prepared.dialect}: reused ${prepared.where} (generated in ${prepared.recordedSeconds ?? '?'} s)${prepared.upgraded.length ? `, upgraded with ${prepared.upgraded.join(', ')}` : ''}`);
    const { report30: r, baseline: b, digest: d, agent30: a } = result.figures;
    if (r && b) {
      out.push(
        `  30-day cohort: ${r.created} tickets (baseline ${b.tickets}), solved ${r.solved} (baseline ${b.solved}), agent replies ${r.agentReplies} (baseline ${b.agentReplies}), ` +
          `unanswered ${r.unanswered} (baseline ${b.unanswered}); ${b.messages} messages, ${r.slaOutcomes} SLA outcomes, ${r.agents} agents, backlog ${r.backlog}`,
      );
    }
    if (d) out.push(`  digest: yesterday ${d.yesterday} tickets, day before ${d.dayBefore}, chart ${d.chartDays} days / ${d.chartCreated} tickets`);
    if (a) out.push(`  per-agent (${HISTORY.agentId(0)}) 30 days: ${a.created} tickets`);
    out.push(`  code measured: ${code}`);
    out.push(`  machine: ${os.cpus().length} CPUs, 1-min load average ${load[0].toFixed(1)} before the timing, ${load[1].toFixed(1)} after (other processes compete for the CPUs and the database)`);
    out.push(`  reporting process RSS: ${result.rssStartMb.toFixed(0)} MB at start; peak after ${OPS.map(({ op }) => `${op} ${result.ops[op].peakRssMb.toFixed(0)} MB`).join(', ')}`);
    for (const { op, label } of OPS) if (result.ops[op].error) out.push(`  ${label} FAILED: ${result.ops[op].error}`);
  }
  out.push('');
  out.push(table(results.flatMap(({ prepared, result }) => rowsFor(prepared.dialect, result))));
  for (const { prepared, result } of results) {
    if (result.profile.length === 0) continue;
    out.push(`\nSlowest statements of one 30-day report on ${prepared.dialect}:`);
    for (const p of result.profile.slice(0, 8)) out.push(`  ${ms(p.ms).padStart(9)}  ${p.sql.length > 150 ? `${p.sql.slice(0, 150)}…` : p.sql}`);
  }
  console.log(out.join('\n'));
  const summary = results.map(({ prepared, result, code }) => ({
    database: prepared.dialect,
    tickets: SPEC.tickets,
    code,
    generationSeconds: prepared.generated ? Number((prepared.generated.seconds + prepared.analyzeSeconds).toFixed(1)) : prepared.recordedSeconds,
    history: prepared.generated ? { messages: prepared.generated.messages, events: prepared.generated.events, openBacklog: prepared.generated.openBacklog } : undefined,
    medianMs: Object.fromEntries(OPS.map(({ op }) => [op, Number(medianOf(result, op).toFixed(1))])),
    maxMs: Object.fromEntries(OPS.map(({ op }) => [op, Number(max(result.ops[op].samples).toFixed(1))])),
    errors: Object.fromEntries(OPS.flatMap(({ op }) => (result.ops[op].error ? [[op, result.ops[op].error]] : []))),
    peakRssMb: Number(result.peakRssMb.toFixed(0)),
  }));
  console.log(`RESULT ${JSON.stringify(summary)}`);
  if (failures.length > 0) {
    console.error(`\nNot measured: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});

