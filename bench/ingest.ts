/**
 * `npm run bench:ingest` — ingest benchmark of threaddesk, with a bare Bolt app as the ceiling.
 *
 * Three kinds of process, so that what is measured does not share a core's time with what measures it:
 *   - this one: the Slack emulator (the Web API the bot posts cards to, its echoes of the bot's posts, the
 *     redeliveries), the SQLite file's reader for the checks, the report;
 *   - the load generator (bench/lib/loadgen-child.ts): builds and signs `event_callback` message events (a
 *     distinct event_id, channel, user, ts and text each, the emulator's shape) in batches just before use, and
 *     POSTs them over keep-alive connections (undici Pool), open loop at a fixed rate or closed loop at saturation;
 *     like Slack it waits 3 s for an answer and retries an event without a 2xx (up to 3 times);
 *   - the server measured, alone in its process: threaddesk as deployed (`src/main.ts` configured by environment,
 *     spoken to only over HTTP: /slack/events and /healthz; its database is read afterwards), bare Bolt
 *     (test/support/bare-bolt.ts: signature check + a listener that counts), or a null HTTP server. Each reports
 *     its own CPU time (process.cpuUsage, all threads) over IPC (bench/lib/probe.ts).
 *
 * Phases, in order:
 *   1. the generator's ceiling: a null server (answers 200 at once) takes M events at saturation, and min(N, 500)
 *      at the fixed rate (the latency floor of the measurement itself);
 *   2. bare Bolt: N events at R/s (answer latency p50/p99, timed from each event's scheduled send time so a stall
 *      is not hidden by coordinated omission), M events at saturation (events counted by its listener per
 *      second, first send → M-th count) and its CPU per event. Both servers are warmed up first (the null server
 *      with max(W, 5000) events, which also warms the generator; bare Bolt with max(W, 2000)), and the two
 *      saturation phases run back to back so that both see the same machine;
 *   3. threaddesk on a fresh SQLite file: warm-up W, N events at R/s (answer latency; all tickets stored and
 *      cards posted after), N events at saturation (tickets persisted per second, first send → N-th row; cards
 *      posted), CPU per ingested message (the bot process's CPU from the phase's first send until its work is
 *      done — tickets, cards, 🎫 — divided by the messages); then redeliveries through the emulator (messages
 *      already stored, sent again under new event_ids; new ones sent as 3 envelopes each) and the integrity check
 *      on the database: every message exactly one ticket, no duplicate message rows, one card per ticket.
 * It prints threaddesk / bare Bolt (events/s), threaddesk's CPU ms per ingested message, whether the generator
 * had headroom (its ceiling against bare Bolt's rate, and its CPU during each phase), a table, and the figures
 * as JSON on a last line starting with `RESULT `. Exits 0 once it has measured (missed targets are marked
 * MISSED); exits 1 only if the benchmark itself could not run, 2 on a bad flag.
 *
 * Options (npm run bench:ingest -- …):
 *   --events N          events per threaddesk phase and per fixed-rate phase (default 1000)
 *   --ceiling-events M  events per saturation phase of bare Bolt and of the null server (default 20000; they
 *                       take thousands a second, so fewer would be over before the rate is steady)
 *   --rate R            events per second in the fixed-rate phases (default 100)
 *   --concurrency C     requests in flight (= connections) at saturation (default 50)
 *   --pipelining P      HTTP/1.1 requests per connection before an answer, at saturation (default 1)
 *   --warmup W          unmeasured warm-up events for threaddesk (default 200; bare Bolt gets max(W, 2000), the null
 *                       server max(W, 5000))
 *   --redeliver S       messages redelivered under new event_ids, per redelivery mode (default 100)
 * Environment: BENCH_APP_NODE_ARGS adds node flags to the measured processes (e.g. `--cpu-prof`), BENCH_LOADGEN_NODE_ARGS
 * to the load generator.
 * The figures are this machine's: on a shared or small machine, look at the load average printed with them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { integerFlag } from './lib/args.js';
import { SlackEmulator } from '../src/emulator/index.js';
import { connectDb, type Db } from '../src/store/db.js';
import { migrateLatest } from '../src/store/migrate.js';
import { newStream, seedMessages, requester, tsOf, type EventStream, type Workspace } from './lib/events.js';
import { saturate, waitForCount } from './lib/load.js';
import { startLoadGenerator, type LoadGenerator, type LoadJob, type LoadResult } from './lib/loadgen.js';
import { processMonitor, type ProbeSample } from './lib/probe.js';
import { settleBot, startBotProcess, startServerProcess, type LogSummary, type MeasuredProcess, type ServerProcess } from './lib/processes.js';
import { ms, rate, round, sleep } from './lib/stats.js';

const USAGE = `usage: npm run bench:ingest -- [--events N] [--ceiling-events M] [--rate R] [--concurrency C] [--pipelining P] [--warmup W] [--redeliver S]
  --events N          events per threaddesk phase and per fixed-rate phase (default 1000)
  --ceiling-events M  events per saturation phase of bare Bolt and of the null server (default 20000)
  --rate R            events per second in the fixed-rate phases (default 100)
  --concurrency C     requests in flight (= connections) at saturation (default 50)
  --pipelining P      HTTP/1.1 requests per connection before an answer, at saturation (default 1)
  --warmup W          unmeasured warm-up events for threaddesk (default 200; bare Bolt gets max(W, 2000), the null server max(W, 5000))
  --redeliver S       messages redelivered under new event_ids, per redelivery mode (default 100)
  environment: BENCH_APP_NODE_ARGS="--cpu-prof …" adds node flags to the measured processes, BENCH_LOADGEN_NODE_ARGS to the load generator`;

function readFlags() {
  try {
    return parseArgs({
      options: {
        events: { type: 'string', default: '1000' },
        'ceiling-events': { type: 'string', default: '20000' },
        rate: { type: 'string', default: '100' },
        concurrency: { type: 'string', default: '50' },
        pipelining: { type: 'string', default: '1' },
        warmup: { type: 'string', default: '200' },
        redeliver: { type: 'string', default: '100' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
}
const flags = readFlags();
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = integerFlag(USAGE);
const N = positive('events', flags.events);
const M = positive('ceiling-events', flags['ceiling-events']);
const RATE = positive('rate', flags.rate);
const CONCURRENCY = positive('concurrency', flags.concurrency);
const PIPELINING = positive('pipelining', flags.pipelining);
const WARMUP = positive('warmup', flags.warmup, true);
const REF_WARMUP = Math.max(WARMUP, 2000);
/** The generator's first job: JIT-compiles its paths and opens its connections before its ceiling is taken. */
const GENERATOR_WARMUP = Math.max(WARMUP, 5000);
const REDELIVER = Math.min(positive('redeliver', flags.redeliver, true), N);
/** Fixed-rate events against the null server: enough for a p99, short. */
const NULL_RATE_EVENTS = Math.min(N, 500);
/** Most connections the pool opens in a fixed-rate phase (Slack opens as many as it needs). */
const RATE_CONNECTIONS = 256;

const TARGET_P99_MS = 100;
const TARGET_RATIO = 0.5;
/** The generator has headroom when it can send at least this many times what bare Bolt takes. */
const GENERATOR_HEADROOM = 1.5;

const SIGNING_SECRET = 'bench-signing-secret-5d1e9a';
const AGENT = 'UAGENT01';
const TRIAGE = 'CTRIAGE1';
const REF = { warm: 'CXWARM01', rate: 'CXRATE01', sat: 'CXSATU01' } as const;
const BOT = { warm: 'CWARMUP1', rate: 'CRATE001', sat: 'CSATUR01', dup: 'CREDEL01' } as const;
// User offsets: every message of a threaddesk phase comes from its own requester, so the burst rule (a
// requester's messages within the window join their open ticket) never applies and each must become a ticket.
const USERS = { warm: 0, rate: WARMUP, sat: WARMUP + N, dup: WARMUP + 2 * N, total: WARMUP + 2 * N + REDELIVER };

const log = (line: string): void => console.error(`[bench] ${line}`);
const here = processMonitor();

/** CPU, loop delay… of the three processes over one phase. */
interface Processes {
  server: ProbeSample;
  generator: ProbeSample;
  /** This process: the emulator and the benchmark's own polling. */
  emulator: ProbeSample;
}

interface FixedRateFigures {
  /** Answer latency from each event's scheduled send time, ms. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answer latency from the actual send, p50 (what the server took, without the generator's timer lag). */
  serviceP50: number;
  /** How late the generator's sends left, p99 and worst, ms. */
  sendLagP99: number;
  sendLagMax: number;
  /** First deliveries without a 2xx; of them, answered after Slack's 3 s or not at all. */
  failed: number;
  over3s: number;
  /** Slack-style retries sent, and events still without a 2xx after 3 of them. */
  retries: number;
  gaveUp: number;
  failures: string[];
  processes: Processes;
}

interface SaturationFigures {
  /** Events counted by the server (bare Bolt, null: handled; threaddesk: tickets persisted) per second. */
  perSec: number;
  /** Answers per second seen by the generator (first send → last answer). */
  answersPerSec: number;
  seconds: number;
  answerP50: number;
  answerP99: number;
  failed: number;
  retries: number;
  gaveUp: number;
  failures: string[];
  /** CPU of the server process per event, ms (threaddesk: see BotFigures.cpu). */
  serverCpuMsPerEvent: number;
  /** CPU of the generator per request, µs. */
  generatorCpuUsPerRequest: number;
  processes: Processes;
}

interface ReferenceFigures {
  fixedRate: FixedRateFigures;
  saturation: SaturationFigures;
}

interface BotFigures {
  fixedRate: FixedRateFigures & {
    persisted: number;
    /** Last answer → N-th ticket row, and → N-th card in the triage channel. */
    persistDrainMs: number;
    cardsDrainMs: number;
  };
  saturation: SaturationFigures & {
    persisted: number;
    cardsPerSec: number;
    cardsSeconds: number;
  };
  /** threaddesk's CPU time per ingested message, ms. */
  cpu: {
    /** Saturation: from the first send until the N-th ticket was stored (answering + storing). */
    ingestMsPerMessage: number;
    /** Saturation: until all work was done (cards posted, 🎫 added, the outbox empty). */
    totalMsPerMessage: number;
    /** At the fixed rate, all work included. */
    fixedRateMsPerMessage: number;
    /** Idle CPU of the bot process (timers, pollers), ms per second, measured after the warm-up. */
    idleMsPerSecond: number;
    /** totalMsPerMessage and fixedRateMsPerMessage less the idle CPU over the same wall time. */
    totalNetMsPerMessage: number;
    fixedRateNetMsPerMessage: number;
  };
  redelivery: { late: number; incidentMessages: number; incidentCopies: number; ticketsFromIncident: number; lostInIncident: number };
  integrity: {
    sent: number;
    tickets: number;
    lost: number;
    duplicated: number;
    /** Sent messages stored but joined to another ticket instead of opening one. */
    joinedInstead: number;
    duplicateMessageRows: number;
    cards: number;
    duplicateCards: number;
    missingCards: number;
    ticketNumberGaps: number;
  };
  logs: LogSummary;
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-bench-'));
  const databaseUrl = `sqlite:${path.join(tmp, 'bench.sqlite')}`;
  const emu = new SlackEmulator({ signingSecret: SIGNING_SECRET });
  let db: Db | undefined;
  let gen: LoadGenerator | undefined;
  const servers: MeasuredProcess[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(servers.splice(0).map((srv) => srv.stop().catch(() => undefined)));
    await gen?.stop().catch(() => undefined);
    gen = undefined;
    await emu.stop().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    db = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    await emu.start(0);
    seedWorkspace(emu);
    db = connectDb(databaseUrl);
    await migrateLatest(db);
    const store = db;
    const workspace: Workspace = { teamId: emu.teamId, appId: 'AEMU', botUserId: emu.botUserId };
    const serverOpts = { signingSecret: SIGNING_SECRET, apiUrl: emu.apiUrl, token: emu.botToken };
    const loadgen = (gen = await startLoadGenerator());
    log(`N=${N}, M=${M}, ${RATE} events/s, saturation with ${CONCURRENCY} in flight (pipelining ${PIPELINING}), warm-up ${WARMUP}, redeliveries ${REDELIVER}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; temp ${tmp}`);

    const stream = (tag: string, channel: string, userOffset: number, label: string, count: number): EventStream =>
      newStream({ tag, channel, userOffset, label, workspace }, count);
    const job = (url: string, s: EventStream, count: number, mode: 'rate' | 'saturate'): LoadJob => ({
      url, secret: SIGNING_SECRET, stream: s, first: 0, count, mode, rate: RATE,
      concurrency: mode === 'rate' ? RATE_CONNECTIONS : CONCURRENCY, pipelining: mode === 'rate' ? 1 : PIPELINING,
    });
    /** Runs a load job while reading the server's and this process's CPU over it. */
    const observed = async <T>(target: MeasuredProcess, work: () => Promise<[LoadResult, T]>): Promise<[LoadResult, T, Processes]> => {
      await target.probe.reset();
      here.reset();
      const [load, extra] = await work();
      return [load, extra, { server: await target.probe.read(), generator: load.generator, emulator: here.read() }];
    };

    // ---- 1-2. the generator's ceiling (a null server) and bare Bolt's ------------------------------------
    // Both servers run from the start; their saturation phases go back to back, so both see the same machine.
    const nullServer = await startServerProcess('null', serverOpts);
    servers.push(nullServer);
    const bareServer = await startServerProcess('bare', serverOpts);
    servers.push(bareServer);
    const nullRef = reference(loadgen, nullServer, 'null', stream, job, observed);
    const bareRef = reference(loadgen, bareServer, 'bare', stream, job, observed);
    log('warm-up of the generator (null server) and of bare Bolt…');
    await nullRef.warmUp(GENERATOR_WARMUP);
    await bareRef.warmUp(REF_WARMUP);
    log('fixed rate: null server, bare Bolt…');
    const nullFixed = await nullRef.fixedRate(NULL_RATE_EVENTS);
    const bareFixed = await bareRef.fixedRate(N);
    log('saturation: null server, bare Bolt…');
    const nullFigures: ReferenceFigures = { fixedRate: nullFixed, saturation: await nullRef.saturation() };
    const bare: ReferenceFigures = { fixedRate: bareFixed, saturation: await bareRef.saturation() };
    await Promise.all(servers.splice(0).map((srv) => srv.stop()));
    log(`generator: ${rate(nullFigures.saturation.perSec)} against the null server (${nullFigures.saturation.generatorCpuUsPerRequest} µs of generator CPU per request); ` +
      `bare Bolt: ${rate(bare.saturation.perSec)}, ${bare.saturation.serverCpuMsPerEvent} ms CPU per event`);

    // ---- 3. threaddesk -------------------------------------------------------------------------------------
    const streams = {
      warm: stream('TW', BOT.warm, USERS.warm, 'warm-up', WARMUP),
      rate: stream('TR', BOT.rate, USERS.rate, 'rate', N),
      sat: stream('TS', BOT.sat, USERS.sat, 'sat', N),
    };
    // What the bot does with a message (🎫, a reply in its thread) needs it in the emulator's workspace.
    seedMessages(emu, streams.warm, WARMUP);
    seedMessages(emu, streams.rate, N);
    seedMessages(emu, streams.sat, N);
    const bot = await startBotProcess({
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.apiUrl,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      THREADDESK_TRIAGE_CHANNEL: TRIAGE,
      THREADDESK_INTAKE_CHANNELS: Object.values(BOT).join(','),
      // This emulator enforces no rate limits (bench:resilience measures pacing): deliveries go as fast as they can.
      THREADDESK_SLACK_RATE_SCALE: '1000',
    });
    servers.push(bot);
    const botEvents = `${bot.url}/slack/events`;
    emu.setBotEndpoint(botEvents);
    const tickets = async (channel: string): Promise<number> => {
      const [row] = await store('tickets').where({ origin_channel_id: channel }).count({ n: '*' });
      return Number((row as { n: number | string }).n);
    };
    const cards = (): number => emu.messages(TRIAGE).filter((m) => m.bot_id && /^Ticket #\d+:/.test(m.text)).length;
    /** Waits until the bot has nothing left to deliver and the emulator sees no new calls. */
    const settle = (): Promise<void> => settleBot(emu, bot.url, 30_000);

    if (WARMUP > 0) {
      log('threaddesk: warm-up…');
      await loadgen.run(job(botEvents, streams.warm, WARMUP, 'saturate'));
      await waitForCount(() => tickets(BOT.warm), WARMUP, { intervalMs: 20, stallMs: 10_000, sendsDone: () => true });
      await settle();
    }

    // Idle CPU of the bot, warmed up (schedulers, the outbox poller), for reading the per-message figures.
    await bot.probe.reset();
    await sleep(1000);
    const idle = await bot.probe.read();
    const idleMsPerSecond = round((idle.cpuMs / idle.wallMs) * 1000, 1);

    log('threaddesk: fixed rate…');
    let cardsBefore = cards();
    let sending = true;
    const rateRows = waitForCount(() => tickets(BOT.rate), N, { intervalMs: 20, stallMs: 10_000, sendsDone: () => !sending });
    const rateCards = waitForCount(async () => cards() - cardsBefore, N, { intervalMs: 20, stallMs: 10_000, sendsDone: () => !sending });
    const [botRate, [botRateRows, botRateCards], botRateProc] = await observed(bot, async () => {
      const load = await loadgen.run(job(botEvents, streams.rate, N, 'rate')).finally(() => (sending = false));
      const done = await Promise.all([rateRows, rateCards]);
      await settle();
      return [load, done];
    });

    log('threaddesk: saturation…');
    cardsBefore = cards();
    sending = true;
    let ingestCpu: ProbeSample | undefined;
    const [botSat, [satRows, satCards], botSatProc] = await observed(bot, async () => {
      const load = loadgen.run(job(botEvents, streams.sat, N, 'saturate')).finally(() => (sending = false));
      const rows = waitForCount(() => tickets(BOT.sat), N, { intervalMs: 10, stallMs: 10_000, sendsDone: () => !sending }).then(async (r) => {
        ingestCpu = await bot.probe.read();
        return r;
      });
      const cardsDone = waitForCount(async () => cards() - cardsBefore, N, { intervalMs: 20, stallMs: 10_000, sendsDone: () => !sending });
      const [l, r, c] = await Promise.all([load, rows, cardsDone]);
      await settle();
      return [l, [r, c]];
    });
    const satSeconds = (performance.timeOrigin + satRows.reachedAt - botSat.firstSendAt) / 1000;
    const satCardsSeconds = (performance.timeOrigin + satCards.reachedAt - botSat.firstSendAt) / 1000;

    log('threaddesk: redeliveries…');
    // Late: messages already turned into tickets arrive again under a new event_id (Slack does this).
    const rateTs = Array.from({ length: N }, (_, i) => tsOf(streams.rate, i));
    const step = Math.max(1, Math.floor(N / Math.max(1, REDELIVER)));
    const sample = REDELIVER > 0 ? rateTs.filter((_, i) => i % step === 0).slice(0, REDELIVER) : [];
    await saturate(sample.length, 10, async (i) => emu.driver.deliverEvent(eventOf(emu, BOT.rate, sample[i]!)));
    // Incident: each new message is delivered as 3 envelopes with distinct event_ids, back to back.
    const incident = await saturate(REDELIVER, 10, async (i) => {
      const r = await emu.driver.userSays(requester(USERS.dup + i), BOT.dup, `[dup ${i}] My laptop will not wake from sleep since the update.`, { eventIds: 3 });
      return { status: r.status, ts: r.ts };
    });
    await waitForCount(() => tickets(BOT.dup), REDELIVER, { intervalMs: 20, stallMs: 5000, sendsDone: () => true });
    await settle();

    const integrity = await checkIntegrity(store, emu, [
      { channel: BOT.rate, sent: rateTs },
      { channel: BOT.sat, sent: Array.from({ length: N }, (_, i) => tsOf(streams.sat, i)) },
      { channel: BOT.dup, sent: incident.sentTs },
    ]);
    const dupTickets = await tickets(BOT.dup);
    const logs = bot.logs();
    await Promise.all(servers.splice(0).map((srv) => srv.stop()));

    const botFigures: BotFigures = {
      fixedRate: {
        ...fixedRateFigures(botRate, botRateProc),
        persisted: botRateRows.count,
        persistDrainMs: round(performance.timeOrigin + botRateRows.reachedAt - botRate.lastAckAt, 1),
        cardsDrainMs: round(performance.timeOrigin + botRateCards.reachedAt - botRate.lastAckAt, 1),
      },
      saturation: {
        ...saturationFigures(botSat, botSatProc, N, satSeconds),
        persisted: satRows.count,
        cardsPerSec: round(N / satCardsSeconds, 1),
        cardsSeconds: round(satCardsSeconds, 3),
      },
      cpu: {
        ingestMsPerMessage: ingestCpu ? round(ingestCpu.cpuMs / N, 3) : Number.NaN,
        totalMsPerMessage: round(botSatProc.server.cpuMs / N, 3),
        fixedRateMsPerMessage: round(botRateProc.server.cpuMs / N, 3),
        idleMsPerSecond,
        totalNetMsPerMessage: round((botSatProc.server.cpuMs - (idleMsPerSecond * botSatProc.server.wallMs) / 1000) / N, 3),
        fixedRateNetMsPerMessage: round((botRateProc.server.cpuMs - (idleMsPerSecond * botRateProc.server.wallMs) / 1000) / N, 3),
      },
      redelivery: {
        late: sample.length,
        incidentMessages: REDELIVER,
        incidentCopies: 3,
        ticketsFromIncident: dupTickets,
        lostInIncident: REDELIVER - dupTickets,
      },
      integrity,
      logs,
    };

    report(nullFigures, bare, botFigures, { seconds: (performance.now() - started) / 1000, startedAt, loadBefore, loadAfter: os.loadavg() });
  } finally {
    await cleanup();
  }
}

type StreamOf = (tag: string, channel: string, userOffset: number, label: string, count: number) => EventStream;
type JobOf = (url: string, s: EventStream, count: number, mode: 'rate' | 'saturate') => LoadJob;
type Observe = <T>(target: MeasuredProcess, work: () => Promise<[LoadResult, T]>) => Promise<[LoadResult, T, Processes]>;

/** Warm-up, fixed rate and saturation against a reference server (bare Bolt or the null server). */
function reference(gen: LoadGenerator, srv: ServerProcess, kind: 'bare' | 'null', stream: StreamOf, job: JobOf, observed: Observe) {
  const url = kind === 'bare' ? `${srv.url}/slack/events` : `${srv.url}/`;
  const name = kind === 'bare' ? 'bare Bolt' : 'null server';
  const tag = kind === 'bare' ? 'B' : 'N';
  let handled = 0;
  const expect = async (count: number, timeoutMs: number) => {
    handled += count;
    const r = await srv.whenCount(handled, timeoutMs);
    if (r.at === null) throw new Error(`${name} handled ${r.count} events, expected ${handled}`);
    return r.at;
  };
  return {
    async warmUp(count: number): Promise<void> {
      await gen.run(job(url, stream(`${tag}W`, REF.warm, 0, 'warm-up', count), count, 'saturate'));
      await expect(count, 10_000);
    },
    async fixedRate(count: number): Promise<FixedRateFigures> {
      const [load, , processes] = await observed(srv, async () => {
        const result = await gen.run(job(url, stream(`${tag}R`, REF.rate, 0, 'rate', count), count, 'rate'));
        await expect(count, 10_000);
        return [result, undefined];
      });
      return fixedRateFigures(load, processes);
    },
    async saturation(): Promise<SaturationFigures> {
      const [load, reachedAt, processes] = await observed(srv, async () => {
        const counted = expect(M, 120_000);
        const result = await gen.run(job(url, stream(`${tag}S`, REF.sat, 0, 'sat', M), M, 'saturate'));
        return [result, await counted];
      });
      return saturationFigures(load, processes, M, (reachedAt - load.firstSendAt) / 1000);
    },
  };
}

function fixedRateFigures(load: LoadResult, processes: Processes): FixedRateFigures {
  return {
    p50: load.latency.p50,
    p90: load.latency.p90,
    p99: load.latency.p99,
    max: load.latency.max,
    serviceP50: load.serviceP50,
    sendLagP99: load.sendLagP99,
    sendLagMax: load.sendLagMax,
    failed: load.failed,
    over3s: load.latency.over3s,
    retries: load.retries,
    gaveUp: load.gaveUp.length,
    failures: load.failures,
    processes,
  };
}

function saturationFigures(load: LoadResult, processes: Processes, count: number, seconds: number): SaturationFigures {
  return {
    perSec: round(count / seconds, 1),
    answersPerSec: round(load.answersPerSec, 1),
    seconds: round(seconds, 3),
    answerP50: load.latency.p50,
    answerP99: load.latency.p99,
    failed: load.failed,
    retries: load.retries,
    gaveUp: load.gaveUp.length,
    failures: load.failures,
    serverCpuMsPerEvent: round(processes.server.cpuMs / count, 3),
    generatorCpuUsPerRequest: round((load.generator.cpuMs * 1000) / count, 1),
    processes,
  };
}

/** The Events API `message` event for a stored message, to deliver it again under a new event_id. */
function eventOf(emu: SlackEmulator, channel: string, ts: string): Record<string, unknown> {
  const m = emu.message(channel, ts);
  if (!m) throw new Error(`no message ${ts} in ${channel}`);
  return {
    client_msg_id: m.client_msg_id, type: 'message', text: m.text, user: m.user, ts: m.ts, team: m.team,
    blocks: m.blocks, channel, event_ts: m.ts, channel_type: 'channel',
  };
}

async function checkIntegrity(db: Db, emu: SlackEmulator, phases: { channel: string; sent: (string | undefined)[] }[]): Promise<BotFigures['integrity']> {
  const rows = (await db('tickets').select('number', 'origin_channel_id', 'origin_ts', 'card_ts')) as { number: number; origin_channel_id: string; origin_ts: string; card_ts: string | null }[];
  const origins = new Map<string, number>();
  for (const r of rows) origins.set(`${r.origin_channel_id}/${r.origin_ts}`, (origins.get(`${r.origin_channel_id}/${r.origin_ts}`) ?? 0) + 1);
  const stored = new Set(((await db('messages').select('channel_id', 'ts')) as { channel_id: string; ts: string }[]).map((m) => `${m.channel_id}/${m.ts}`));
  let sent = 0;
  let lost = 0;
  let duplicated = 0;
  let joinedInstead = 0;
  let phaseTickets = 0;
  for (const phase of phases) {
    for (const ts of phase.sent) {
      if (ts === undefined) continue;
      sent += 1;
      const key = `${phase.channel}/${ts}`;
      const n = origins.get(key) ?? 0;
      if (n === 0) {
        lost += 1;
        if (stored.has(key)) joinedInstead += 1;
      }
      duplicated += Math.max(0, n - 1);
    }
    phaseTickets += rows.filter((r) => r.origin_channel_id === phase.channel).length;
  }
  // Tickets in these channels that match no sent message would be duplicates of another kind.
  duplicated += Math.max(0, phaseTickets - (sent - lost) - duplicated);
  const [dupMessages] = (await db.raw('select count(*) as n from (select channel_id, ts from messages group by channel_id, ts having count(*) > 1) d')) as { n: number }[];
  const cardNumbers = new Map<number, number>();
  for (const m of emu.messages(TRIAGE)) {
    const match = m.bot_id ? /^Ticket #(\d+):/.exec(m.text) : null;
    if (match) cardNumbers.set(Number(match[1]), (cardNumbers.get(Number(match[1])) ?? 0) + 1);
  }
  const cards = [...cardNumbers.values()].reduce((a, b) => a + b, 0);
  const numbers = rows.map((r) => Number(r.number));
  return {
    sent,
    tickets: phaseTickets,
    lost,
    duplicated,
    joinedInstead,
    duplicateMessageRows: Number(dupMessages?.n ?? 0),
    cards,
    duplicateCards: [...cardNumbers.values()].reduce((a, c) => a + Math.max(0, c - 1), 0),
    missingCards: rows.filter((r) => !cardNumbers.has(Number(r.number)) || !r.card_ts).length,
    ticketNumberGaps: numbers.length === 0 ? 0 : Math.max(...numbers) - new Set(numbers).size,
  };
}

function seedWorkspace(emu: SlackEmulator): void {
  emu.addUser({ id: AGENT, name: 'agnes', realName: 'Agnes Agent' });
  const requesters: string[] = [];
  for (let k = 0; k < USERS.total; k++) {
    const id = requester(k);
    requesters.push(id);
    emu.addUser({ id, name: `req${k}`, realName: `Requester ${k}` });
  }
  const members = [...requesters, AGENT, emu.botUserId];
  for (const id of [...Object.values(REF), ...Object.values(BOT)]) emu.addChannel({ id, name: id.toLowerCase(), members });
  emu.addChannel({ id: TRIAGE, name: 'triage', members: [AGENT, emu.botUserId] });
}

interface RunInfo {
  seconds: number;
  startedAt: Date;
  loadBefore: number[];
  loadAfter: number[];
}

function report(gen: ReferenceFigures, bare: ReferenceFigures, bot: BotFigures, run: RunInfo): void {
  const ratio = bot.saturation.perSec / bare.saturation.perSec;
  const answersRatio = bot.saturation.answersPerSec / bare.saturation.answersPerSec;
  const headroom = gen.saturation.perSec / bare.saturation.perSec;
  const cpuRatio = bot.cpu.totalMsPerMessage / bare.saturation.serverCpuMsPerEvent;
  const { integrity } = bot;
  const p99Ok = bot.fixedRate.p99 < TARGET_P99_MS && bot.fixedRate.failed === 0;
  const ratioOk = ratio >= TARGET_RATIO;
  const lostOk = integrity.lost === 0;
  const dupOk = integrity.duplicated === 0 && integrity.duplicateCards === 0 && integrity.duplicateMessageRows === 0;
  const headroomOk = headroom >= GENERATOR_HEADROOM;
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const pad = (s: string, n: number) => s.padEnd(n);
  const lpad = (s: string, n: number) => s.padStart(n);
  const cpuMs = (v: number) => (Number.isFinite(v) ? `${v.toFixed(3)} ms` : '-');
  const row = (name: string, p50: string, p99: string, perSec: string, cpu: string, lost: string, dup: string) =>
    `${pad(name, 22)}${lpad(p50, 13)}${lpad(p99, 13)}${lpad(perSec, 11)}${lpad(cpu, 12)}${lpad(lost, 7)}${lpad(dup, 12)}`;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

  const out: string[] = [];
  out.push('');
  out.push(`threaddesk ingest benchmark — ${run.startedAt.toISOString()}, SQLite, ${os.cpus().length} CPUs, node ${process.version}, load average ${load(run.loadBefore)} before, ${load(run.loadAfter)} after`);
  out.push(`N=${N} events per threaddesk phase, M=${M} per reference saturation, fixed rate ${RATE} events/s, saturation ${CONCURRENCY} in flight (pipelining ${PIPELINING}); server, load generator and emulator in 3 processes`);
  out.push(row('', `p50 @${RATE}/s`, `p99 @${RATE}/s`, 'events/s', 'CPU/event', 'lost', 'duplicated'));
  out.push(row('null server (floor)', ms(gen.fixedRate.p50), ms(gen.fixedRate.p99), rate(gen.saturation.perSec), cpuMs(gen.saturation.serverCpuMsPerEvent), '-', '-'));
  out.push(row('bare Bolt (ceiling)', ms(bare.fixedRate.p50), ms(bare.fixedRate.p99), rate(bare.saturation.perSec), cpuMs(bare.saturation.serverCpuMsPerEvent), '-', '-'));
  out.push(row('threaddesk', ms(bot.fixedRate.p50), ms(bot.fixedRate.p99), rate(bot.saturation.perSec), cpuMs(bot.cpu.totalMsPerMessage), String(integrity.lost), String(integrity.duplicated)));
  out.push(`  (latency: answer time - scheduled send time; events/s: null server answered, bare Bolt counted by its listener, threaddesk tickets stored; CPU: the server process's, per event)`);
  out.push(
    `threaddesk / bare Bolt: ${(ratio * 100).toFixed(1)}% of the events/s (target >= ${TARGET_RATIO * 100}%) ${mark(ratioOk)}; ` +
      `answers/s ${(answersRatio * 100).toFixed(1)}%; CPU per message ${cpuRatio.toFixed(1)}× bare Bolt's`,
  );
  out.push(
    `threaddesk CPU per ingested message: ${cpuMs(bot.cpu.totalMsPerMessage)} at saturation, all work (${cpuMs(bot.cpu.ingestMsPerMessage)} until the N-th ticket was stored), ` +
      `${cpuMs(bot.cpu.fixedRateMsPerMessage)} at ${RATE}/s; less its idle CPU (${bot.cpu.idleMsPerSecond} ms per second): ${cpuMs(bot.cpu.totalNetMsPerMessage)} and ${cpuMs(bot.cpu.fixedRateNetMsPerMessage)}`,
  );
  out.push(
    `p99 at ${RATE}/s: ${ms(bot.fixedRate.p99)} (target < ${TARGET_P99_MS} ms) ${mark(p99Ok)}   ` +
      `lost ${integrity.lost} ${mark(lostOk)}, duplicated ${integrity.duplicated} ${mark(dupOk)}`,
  );
  out.push(
    `load generator: ${rate(gen.saturation.perSec)} against the null server = ${headroom.toFixed(1)}× bare Bolt's rate (needs >= ${GENERATOR_HEADROOM}×) ${mark(headroomOk)}; ` +
      `per core of CPU it sends ${rate(1e6 / gen.saturation.generatorCpuUsPerRequest)} (${gen.saturation.generatorCpuUsPerRequest} µs per request) where bare Bolt takes ${rate(1000 / bare.saturation.serverCpuMsPerEvent)}; ` +
      `during bare Bolt's saturation it used ${bare.saturation.processes.generator.cpuCores.toFixed(2)} cores, bare Bolt ${bare.saturation.processes.server.cpuCores.toFixed(2)}`,
  );
  out.push('');
  out.push('details');
  const fixedLine = (name: string, f: FixedRateFigures) =>
    `  fixed rate, ${pad(name + ':', 12)} p50 ${ms(f.p50)}, p90 ${ms(f.p90)}, p99 ${ms(f.p99)}, max ${ms(f.max)}; from the actual send p50 ${ms(f.serviceP50)}; ` +
    `generator send lag p99 ${ms(f.sendLagP99)} max ${ms(f.sendLagMax)}; not 2xx ${f.failed} (after 3 s or never ${f.over3s}), retries ${f.retries}, given up ${f.gaveUp}`;
  out.push(fixedLine('null server', gen.fixedRate));
  out.push(fixedLine('bare Bolt', bare.fixedRate));
  out.push(fixedLine('threaddesk', bot.fixedRate));
  out.push(`  fixed rate: all ${N} tickets stored ${ms(bot.fixedRate.persistDrainMs)} after the last answer, all cards posted ${ms(bot.fixedRate.cardsDrainMs)} after it`);
  const satLine = (name: string, s: SaturationFigures, what: string) =>
    `  saturation, ${pad(name + ':', 12)} ${rate(s.perSec)} ${what} in ${s.seconds.toFixed(2)} s (answers ${rate(s.answersPerSec)}, answer p50 ${ms(s.answerP50)} p99 ${ms(s.answerP99)}); not 2xx ${s.failed}, retries ${s.retries}, given up ${s.gaveUp}`;
  out.push(satLine('null server', gen.saturation, 'answered'));
  out.push(satLine('bare Bolt', bare.saturation, 'counted'));
  out.push(satLine('threaddesk', bot.saturation, 'tickets stored') + `; cards posted ${rate(bot.saturation.cardsPerSec)} (all ${N} after ${bot.saturation.cardsSeconds.toFixed(2)} s)`);
  out.push(`  redelivery: ${bot.redelivery.late} stored messages re-sent under new event_ids; ${bot.redelivery.incidentMessages} new messages sent as 3 envelopes each → ${bot.redelivery.ticketsFromIncident} tickets`);
  out.push(`  integrity (database after the run): ${integrity.sent} messages sent, ${integrity.tickets} tickets, lost ${integrity.lost} (joined to another ticket ${integrity.joinedInstead}), duplicated tickets ${integrity.duplicated}, ` +
    `duplicate message rows ${integrity.duplicateMessageRows}, cards ${integrity.cards} (duplicate ${integrity.duplicateCards}, missing ${integrity.missingCards}), ticket-number gaps ${integrity.ticketNumberGaps}`);
  out.push('  processes during each phase (CPU in cores: 1.00 = one core busy):');
  const one = (s: ProbeSample) => `CPU ${s.cpuCores.toFixed(2)}, loop p99 ${ms(s.loopP99Ms)} max ${ms(s.loopMaxMs)}, GC max ${ms(s.gcMaxMs)}`;
  const proc = (label: string, p: Processes) =>
    out.push(`    ${pad(label, 24)} server: ${one(p.server)} | generator: ${one(p.generator)} | emulator+bench: CPU ${p.emulator.cpuCores.toFixed(2)}, loop p99 ${ms(p.emulator.loopP99Ms)}`);
  proc('null server saturation', gen.saturation.processes);
  proc('bare Bolt fixed rate', bare.fixedRate.processes);
  proc('bare Bolt saturation', bare.saturation.processes);
  proc('threaddesk fixed rate', bot.fixedRate.processes);
  proc('threaddesk saturation', bot.saturation.processes);
  out.push(`    threaddesk peak RSS seen: ${Math.max(bot.fixedRate.processes.server.rssMb, bot.saturation.processes.server.rssMb)} MB`);
  const logCounts = Object.entries(bot.logs.counts).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`  bot log lines at warn+: ${logCounts || 'none'}${bot.logs.samples.length ? `; first: ${bot.logs.samples.join(' | ')}` : ''}`);
  const failures = [...gen.saturation.failures, ...bare.fixedRate.failures, ...bare.saturation.failures, ...bot.fixedRate.failures, ...bot.saturation.failures];
  if (failures.length) out.push(`  failed sends: ${failures.join('; ')}`);
  out.push(`  total run time ${run.seconds.toFixed(1)} s`);
  console.log(out.join('\n'));

  const result = {
    benchmark: 'ingest',
    version: 2,
    at: run.startedAt.toISOString(),
    db: 'sqlite',
    n: N,
    m: M,
    rate: RATE,
    concurrency: CONCURRENCY,
    pipelining: PIPELINING,
    warmup: WARMUP,
    cpus: os.cpus().length,
    node: process.version,
    loadAverage: { before: run.loadBefore.map((l) => round(l)), after: run.loadAfter.map((l) => round(l)) },
    generator: gen,
    bare,
    threaddesk: bot,
    ratio: round(ratio, 3),
    answersRatio: round(answersRatio, 3),
    cpuMsPerMessage: bot.cpu.totalMsPerMessage,
    generatorHeadroom: round(headroom, 2),
    generatorCpuHeadroom: round((1000 * bare.saturation.serverCpuMsPerEvent) / gen.saturation.generatorCpuUsPerRequest, 2),
    targets: { p99AckUnder100ms: p99Ok, ingestAtLeastHalfBare: ratioOk, zeroLost: lostOk, zeroDuplicated: dupOk, generatorNotTheBottleneck: headroomOk },
    seconds: round(run.seconds, 1),
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('[bench] failed:', err);
    process.exit(1);
  },
);
