/**
 * Child process of bench/reports.ts: times the report operations on one database, so that its peak RSS is the
 * reporting's (not the generation's). Reads its job as JSON in argv[2], sends one ChildResult over IPC, exits.
 */
import fs from 'node:fs';
import { connectDb } from '../../src/store/db.js';
import { createServiceLevelStore } from '../../src/store/service-level-store.js';
import type { ReportDeps } from '../../src/reports/compute-report.js';
import { HISTORY } from './report-history.js';
import { baselineAggregate, keptBaselineAggregate, dailyDigest, perAgentReport, thirtyDayReport } from './report-ops.js';

export interface ChildJob {
  url: string;
  schema?: string;
  today: number;
  now: number;
  warmup: number;
  runs: number;
  /** Time budget per operation (ms): no further runs once used up. */
  budgetMs: number;
  /** PostgreSQL statement_timeout (ms). */
  statementTimeoutMs: number;
}

export type OpName = 'digest' | 'report30' | 'agent30' | 'baseline' | 'keptBaseline';

export interface OpResult {
  samples: number[];
  /** Set when a run failed (then `samples` holds the runs before it, and `failedAfterMs` the failed run's time). */
  error?: string;
  failedAfterMs?: number;
  /** Peak RSS of the process once this operation's runs were done (MB). */
  peakRssMb: number;
}

export interface ChildResult {
  ok: true;
  ops: Record<OpName, OpResult>;
  /** Sanity figures, to compare the report with the baseline (null when the operation failed). */
  figures: {
    report30: { created: number; solved: number; agentReplies: number; unanswered: number; slaOutcomes: number; backlog: number; agents: number } | null;
    baseline: { tickets: number; messages: number; agentReplies: number; unanswered: number; solved: number } | null;
    digest: { yesterday: number; dayBefore: number; chartDays: number; chartCreated: number } | null;
    agent30: { created: number } | null;
  };
  /** Slowest statements of one 30-day report, in ms (SQL shortened). */
  profile: Array<{ ms: number; sql: string }>;
  rssStartMb: number;
  peakRssMb: number;
}

/**
 * Peak RSS of this process in MB: VmHWM (the high-water mark of this process's own memory since exec). Not
 * process.resourceUsage().maxRSS: on Linux a forked child starts with its parent's maximum (here the parent
 * that generated the history with a 1 GB SQLite cache), so maxRSS would report the parent's peak.
 */
function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
const rssStartMb = process.memoryUsage().rss / 2 ** 20;
// As the bot and the CLI open it for reports (on SQLite: temp tables in memory, a larger page cache). On
// PostgreSQL a statement timeout keeps a pathological plan from running for hours.
const url = job.url.startsWith('postgres') ? `${job.url}${job.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c statement_timeout=${job.statementTimeoutMs}`)}` : job.url;
const db = connectDb(url, { forReports: true, ...(job.schema ? { schema: job.schema } : {}) });
const deps: ReportDeps = { db, serviceLevels: createServiceLevelStore(db), now: job.now };

/**
 * Warm-up runs, then measured runs; an operation whose runs have used up `budgetMs` stops early (a very slow
 * statement must not turn the benchmark into hours): if even the warm-up used it up, the warm-up is the sample.
 * `last` is the result of the last run; `onLastRun` wraps it (to profile it).
 */
async function timed<T>(work: () => Promise<T>, onLastRun?: (run: () => Promise<T>) => Promise<T>): Promise<{ op: OpResult; last: T | null }> {
  const { runs, warmup, budgetMs } = job;
  const samples: number[] = [];
  let spent = 0;
  let last: T | null = null;
  let t0 = 0;
  const once = async (wrap: boolean) => {
    t0 = performance.now();
    last = wrap && onLastRun ? await onLastRun(work) : await work();
    const elapsed = performance.now() - t0;
    spent += elapsed;
    return elapsed;
  };
  const peak = peakRssMb;
  try {
    let warmupSample: number | null = null;
    for (let i = 0; i < warmup && spent < budgetMs; i++) warmupSample = await once(false);
    if (spent >= budgetMs && warmupSample !== null) return { op: { samples: [warmupSample], peakRssMb: peak() }, last };
    let previous = warmupSample ?? 0;
    for (let i = 0; i < runs; i++) {
      // The last run is the one profiled: the last of `runs`, or the one expected to use up the budget.
      const final = i === runs - 1 || spent + previous >= budgetMs;
      previous = await once(final);
      samples.push(previous);
      if (final) break;
    }
    return { op: { samples, peakRssMb: peak() }, last };
  } catch (err) {
    const error = err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err);
    return { op: { samples, error: error.length > 300 ? `${error.slice(0, 150)} … ${error.slice(-140)}` : error, failedAfterMs: performance.now() - t0, peakRssMb: peak() }, last: null };
  }
}

/** Runs `work` with every statement timed; keeps the slowest. */
function profiling(into: ChildResult['profile']) {
  return async <T>(work: () => Promise<T>): Promise<T> => {
    const started = new Map<string, { sql: string; t0: number }>();
    const onQuery = (q: { __knexQueryUid: string; sql: string }) => started.set(q.__knexQueryUid, { sql: q.sql, t0: performance.now() });
    const onResponse = (_r: unknown, q: { __knexQueryUid: string }) => {
      const s = started.get(q.__knexQueryUid);
      if (s) into.push({ ms: performance.now() - s.t0, sql: s.sql.replace(/\s+/g, ' ').trim() });
    };
    db.on('query', onQuery).on('query-response', onResponse);
    try {
      return await work();
    } finally {
      db.off('query', onQuery).off('query-response', onResponse);
      into.sort((a, b) => b.ms - a.ms).splice(12);
    }
  };
}

async function main(): Promise<ChildResult> {
  const { today, now } = job;
  const profile: ChildResult['profile'] = [];
  const baseline = await timed(() => baselineAggregate(db, today));
  const keptBaseline = await timed(() => keptBaselineAggregate(db, today));
  const report = await timed(() => thirtyDayReport(today, deps), profiling(profile));
  const digest = await timed(() => dailyDigest(HISTORY.teamId, now, deps));
  const agent = await timed(() => perAgentReport(today, deps));
  const r = report.last;
  const d = digest.last;
  return {
    ok: true,
    ops: { baseline: baseline.op, keptBaseline: keptBaseline.op, report30: report.op, digest: digest.op, agent30: agent.op },
    figures: {
      report30: r && {
        created: r.created,
        solved: r.solved,
        agentReplies: r.replies.total,
        unanswered: r.firstReply.unanswered,
        slaOutcomes: r.sla.met + r.sla.breached + r.sla.running,
        backlog: r.backlog.total,
        agents: r.agents.length,
      },
      baseline: baseline.last,
      digest: d && { yesterday: d.report.created, dayBefore: d.previous.created, chartDays: d.chart.length, chartCreated: d.chart.reduce((sum, day) => sum + day.created, 0) },
      agent30: agent.last && { created: agent.last.created },
    },
    profile,
    rssStartMb,
    peakRssMb: peakRssMb(),
  };
}

main()
  .then(async (result) => {
    await db.destroy();
    process.send!(result, () => process.exit(0));
  })
  .catch(async (err: unknown) => {
    await db.destroy().catch(() => undefined);
    process.send!({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1));
  });
