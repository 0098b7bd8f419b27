/**
 * `npm run bench:orders` — the shops' orders at volume: webhooks at saturation, then reports with conversion.
 *
 * 1. A history of T tickets (default 1,000,000; bench/lib/report-history.ts, through `npm run bench:reports`, which
 *    also times the reports on it before any order exists), whose 30,000 requesters become customers known by an
 *    email address (set-based SQL: customers, customer_identities, tickets.customer_id).
 * 2. SQLite: the bot as deployed (compiled, its own process, SHOPIFY_WEBHOOK_SECRET set) on that file, once it has
 *    caught up with what a running helpdesk would have done before (the history's SLA alerts, see `settled`), takes O
 *    signed Shopify orders/create webhooks (default 100,000) from C connections at once (default 32), each for a
 *    customer of a random ticket, placed 0–10 days after it (about half of them convert it); 1 % of the deliveries
 *    are sent twice with the same X-Shopify-Webhook-Id (Shopify's retry). Measured: requests a second over the
 *    sending, answer latency p50/p99 (target p99 < 100 ms), how fast the stored webhooks became orders, and from
 *    the database afterwards: every order stored once, none lost, each linked to its customer.
 *    PostgreSQL: the same orders are written set-based (the webhooks' path is measured on SQLite).
 * 3. `npm run bench:reports` again on the same database: the 30-day report now computes converted tickets too;
 *    targets as before (SQLite under 2 s, PostgreSQL under 1 s).
 * Last line `RESULT {json}`. Exits 0 once measured (missed targets are marked MISSED), 1 if it could not run.
 *
 * --concurrency takes a list ("8,16,32"): the orders are sent in that many rounds, one per level, and each level's
 * rate and latency are printed. Saturation is the smallest level within 5 % of the best rate (more connections
 * only queue longer, Little's law: latency ≈ connections ÷ rate); the p99 target is judged there, and shown for
 * every level.
 *
 * Options: --tickets T, --orders O, --concurrency C[,C…] (default 8,16,32), --db sqlite|postgres|both (default
 * sqlite), --keep.
 */
import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { SlackEmulator } from '../src/emulator/index.js';
import { computeReport } from '../src/reports/compute-report.js';
import { connectDb } from '../src/store/db.js';
import { createServiceLevelStore } from '../src/store/service-level-store.js';
import { integerFlag } from './lib/args.js';
import { HISTORY, readHistoryMeta } from './lib/report-history.js';
import { ROOT, startBotProcess, type MeasuredProcess } from './lib/processes.js';
import { prng } from './lib/seed-store.js';
import { ms, percentile, round, sleep } from './lib/stats.js';

const USAGE = 'usage: npm run bench:orders -- [--tickets T] [--orders O] [--concurrency C] [--db sqlite|postgres|both] [--keep]';
const SECRET = 'bench-shopify-secret-0f3a9c';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;
const TARGETS = { p99Ms: 100, report30: { sqlite: 2000, postgres: 1000 } };
const log = (line: string): void => console.error(`[bench] ${line}`);

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '1000000' }, orders: { type: 'string', default: '100000' }, concurrency: { type: 'string', default: '8,16,32' }, db: { type: 'string', default: 'sqlite' }, keep: { type: 'boolean', default: false } } });
const flag = integerFlag(USAGE);
const TICKETS = flag('tickets', values.tickets);
const ORDERS = flag('orders', values.orders);
/** Connections at once, one level after another (each sends its share of the orders): "8,16,32". */
const LEVELS = values.concurrency!.split(',').map((c) => flag('concurrency', c.trim()));
if (!['sqlite', 'postgres', 'both'].includes(values.db!)) throw new Error(`--db: sqlite, postgres or both (${USAGE})`);
const DATABASES = (values.db === 'both' ? ['sqlite', 'postgres'] : [values.db]) as ('sqlite' | 'postgres')[];

interface ReportsRun {
  report30Ms: number;
  digestMs: number;
  peakRssMb: number;
}

/** `npm run bench:reports` on a kept database; its RESULT line. */
function benchReports(dialect: 'sqlite' | 'postgres', where: string, runs: number): Promise<ReportsRun> {
  const args = ['run', '--silent', 'bench:reports', '--', '--tickets', String(TICKETS), '--db', dialect, dialect === 'sqlite' ? '--reuse' : '--pg-schema', where, '--keep', '--runs', String(runs), '--warmup', '1'];
  return new Promise((resolve, reject) => {
    const child = execFile('npm', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) return reject(new Error(`bench:reports gave no RESULT (${err?.message ?? 'no error'})`));
      const [r] = JSON.parse(line.slice(7)) as { medianMs: Record<string, number>; peakRssMb: number }[];
      resolve({ report30Ms: r!.medianMs.report30!, digestMs: r!.medianMs.digest!, peakRssMb: r!.peakRssMb });
    });
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}

/** The history's requesters become customers known by an email address; their tickets are theirs. */
async function makeCustomers(db: Knex): Promise<number> {
  const team = HISTORY.teamId;
  await db.raw('DROP TABLE IF EXISTS bench_requesters');
  await db.raw(`CREATE TABLE bench_requesters AS SELECT requester_id, ROW_NUMBER() OVER (ORDER BY requester_id) AS n FROM (SELECT DISTINCT requester_id FROM tickets WHERE team_id = ?) r`, [team]);
  await db.raw('CREATE UNIQUE INDEX bench_requesters_id ON bench_requesters (requester_id)');
  await db.raw(`INSERT INTO customers (id, team_id, name, created_at) SELECT n, ?, requester_id, 0 FROM bench_requesters`, [team]);
  await db.raw(`INSERT INTO customer_identities (customer_id, team_id, kind, value) SELECT n, ?, 'email', LOWER(requester_id) || '@bench.example' FROM bench_requesters`, [team]);
  await db.raw(`UPDATE tickets SET customer_id = (SELECT n FROM bench_requesters b WHERE b.requester_id = tickets.requester_id) WHERE team_id = ?`, [team]);
  if (db.client.config.client === 'pg') {
    await db.raw(`SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers))`);
    // A running PostgreSQL re-analyses a table once a tenth of its rows changed (autovacuum; off on some machines,
    // this one included): without it the planner would think every ticket still has no customer.
    await db.raw('ANALYZE tickets');
  }
  const [row] = (await db('bench_requesters').count({ n: '*' })) as { n: number | string }[];
  await db.raw('DROP TABLE bench_requesters');
  return Number(row!.n);
}

interface PlannedOrder {
  id: number;
  email: string;
  /** The shop's id of the customer: one per customer, as Shopify keeps it (orders are linked by it first). */
  shopCustomerId: number;
  createdAt: number;
  totalCents: number;
  currency: string;
}

/** O orders, each for the customer of a random ticket of the history, placed 0–10 days after it (before `now`). */
async function planOrders(db: Knex, now: number): Promise<PlannedOrder[]> {
  const rng = prng(4242);
  const [maxRow] = (await db('tickets').max({ id: 'id' })) as { id: number }[];
  const ids = Array.from({ length: ORDERS }, () => 1 + Math.floor(rng() * Number(maxRow!.id)));
  const byId = new Map<number, { requester_id: string; created_at: number }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await db('tickets').whereIn('id', [...new Set(ids.slice(i, i + 500))]).select('id', 'requester_id', 'created_at')) as { id: number; requester_id: string; created_at: number | string }[];
    for (const r of rows) byId.set(Number(r.id), { requester_id: r.requester_id, created_at: Number(r.created_at) });
  }
  return ids.map((ticketId, i) => {
    const t = byId.get(ticketId)!;
    return { id: 9_000_000_000 + i, email: `${t.requester_id.toLowerCase()}@bench.example`, shopCustomerId: 7_000_000 + Number(t.requester_id.replace(/\D/g, '')), createdAt: Math.min(now - 60_000, t.created_at + Math.floor(rng() * 10 * DAY)), totalCents: 500 + Math.floor(rng() * 30_000), currency: rng() < 0.8 ? 'EUR' : 'USD' };
  });
}

/** The body of a Shopify orders/create webhook for a planned order (the fields threaddesk reads, as Shopify sends them). */
function shopifyBody(o: PlannedOrder): string {
  const at = new Date(o.createdAt).toISOString().replace('Z', '+00:00');
  const total = (o.totalCents / 100).toFixed(2);
  return JSON.stringify({
    id: o.id, admin_graphql_api_id: `gid://shopify/Order/${o.id}`, name: `#${o.id - 9_000_000_000 + 1001}`, order_number: o.id - 9_000_000_000 + 1001, number: o.id - 9_000_000_000 + 1,
    email: o.email, contact_email: o.email, phone: null, created_at: at, updated_at: at, processed_at: at, cancelled_at: null, cancel_reason: null, currency: o.currency, presentment_currency: o.currency,
    total_price: total, subtotal_price: total, total_tax: '0.00', financial_status: 'paid', fulfillment_status: null, test: false, confirmed: true,
    customer: { id: o.shopCustomerId, email: o.email, first_name: 'Bench', last_name: 'Customer', phone: null, currency: o.currency },
    line_items: [{ id: o.id * 10, name: 'Linen shirt - Blue / L', title: 'Linen shirt', quantity: 1, price: total, sku: 'LS-BL-L' }], refunds: [],
  });
}

interface LevelFigures {
  concurrency: number;
  sent: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

interface WebhookFigures {
  levels: LevelFigures[];
  /** The saturating level (see the header). */
  saturation: LevelFigures;
  sent: number;
  replays: number;
  refused: number;
  drainSeconds: number;
}

/**
 * A bot started on a history it never ran on first catches up: its SLA watch (first pass 30 s after the start)
 * finds the history's overdue open tickets (about 1,400 at 1M tickets) and posts their warnings and breaches once.
 * A helpdesk that has been running posted those long ago: the webhooks are measured after that, not beside it.
 */
async function settled(bot: MeasuredProcess): Promise<void> {
  const started = Date.now();
  let quiet = 0;
  while (quiet < 3 || Date.now() - started < 35_000) {
    await sleep(1000);
    const health = (await fetch(`${bot.url}/healthz?details`).then((r) => r.json())) as { delivery?: { pending: number } | null };
    quiet = (health.delivery?.pending ?? 1) === 0 ? quiet + 1 : 0;
    if (Date.now() - started > 600_000) throw new Error('the bot did not catch up with its SLA alerts in 10 minutes');
  }
  log(`sqlite: the bot caught up with its own backlog (SLA alerts) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function sendWebhooks(bot: MeasuredProcess, orders: PlannedOrder[]): Promise<WebhookFigures> {
  const rng = prng(99);
  const jobs = orders.flatMap((o) => (rng() < 0.01 ? [o, o] : [o]));
  let refused = 0;
  const levels: LevelFigures[] = [];
  const first = performance.now();
  const share = Math.ceil(jobs.length / LEVELS.length);
  for (const [i, concurrency] of LEVELS.entries()) {
    const round = jobs.slice(i * share, (i + 1) * share);
    const result = await sendRound(bot, round, concurrency);
    refused += result.refused;
    levels.push(result.figures);
    log(`  ${concurrency} connections: ${result.figures.perSecond.toFixed(0)}/s, p50 ${ms(result.figures.p50)} p99 ${ms(result.figures.p99)}`);
  }
  // The stored deliveries become orders: until /healthz says none waits.
  for (;;) {
    const health = (await (await fetch(`${bot.url}/healthz?details`)).json()) as { orders?: { pending: number } };
    if ((health.orders?.pending ?? 0) === 0) break;
    await sleep(200);
  }
  const best = Math.max(...levels.map((l) => l.perSecond));
  const saturation = levels.find((l) => l.perSecond >= 0.95 * best)!;
  return { levels, saturation, sent: jobs.length, replays: jobs.length - orders.length, refused, drainSeconds: (performance.now() - first) / 1000 };
}

async function sendRound(bot: MeasuredProcess, jobs: PlannedOrder[], concurrency: number): Promise<{ figures: LevelFigures; refused: number }> {
  const latencies: number[] = [];
  let refused = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const o = jobs[next++]!;
        const body = shopifyBody(o);
        const t0 = performance.now();
        const res = await fetch(`${bot.url}/webhooks/shopify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Hmac-Sha256': createHmac('sha256', SECRET).update(body).digest('base64'), 'X-Shopify-Shop-Domain': 'bench.myshopify.com', 'X-Shopify-Webhook-Id': `wh-${o.id}`, 'X-Shopify-API-Version': '2026-10' },
          body,
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) refused++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { figures: { concurrency, sent: jobs.length, seconds, perSecond: jobs.length / seconds, p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1), max: round(Math.max(...latencies), 1) }, refused };
}

/** PostgreSQL: the planned orders written set-based, as the webhooks would have stored them. */
async function insertOrders(db: Knex, orders: PlannedOrder[], now: number): Promise<void> {
  const customers = new Map(((await db('customer_identities').where({ team_id: HISTORY.teamId, kind: 'email' }).select('customer_id', 'value')) as { customer_id: number; value: string }[]).map((r) => [r.value, Number(r.customer_id)]));
  for (let i = 0; i < orders.length; i += 1000) {
    await db('orders').insert(
      orders.slice(i, i + 1000).map((o) => ({ team_id: HISTORY.teamId, source: 'shopify', external_id: String(o.id), number: String(o.id - 9_000_000_000 + 1001), customer_id: customers.get(o.email) ?? null, email: o.email, customer_ref: `shopify:${o.shopCustomerId}`, currency: o.currency, total_minor: o.totalCents, refunded_minor: 0, status: 'paid', created_at: o.createdAt, updated_at: o.createdAt, items: '[]', received_at: now })),
    );
  }
  await db.raw('ANALYZE orders');
}

/** What the 30-day report says of conversion now (the bench:reports child times it; this reads its figures). */
async function conversionOf(db: Knex, now: number) {
  const report = await computeReport({ teamId: HISTORY.teamId, from: now - 30 * DAY, to: now }, { db, serviceLevels: createServiceLevelStore(db, 0), now });
  return { created: report.created, ...report.conversion };
}

async function integrity(db: Knex): Promise<{ orders: number; distinct: number; linked: number }> {
  const [row] = (await db('orders').where({ team_id: HISTORY.teamId }).select(db.raw('COUNT(*) AS n'), db.raw('COUNT(DISTINCT external_id) AS d'), db.raw('COUNT(customer_id) AS l'))) as { n: number | string; d: number | string; l: number | string }[];
  return { orders: Number(row!.n), distinct: Number(row!.d), linked: Number(row!.l) };
}

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  for (const dialect of DATABASES) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-bench-orders-'));
    const where = dialect === 'sqlite' ? path.join(tmp, 'orders.sqlite') : `bench_orders_${TICKETS}_${process.pid}`;
    const url = dialect === 'sqlite' ? `sqlite:${where}` : PG_URL;
    try {
      log(`${dialect}: the history of ${TICKETS} tickets, and its reports before any order (bench:reports)`);
      const before = await benchReports(dialect, where, 1);
      const db = connectDb(url, dialect === 'postgres' ? { schema: where } : {});
      let webhooks: WebhookFigures | null = null;
      let customers = 0;
      let check = { orders: 0, distinct: 0, linked: 0 };
      try {
        const meta = (await readHistoryMeta(db))!;
        customers = await makeCustomers(db);
        log(`${dialect}: ${customers} customers made of the history's requesters`);
        const planned = await planOrders(db, meta.now);
        if (dialect === 'sqlite') {
          await db.destroy();
          const emu = new SlackEmulator({ signingSecret: 'bench-orders-signing', teamId: HISTORY.teamId });
          await emu.start(0);
          let bot: MeasuredProcess | undefined;
          try {
            bot = await startBotProcess({ SLACK_BOT_TOKEN: emu.botToken, SLACK_SIGNING_SECRET: 'bench-orders-signing', SLACK_API_URL: emu.apiUrl, DATABASE_URL: url, LOG_LEVEL: 'warn', SHOPIFY_WEBHOOK_SECRET: SECRET, THREADDESK_SLACK_RATE_SCALE: '1000' }, 'compiled');
            await settled(bot);
            log(`sqlite: ${planned.length} signed orders/create webhooks, from ${LEVELS.join(', then ')} connections at once`);
            webhooks = await sendWebhooks(bot, planned);
          } finally {
            await bot?.stop();
            await emu.stop();
          }
        } else {
          await insertOrders(db, planned, meta.now);
        }
      } finally {
        await db.destroy().catch(() => undefined);
      }
      const reopened = connectDb(url, dialect === 'postgres' ? { schema: where } : {});
      try {
        check = await integrity(reopened);
        if (dialect === 'sqlite') await reopened.raw('ANALYZE');
      } finally {
        await reopened.destroy();
      }
      log(`${dialect}: the reports again, with converted tickets (bench:reports)`);
      const after = await benchReports(dialect, where, 3);
      const forReports = connectDb(url, dialect === 'postgres' ? { schema: where, forReports: true } : { forReports: true });
      const conversion = await conversionOf(forReports, (await readHistoryMeta(forReports))!.now).finally(() => forReports.destroy());
      const target = TARGETS.report30[dialect];
      lines.push(`${dialect}: ${TICKETS.toLocaleString('en-US')} tickets, ${customers.toLocaleString('en-US')} customers, ${check.orders.toLocaleString('en-US')} orders (${check.distinct.toLocaleString('en-US')} distinct, ${check.linked.toLocaleString('en-US')} linked to their customer; ${ORDERS.toLocaleString('en-US')} sent) ${mark(check.orders === ORDERS && check.distinct === ORDERS && check.linked === ORDERS)}`);
      if (webhooks) {
        lines.push(`  webhooks: ${webhooks.sent.toLocaleString('en-US')} sent (${webhooks.replays} replayed: stored once), ${webhooks.refused} refused`);
        for (const l of webhooks.levels) lines.push(`    ${String(l.concurrency).padStart(3)} connections: ${l.sent.toLocaleString('en-US')} in ${l.seconds.toFixed(1)} s = ${l.perSecond.toFixed(0)}/s; answer p50 ${ms(l.p50)} p99 ${ms(l.p99)} max ${ms(l.max)}${l === webhooks.saturation ? '  <- saturation' : ''}`);
        const sat = webhooks.saturation;
        lines.push(`  at saturation (${sat.concurrency} connections, ${sat.perSecond.toFixed(0)}/s): answer p99 ${ms(sat.p99)} (target < ${TARGETS.p99Ms} ms) ${mark(sat.p99 < TARGETS.p99Ms && webhooks.refused === 0)}`);
        lines.push(`  all orders recorded ${webhooks.drainSeconds.toFixed(1)} s after the first webhook (${(ORDERS / webhooks.drainSeconds).toFixed(0)} orders/s)`);
      } else lines.push('  orders written set-based (the webhooks are measured on SQLite)');
      lines.push(`  30-day report: ${conversion.tickets.toLocaleString('en-US')} of ${conversion.created.toLocaleString('en-US')} tickets converted (${((conversion.rate ?? 0) * 100).toFixed(1)}%), revenue ${conversion.revenue.map((r) => `${r.currency} ${r.amount.toFixed(2)}`).join(', ')}`);
      lines.push(`  30-day report: ${ms(before.report30Ms)} before any order, ${ms(after.report30Ms)} with converted tickets (target < ${target / 1000} s) ${mark(after.report30Ms < target)}; daily digest ${ms(before.digestMs)} → ${ms(after.digestMs)}; reporting peak RSS ${after.peakRssMb} MB`);
      results.push({ database: dialect, tickets: TICKETS, customers, ...check, webhooks, conversion: { tickets: conversion.tickets, rate: conversion.rate, revenue: conversion.revenue }, report30Before: before.report30Ms, report30After: after.report30Ms, digestBefore: before.digestMs, digestAfter: after.digestMs, peakRssMb: after.peakRssMb });
    } finally {
      if (!values.keep) {
        fs.rmSync(tmp, { recursive: true, force: true });
        if (dialect === 'postgres') {
          const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
          await admin.raw(`DROP SCHEMA IF EXISTS "${where}" CASCADE`).catch(() => undefined);
          await admin.destroy();
        }
      } else log(`kept ${where}`);
    }
  }
  console.log(`\nthreaddesk orders benchmark — ${new Date().toISOString()}, ${os.cpus().length} CPUs, node ${process.version}`);
  console.log(lines.join('\n'));
  console.log(`RESULT ${JSON.stringify({ benchmark: 'orders', orders: ORDERS, concurrency: LEVELS, results })}`);
}

main().catch((err: unknown) => {
  console.error(`bench:orders could not run: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
