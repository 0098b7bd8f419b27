/**
 * The resilience scenarios of issue 5, against the real bot process (src/main.ts) and the emulator enforcing
 * Slack's rate limits: a burst of customer messages into one intake channel, optionally with a `kill -9` of a bot
 * process, a Slack outage (503 on every Web API call), and several instances behind one URL sharing a PostgreSQL
 * database. Used by `npm run bench:resilience` (full size, prints figures) and test/resilience/resilience.test.ts
 * (smaller, asserts the end state).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { SlackEmulator } from '../../src/emulator/index.js';
import { connectDb } from '../../src/store/db.js';
import { migrateLatest } from '../../src/store/migrate.js';
import { fixedRate } from './load.js';
import { sleep } from './stats.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SIGNING_SECRET = 'resilience-signing-secret';
const INTAKE = 'CINTAKE01';
const TRIAGE = 'CTRIAGE01';
const DIGEST_CHANNEL = 'CDIGEST01';
const AGENT = 'UAGENT001';
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ScenarioOptions {
  db: 'sqlite' | 'postgres';
  /** Customer messages, each from a different customer (one ticket each). */
  messages: number;
  /** Over how many seconds they are sent. */
  seconds: number;
  /** The emulator's rate limits are Slack's times this; the bot is told the same (THREADDESK_SLACK_RATE_SCALE). */
  scale: number;
  instances?: number;
  /** `kill -9` of instance 0 this long after the burst starts; restarted `restartAfterMs` later (never if null). */
  crash?: { afterMs: number; restartAfterMs: number | null };
  /** Every Web API call answers 503 from `afterMs` after the burst starts, for `durationMs`. */
  outage?: { afterMs: number; durationMs: number };
  /** A daily digest missed while no instance ran: every instance finds it at start; it must be posted once. */
  digest?: boolean;
  /** Give up waiting for the drain after this long. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ScenarioResult {
  sent: number;
  /** Sends the bot answered with 2xx the first time (the rest were retried by the emulator). */
  ackedFirstTime: number;
  tickets: number;
  lost: number;
  duplicatedTickets: number;
  /** Ticket numbers are 1..tickets with no gap. */
  numbersGapFree: boolean;
  /** All tickets were stored this long after the first send (ms). */
  storedAfterMs: number;
  burstMs: number;
  cards: number;
  duplicatedCards: number;
  /** Customer messages with the 🎫 acknowledgement. */
  acknowledged: number;
  /** From the first send until the outbox was empty (ms). */
  drainMs: number;
  /** Cards posted per second from the first card to the last, against what the emulator allows in one channel. */
  cardRate: number;
  allowedCardRate: number;
  /** Reactions per second from the first to the last, against the workspace's Tier 3 allowance. */
  reactionRate: number;
  allowedReactionRate: number;
  rateLimited: Record<string, number>;
  refusedByOutage: number;
  /** After the outage ended, until the outbox was empty (ms). */
  drainAfterOutageMs: number | null;
  digestsPosted: number | null;
  failedDeliveries: number;
  peakRssMb: number;
}

interface Instance {
  child: ChildProcess;
  port: number;
  url: string;
  alive: boolean;
  peakRssKb: number;
  output: string[];
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined);
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // Slack retries an unanswered event nearly at once, after a minute and after five minutes.
    const emu = new SlackEmulator({ signingSecret: SIGNING_SECRET, retryDelaysMs: [1000, 60_000, 300_000], rateLimits: { scale: options.scale, burst: 3 } });
    await emu.start(0);
    cleanups.push(() => emu.stop());
    const customers = Array.from({ length: options.messages }, (_, i) => `UC${String(i).padStart(7, '0')}`);
    for (const id of customers) emu.addUser({ id, name: id.toLowerCase() });
    emu.addUser({ id: AGENT, name: 'agent' });
    emu.addChannel({ id: INTAKE, name: 'help', members: [...customers, emu.botUserId] });
    emu.addChannel({ id: TRIAGE, name: 'triage', members: [AGENT, emu.botUserId] });
    emu.addChannel({ id: DIGEST_CHANNEL, name: 'support-digest', members: [AGENT, emu.botUserId] });

    const database = await createDatabase(options.db);
    cleanups.push(database.drop);
    const db = database.db;
    if (options.digest) await scheduleMissedDigest(db, emu.teamId);

    const instances: Instance[] = [];
    const env = (port: number) => ({
      PATH: process.env.PATH ?? '',
      HOME: os.tmpdir(),
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.apiUrl,
      DATABASE_URL: database.url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      THREADDESK_TRIAGE_CHANNEL: TRIAGE,
      THREADDESK_INTAKE_CHANNELS: INTAKE,
      THREADDESK_AGENTS: AGENT,
      THREADDESK_SLACK_RATE_SCALE: String(options.scale),
    });
    // Started together, so that with several instances they race for the work there is at start (a missed digest).
    instances.push(...(await Promise.all(Array.from({ length: options.instances ?? 1 }, () => startInstance(env)))));
    cleanups.push(async () => instances.forEach((inst) => inst.alive && inst.child.kill('SIGKILL')));
    const proxy = await startProxy(() => instances.filter((inst) => inst.alive));
    cleanups.push(() => new Promise((resolve) => proxy.close(() => resolve())));
    emu.setBotEndpoint(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/slack/events`);
    log(`${options.instances ?? 1} bot instance(s) on ${options.db}, emulator limits ×${options.scale}: ${emu.allowedPerSecond('chat.postMessage')} posts/s per channel, ${round(emu.allowedPerSecond('reactions.add'))} reactions/s`);

    const started = Date.now();
    const timers: Promise<void>[] = [];
    if (options.crash) {
      const crash = options.crash;
      timers.push(
        (async () => {
          await sleep(crash.afterMs);
          const victim = instances[0]!;
          victim.peakRssKb = Math.max(victim.peakRssKb, peakRssKb(victim.child.pid!));
          victim.alive = false;
          victim.child.kill('SIGKILL');
          log(`kill -9 of instance 0 (pid ${victim.child.pid}) at ${Date.now() - started} ms`);
          if (crash.restartAfterMs === null) return;
          await sleep(crash.restartAfterMs);
          instances.push(await startInstance(env));
          log(`instance restarted at ${Date.now() - started} ms`);
        })(),
      );
    }
    let outageEndedAt: number | null = null;
    if (options.outage) {
      const outage = options.outage;
      timers.push(
        (async () => {
          await sleep(outage.afterMs);
          emu.startOutage(outage.durationMs, 503);
          log(`Slack outage (503) from ${Date.now() - started} ms for ${outage.durationMs} ms`);
          await sleep(outage.durationMs);
          emu.endOutage();
          outageEndedAt = Date.now();
        })(),
      );
    }

    const firstAnswer: { at: number; status: number }[] = [];
    const load = await fixedRate(options.messages, options.messages / options.seconds, async (i) => {
      const sent = await emu.driver.userSays(customers[i]!, INTAKE, `Order ${1000 + i} has not arrived`);
      firstAnswer[i] = { at: Date.now() - started, status: sent.status };
      return { status: sent.status, ts: sent.ts };
    });
    const burstMs = Date.now() - started;
    const ackedFirstTime = load.latencies.length;
    log(`burst: ${options.messages} messages sent in ${burstMs} ms (${ackedFirstTime} answered 2xx at once)`);

    const countTickets = async () => Number(((await db('tickets').count({ n: '*' })) as { n: number | string }[])[0]!.n);
    let storedAfterMs = Number.NaN;
    const storeDeadline = Date.now() + 120_000; // a retry a minute later must be able to land
    while (Date.now() < storeDeadline) {
      if ((await countTickets()) >= options.messages) {
        storedAfterMs = Date.now() - started;
        break;
      }
      await sleep(50);
    }
    await Promise.all(timers);

    const pending = async () => Number(((await db('deliveries').where({ status: 'pending' }).count({ n: '*' })) as { n: number | string }[])[0]!.n);
    const drainDeadline = Date.now() + (options.drainTimeoutMs ?? 600_000);
    let drainMs = Number.NaN;
    let lastReport = Date.now();
    while (Date.now() < drainDeadline) {
      const left = await pending();
      if (left === 0 && (await countTickets()) >= options.messages) {
        drainMs = Date.now() - started;
        break;
      }
      if (Date.now() - lastReport > 10_000) {
        log(`  … ${left} deliveries pending at ${Date.now() - started} ms`);
        lastReport = Date.now();
      }
      await sleep(50);
    }
    for (const inst of instances) if (inst.alive) inst.peakRssKb = Math.max(inst.peakRssKb, peakRssKb(inst.child.pid!));

    let digestsPosted: number | null = null;
    if (options.digest) {
      const digestDeadline = Date.now() + 30_000;
      while (Date.now() < digestDeadline && emu.messages(DIGEST_CHANNEL).length === 0) await sleep(200);
      await sleep(3000); // a second post, if any instance were to make one, would come now
      digestsPosted = emu.messages(DIGEST_CHANNEL).filter((m) => m.text?.includes('Support digest')).length;
    }

    const tickets = (await db('tickets').select('number', 'origin_ts', 'card_ts').orderBy('number')) as { number: number; origin_ts: string; card_ts: string | null }[];
    const origins = new Set(tickets.map((t) => t.origin_ts));
    const sentTs = load.sentTs.filter((ts): ts is string => ts !== undefined);
    const cardsInTriage = emu.messages(TRIAGE).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    const calls = emu.calls();
    const times = (method: string) => calls.filter((c) => c.method === method && c.ok).map((c) => c.at);
    const cardCalls = calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.args.channel === TRIAGE && !c.args.thread_ts).map((c) => c.at);
    const reactionCalls = times('reactions.add');
    const failedDeliveries = Number(((await db('deliveries').where({ status: 'failed' }).count({ n: '*' })) as { n: number | string }[])[0]!.n);

    const result: ScenarioResult = {
      sent: options.messages,
      ackedFirstTime,
      tickets: tickets.length,
      lost: sentTs.filter((ts) => !origins.has(ts)).length + (options.messages - sentTs.length),
      duplicatedTickets: tickets.length - origins.size,
      numbersGapFree: tickets.every((t, i) => Number(t.number) === i + 1),
      storedAfterMs,
      burstMs,
      cards: cardsInTriage.length,
      duplicatedCards: cardsInTriage.length - new Set(tickets.map((t) => t.card_ts).filter(Boolean)).size,
      acknowledged: emu.messages(INTAKE).filter((m) => m.reactions?.some((r) => r.name === 'ticket')).length,
      drainMs,
      cardRate: perSecond(cardCalls),
      allowedCardRate: emu.allowedPerSecond('chat.postMessage'),
      reactionRate: perSecond(reactionCalls),
      allowedReactionRate: emu.allowedPerSecond('reactions.add'),
      rateLimited: emu.rateLimitStats().limited,
      refusedByOutage: emu.outageStats().refused,
      drainAfterOutageMs: outageEndedAt !== null && Number.isFinite(drainMs) ? started + drainMs - outageEndedAt : null,
      digestsPosted,
      failedDeliveries,
      peakRssMb: Math.round(Math.max(...instances.map((inst) => inst.peakRssKb)) / 1024),
    };
    const lostSends = load.sentTs.map((ts, i) => ({ ts, i })).filter(({ ts }) => ts !== undefined && !origins.has(ts));
    if (lostSends.length > 0) log(`lost: ${lostSends.slice(0, 10).map(({ i }) => `#${i} answered ${firstAnswer[i]?.status} at ${firstAnswer[i]?.at} ms (proxy: ${(proxyTrace.get(String(1000 + i)) ?? []).join('; ') || 'never reached it'})`).join(', ')}`);
    const errors = instances.flatMap((inst) => inst.output).filter((line) => /"level":(50|60)/.test(line));
    if (errors.length > 0) {
      const kinds = [...new Set(errors.map((line) => (/"msg":"([^"]*)"/.exec(line)?.[1] ?? line).slice(0, 160)))];
      log(`bot errors (${errors.length}): ${kinds.slice(0, 5).join(' | ')}`);
    }
    return result;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** Rate of events between the first and the last (per second); NaN with fewer than two. */
function perSecond(times: number[]): number {
  if (times.length < 2) return Number.NaN;
  const sorted = [...times].sort((a, b) => a - b);
  return round(((sorted.length - 1) * 1000) / (sorted.at(-1)! - sorted[0]!));
}

const round = (n: number) => Math.round(n * 100) / 100;

async function startInstance(env: (port: number) => Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: env(port), stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(...String(chunk).split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk) => output.push(...String(chunk).split('\n').filter(Boolean)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { child, port, url, alive: true, peakRssKb: 0, output };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`bot instance did not start: ${output.slice(-5).join(' | ')}`);
}

/** The one URL Slack knows: requests go round-robin to the instances alive, and to the next one when one refuses. */
/** What the proxy did with each request, by a marker found in its body (for diagnosing a lost message). */
export const proxyTrace = new Map<string, string[]>();
const started0 = Date.now();

async function startProxy(alive: () => Instance[]): Promise<http.Server> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const marker = /Order (\d+) has/.exec(body.toString())?.[1];
      const trace = (what: string) => marker && proxyTrace.set(marker, [...(proxyTrace.get(marker) ?? []), `${Date.now() - started0}ms retry=${req.headers['x-slack-retry-num'] ?? 0} ${what}`]);
      const targets = alive();
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(next++ + i) % targets.length]!;
        try {
          const answer = await forward(target.url + (req.url ?? '/'), req, body);
          trace(`${target.port}→${answer.status}`);
          res.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        } catch (err) {
          trace(`${target.port}→error ${(err as Error).message}`);
        }
      }
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function forward(url: string, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = http.request(url, { method: req.method, headers: { ...req.headers, host: new URL(url).host } }, (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (c: Buffer) => parts.push(c));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: { 'content-type': answer.headers['content-type'] ?? 'text/plain' }, body: Buffer.concat(parts) }));
      answer.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function peakRssKb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** A fresh database for the bot processes: a SQLite file, or a PostgreSQL database of its own. */
async function createDatabase(kind: 'sqlite' | 'postgres'): Promise<{ url: string; db: Knex; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-resilience-'));
    const url = `sqlite:${path.join(dir, 'bot.sqlite')}`;
    const db = connectDb(url);
    await migrateLatest(db);
    return { url, db, drop: async () => { await db.destroy(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `threaddesk_res_${crypto.randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL });
  await admin.raw(`create database ${name}`);
  const url = POSTGRES_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  const db = connectDb(url);
  await migrateLatest(db);
  return {
    url,
    db,
    drop: async () => {
      await db.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

/**
 * A daily digest into the digest channel whose last firing (ten minutes ago) no instance was running for: every
 * instance, starting, posts it late; only the one that claims the period first may.
 */
async function scheduleMissedDigest(db: Knex, teamId: string): Promise<void> {
  const due = new Date(Date.now() - 10 * 60_000);
  await db('digests').insert({
    team_id: teamId,
    channel_id: DIGEST_CHANNEL,
    frequency: 'daily',
    weekday: null,
    at_time: `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`,
    created_by: AGENT,
    created_at: Date.now() - 2 * 86_400_000,
  });
}
