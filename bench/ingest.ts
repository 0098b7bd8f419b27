/**
 * `npm run bench:ingest` — ingest benchmark of threaddesk against the local Slack emulator.
 *
 * Starts the emulator, a fresh SQLite file and the real bot (in a child process by default, so the bot's event
 * loop is not shared with the emulator and the load generator; `--in-process` runs everything on one thread
 * like test/support/harness.ts). Then, for a bare Bolt app whose listener only counts (the framework's ceiling
 * on this machine) and for threaddesk:
 *   1. warm-up: a few hundred events, not measured;
 *   2. fixed rate: N signed `message` events at R events/s (open loop), ack latency of each (time until the
 *      HTTP answer, as seen by the emulator's driver);
 *   3. saturation: N events as fast as possible with C in flight; bare Bolt: events counted by its listener
 *      per second; threaddesk: ticket rows persisted per second (first send → N-th row), and cards posted;
 * then, for threaddesk only, redeliveries (the same message under new event_ids, late and during an incident)
 * and an integrity check: lost tickets, duplicated tickets, duplicated or missing cards.
 * Prints a table, and the figures as JSON on a last line starting with `RESULT `. Always exits 0 once it has
 * measured (missed targets are marked MISSED); exits 1 only if the benchmark itself could not run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { integerFlag } from './lib/args.js';
import { SlackEmulator } from '../src/emulator/index.js';
import { connectDb, type Db } from '../src/store/db.js';
import { migrateLatest } from '../src/store/migrate.js';
import { processMonitor, startApp, type AppHandle, type AppSpec, type LogSummary, type ProcessStats } from './lib/app-host.js';
import { fixedRate, saturate, waitForCount, type LoadResult, type Send } from './lib/load.js';
import { useNodeHttpTransport } from './lib/node-http-transport.js';
import { startRemoteApp } from './lib/remote-app.js';
import { max, ms, percentile, rate, round, sleep } from './lib/stats.js';

const USAGE = `usage: npm run bench:ingest -- [--events N] [--rate R] [--concurrency C] [--warmup W] [--redeliver S] [--in-process]
  --events N       events per measured phase (default 1000; 2000 takes about 2 minutes on 2 CPUs)
  --rate R         events per second in the fixed-rate phase (default 100)
  --concurrency C  requests in flight in the saturation phase (default 50)
  --warmup W       unmeasured warm-up events per app (default 200)
  --redeliver S    messages redelivered under new event_ids, per redelivery mode (default 100)
  --in-process     run the apps in this process (one event loop with the emulator) instead of a child process
  --node-http      the emulator POSTs events with node:http + keep-alive instead of fetch (see bench/lib/node-http-transport.ts)`;

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '200' },
    redeliver: { type: 'string', default: '100' },
    'in-process': { type: 'boolean', default: false },
    'node-http': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = integerFlag(USAGE);
const N = positive('events', flags.events);
const RATE = positive('rate', flags.rate);
const CONCURRENCY = positive('concurrency', flags.concurrency);
const WARMUP = positive('warmup', flags.warmup, true);
const REDELIVER = Math.min(positive('redeliver', flags.redeliver, true), N);
const IN_PROCESS = flags['in-process'];
const NODE_HTTP = flags['node-http'];

const TARGET_P99_MS = 100;
const TARGET_RATIO = 0.5;

const SIGNING_SECRET = 'bench-signing-secret-5d1e9a';
const AGENT = 'UAGENT01';
const TRIAGE = 'CTRIAGE1';
const BARE = { warm: 'CXWARM01', rate: 'CXRATE01', sat: 'CXSATU01' } as const;
const BOT = { warm: 'CWARMUP1', rate: 'CRATE001', sat: 'CSATUR01', dup: 'CREDEL01' } as const;
// User offsets: every message of a phase comes from its own requester, so the burst rule (a requester's
// messages within the window join their open ticket) never applies and each message must become a ticket.
const USERS = { warm: 0, rate: WARMUP, sat: WARMUP + N, dup: WARMUP + 2 * N, total: WARMUP + 2 * N + REDELIVER };

const requester = (k: number): string => `UR${k.toString(36).toUpperCase().padStart(7, '0')}`;
const log = (line: string): void => console.error(`[bench] ${line}`);
const here = processMonitor();

/** Runs a phase and reads both processes' event-loop delay, CPU and GC over it. */
async function observed<T>(app: AppHandle, work: () => Promise<T>): Promise<[T, Processes]> {
  await app.resetStats();
  here.reset();
  const value = await work();
  return [value, { app: await app.stats(), emulator: here.read() }];
}

/** Where the time went during a phase: the app's process, and this one (emulator + load generator). */
interface Processes {
  app: ProcessStats;
  emulator: ProcessStats;
}

interface PhaseFigures {
  processes?: Processes;
  ackP50: number;
  ackP99: number;
  ackMax: number;
  failedAcks: number;
  failures: string[];
}

function ackFigures(load: LoadResult): PhaseFigures {
  return {
    ackP50: round(percentile(load.latencies, 50)),
    ackP99: round(percentile(load.latencies, 99)),
    ackMax: round(max(load.latencies)),
    failedAcks: load.failed,
    failures: load.failures,
  };
}

interface BareFigures {
  fixedRate: PhaseFigures & { received: number; maxScheduleLagMs: number };
  saturation: PhaseFigures & { received: number; eventsPerSec: number; acksPerSec: number; seconds: number };
}

interface BotFigures {
  fixedRate: PhaseFigures & {
    persisted: number;
    maxScheduleLagMs: number;
    /** Last send → N-th ticket row, and → N-th card in the triage channel. */
    persistDrainMs: number;
    cardsDrainMs: number;
  };
  saturation: PhaseFigures & {
    persisted: number;
    persistedPerSec: number;
    acksPerSec: number;
    cardsPerSec: number;
    seconds: number;
    cardsSeconds: number;
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
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-bench-'));
  const databaseUrl = `sqlite:${path.join(tmp, 'bench.sqlite')}`;
  const emu = new SlackEmulator({ signingSecret: SIGNING_SECRET });
  let db: Db | undefined;
  let app: AppHandle | undefined;
  let releaseTransport: (() => void) | undefined;
  const cleanup = async (): Promise<void> => {
    await app?.stop().catch(() => undefined);
    app = undefined;
    await emu.stop().catch(() => undefined);
    releaseTransport?.();
    await db?.destroy().catch(() => undefined);
    db = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    await emu.start(0);
    if (NODE_HTTP) releaseTransport = useNodeHttpTransport(emu);
    seedWorkspace(emu);
    db = connectDb(databaseUrl);
    await migrateLatest(db);
    const start = (spec: AppSpec): Promise<AppHandle> => (IN_PROCESS ? startApp(spec) : startRemoteApp(spec));
    const base = { apiUrl: emu.apiUrl, botToken: emu.botToken, signingSecret: SIGNING_SECRET };
    const say = (channel: string, offset: number, label: string): Send => async (i) => {
      const r = await emu.driver.userSays(requester(offset + i), channel, `[${label} ${i}] The VPN client fails with error 809 from building ${i % 9}; it worked yesterday.`);
      return { status: r.status, ts: r.ts };
    };

    log(`N=${N}, ${RATE} events/s, saturation with ${CONCURRENCY} in flight, warm-up ${WARMUP}, redeliveries ${REDELIVER}; apps ${IN_PROCESS ? 'in this process' : 'in a child process'}; driver transport ${NODE_HTTP ? 'node:http' : 'fetch (emulator default)'}; temp ${tmp}`);

    // ---- bare Bolt: the ceiling ------------------------------------------------------------------------
    app = await start({ kind: 'bare', ...base });
    emu.setBotEndpoint(`http://127.0.0.1:${app.port}/slack/events`);
    const bareApp = app;
    if (WARMUP > 0) await saturate(WARMUP, CONCURRENCY, say(BARE.warm, USERS.warm, 'warm-up'));
    log('bare Bolt: fixed rate…');
    let before = await bareApp.received();
    const [bareRate, bareRateProc] = await observed(bareApp, () => fixedRate(N, RATE, say(BARE.rate, USERS.rate, 'rate')));
    const bareRateCount = await waitForCount(async () => (await bareApp.received()) - before, N, { intervalMs: 10, stallMs: 3000, sendsDone: () => true });
    log('bare Bolt: saturation…');
    before = await bareApp.received();
    const [bareSat, bareSatProc] = await observed(bareApp, () => measureSaturation(say(BARE.sat, USERS.sat, 'sat'), async () => (await bareApp.received()) - before));
    await bareApp.stop();
    app = undefined;
    const bareSeconds = (bareSat.progress.reachedAt - bareSat.load.firstSendAt) / 1000;
    const bare: BareFigures = {
      fixedRate: { ...ackFigures(bareRate), processes: bareRateProc, received: bareRateCount.count, maxScheduleLagMs: round(bareRate.maxScheduleLagMs) },
      saturation: {
        ...ackFigures(bareSat.load),
        processes: bareSatProc,
        received: bareSat.progress.count,
        eventsPerSec: round(N / bareSeconds, 1),
        acksPerSec: round(N / ((bareSat.load.lastAckAt - bareSat.load.firstSendAt) / 1000), 1),
        seconds: round(bareSeconds, 3),
      },
    };

    // ---- threaddesk ------------------------------------------------------------------------------------
    app = await start({ kind: 'bot', ...base, databaseUrl, triageChannel: TRIAGE, intakeChannels: Object.values(BOT) });
    emu.setBotEndpoint(`http://127.0.0.1:${app.port}/slack/events`);
    const bot = app;
    const store = db;
    const tickets = async (channel: string): Promise<number> => {
      const [row] = await store('tickets').where({ origin_channel_id: channel }).count({ n: '*' });
      return Number((row as { n: number | string }).n);
    };
    const cards = (): number => emu.messages(TRIAGE).filter((m) => m.bot_id && /^Ticket #\d+:/.test(m.text)).length;
    const settle = async (): Promise<void> => {
      const deadline = performance.now() + 30_000;
      let stable = 0;
      let last = '';
      while (stable < 3 && performance.now() < deadline) {
        await emu.idle();
        await bot.idle();
        await sleep(25);
        const now = `${emu.calls().length}:${await bot.received()}`;
        stable = now === last ? stable + 1 : 0;
        last = now;
      }
    };

    if (WARMUP > 0) {
      await saturate(WARMUP, CONCURRENCY, say(BOT.warm, USERS.warm, 'warm-up'));
      await waitForCount(() => tickets(BOT.warm), WARMUP, { intervalMs: 20, stallMs: 5000, sendsDone: () => true });
      await settle();
    }

    log('threaddesk: fixed rate…');
    let cardsBefore = cards();
    let sending = true;
    const rateRows = waitForCount(() => tickets(BOT.rate), N, { intervalMs: 20, stallMs: 10_000, sendsDone: () => !sending });
    const rateCards = waitForCount(async () => cards() - cardsBefore, N, { intervalMs: 20, stallMs: 10_000, sendsDone: () => !sending });
    const [botRate, botRateProc] = await observed(bot, () => fixedRate(N, RATE, say(BOT.rate, USERS.rate, 'rate')));
    sending = false;
    const [botRateRows, botRateCards] = await Promise.all([rateRows, rateCards]);
    await settle();

    log('threaddesk: saturation…');
    cardsBefore = cards();
    const [botSat, botSatProc] = await observed(bot, () => measureSaturation(say(BOT.sat, USERS.sat, 'sat'), () => tickets(BOT.sat), async () => cards() - cardsBefore));
    await settle();
    const satSeconds = (botSat.progress.reachedAt - botSat.load.firstSendAt) / 1000;
    const satCardsSeconds = (botSat.cards!.reachedAt - botSat.load.firstSendAt) / 1000;

    log('threaddesk: redeliveries…');
    // Late: messages already turned into tickets arrive again under a new event_id (Slack does this).
    const sentRate = botRate.sentTs.filter((ts): ts is string => ts !== undefined);
    const sample = REDELIVER > 0 ? sentRate.filter((_, i) => i % Math.max(1, Math.floor(sentRate.length / REDELIVER)) === 0).slice(0, REDELIVER) : [];
    await saturate(sample.length, 10, async (i) => emu.driver.deliverEvent(eventOf(emu, BOT.rate, sample[i]!)));
    // Incident: each new message is delivered as 3 envelopes with distinct event_ids, back to back.
    const incident = await saturate(REDELIVER, 10, async (i) => {
      const r = await emu.driver.userSays(requester(USERS.dup + i), BOT.dup, `[dup ${i}] My laptop will not wake from sleep since the update.`, { eventIds: 3 });
      return { status: r.status, ts: r.ts };
    });
    await waitForCount(() => tickets(BOT.dup), REDELIVER, { intervalMs: 20, stallMs: 5000, sendsDone: () => true });
    await settle();

    const integrity = await checkIntegrity(store, emu, [
      { channel: BOT.rate, sent: botRate.sentTs },
      { channel: BOT.sat, sent: botSat.load.sentTs },
      { channel: BOT.dup, sent: incident.sentTs },
    ]);
    const dupTickets = await tickets(BOT.dup);
    const logs = await bot.logs();
    await bot.stop();
    app = undefined;

    const botFigures: BotFigures = {
      fixedRate: {
        ...ackFigures(botRate),
        processes: botRateProc,
        persisted: botRateRows.count,
        maxScheduleLagMs: round(botRate.maxScheduleLagMs),
        persistDrainMs: round(botRateRows.reachedAt - botRate.lastAckAt, 1),
        cardsDrainMs: round(botRateCards.reachedAt - botRate.lastAckAt, 1),
      },
      saturation: {
        ...ackFigures(botSat.load),
        processes: botSatProc,
        persisted: botSat.progress.count,
        persistedPerSec: round(N / satSeconds, 1),
        acksPerSec: round(N / ((botSat.load.lastAckAt - botSat.load.firstSendAt) / 1000), 1),
        cardsPerSec: round(N / satCardsSeconds, 1),
        seconds: round(satSeconds, 3),
        cardsSeconds: round(satCardsSeconds, 3),
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

    report(bare, botFigures, (performance.now() - started) / 1000);
  } finally {
    await cleanup();
  }
}

/** Saturation: sends and counts at the same time; the rate is the time from the first send to the N-th count. */
async function measureSaturation(send: Send, count: () => Promise<number>, cardCount?: () => Promise<number>) {
  let sending = true;
  const load = saturate(N, CONCURRENCY, send).finally(() => (sending = false));
  const progress = waitForCount(count, N, { intervalMs: 5, stallMs: 10_000, sendsDone: () => !sending });
  const cards = cardCount ? waitForCount(cardCount, N, { intervalMs: 20, stallMs: 10_000, sendsDone: () => !sending }) : Promise.resolve(undefined);
  const [l, p, c] = await Promise.all([load, progress, cards]);
  return { load: l, progress: p, cards: c };
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
  for (const id of [...Object.values(BARE), ...Object.values(BOT)]) emu.addChannel({ id, name: id.toLowerCase(), members });
  emu.addChannel({ id: TRIAGE, name: 'triage', members: [AGENT, emu.botUserId] });
}

function report(bare: BareFigures, bot: BotFigures, seconds: number): void {
  const ratio = bot.saturation.persistedPerSec / bare.saturation.eventsPerSec;
  const { integrity } = bot;
  const p99Ok = bot.fixedRate.ackP99 < TARGET_P99_MS && bot.fixedRate.failedAcks === 0;
  const ratioOk = ratio >= TARGET_RATIO;
  const lostOk = integrity.lost === 0;
  const dupOk = integrity.duplicated === 0 && integrity.duplicateCards === 0;
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const pad = (s: string, n: number) => s.padEnd(n);
  const lpad = (s: string, n: number) => s.padStart(n);
  const row = (name: string, p50: string, p99: string, perSec: string, lost: string, dup: string) =>
    `${pad(name, 22)}${lpad(p50, 9)}${lpad(p99, 10)}${lpad(perSec, 14)}${lpad(lost, 7)}${lpad(dup, 12)}`;

  const out: string[] = [];
  out.push('');
  out.push(`threaddesk ingest benchmark (SQLite, N=${N}, ${RATE} events/s, saturation ${CONCURRENCY} in flight, apps ${IN_PROCESS ? 'in-process' : 'in a child process'}, driver ${NODE_HTTP ? 'node:http' : 'fetch'}, ${os.cpus().length} CPUs, node ${process.version})`);
  out.push(row('', 'ack p50', 'ack p99', 'persisted/s', 'lost', 'duplicated'));
  out.push(row('bare Bolt (ceiling)', ms(bare.fixedRate.ackP50), ms(bare.fixedRate.ackP99), rate(bare.saturation.eventsPerSec), '-', '-'));
  out.push(row('threaddesk', ms(bot.fixedRate.ackP50), ms(bot.fixedRate.ackP99), rate(bot.saturation.persistedPerSec), String(integrity.lost), String(integrity.duplicated)));
  out.push(
    `sustained ingest vs bare Bolt: ${(ratio * 100).toFixed(0)}% (target >= ${TARGET_RATIO * 100}%) ${mark(ratioOk)}   ` +
      `p99 at ${RATE}/s: ${ms(bot.fixedRate.ackP99)} (target < ${TARGET_P99_MS} ms) ${mark(p99Ok)}   ` +
      `lost ${integrity.lost} ${mark(lostOk)}, duplicated ${integrity.duplicated} ${mark(dupOk)}`,
  );
  out.push('');
  out.push('details');
  out.push(`  fixed rate: ack max bare ${ms(bare.fixedRate.ackMax)}, threaddesk ${ms(bot.fixedRate.ackMax)}; failed acks bare ${bare.fixedRate.failedAcks}, threaddesk ${bot.fixedRate.failedAcks}; ` +
    `load generator lag max ${ms(Math.max(bare.fixedRate.maxScheduleLagMs, bot.fixedRate.maxScheduleLagMs))}`);
  out.push(`  fixed rate: all ${N} tickets persisted ${ms(bot.fixedRate.persistDrainMs)} after the last ack, all cards posted ${ms(bot.fixedRate.cardsDrainMs)} after it`);
  out.push(`  saturation: bare Bolt ${rate(bare.saturation.eventsPerSec)} counted (acks ${rate(bare.saturation.acksPerSec)}, ack p50 ${ms(bare.saturation.ackP50)} p99 ${ms(bare.saturation.ackP99)})`);
  out.push(`  saturation: threaddesk ${rate(bot.saturation.persistedPerSec)} tickets persisted in ${bot.saturation.seconds.toFixed(2)} s (acks ${rate(bot.saturation.acksPerSec)}, ack p50 ${ms(bot.saturation.ackP50)} p99 ${ms(bot.saturation.ackP99)}); ` +
    `cards posted ${rate(bot.saturation.cardsPerSec)} (all ${N} after ${bot.saturation.cardsSeconds.toFixed(2)} s)`);
  out.push(`  redelivery: ${bot.redelivery.late} persisted messages re-sent under new event_ids; ${bot.redelivery.incidentMessages} new messages sent as 3 envelopes each → ${bot.redelivery.ticketsFromIncident} tickets`);
  out.push(`  integrity: ${integrity.sent} messages sent, ${integrity.tickets} tickets, lost ${integrity.lost} (joined to another ticket ${integrity.joinedInstead}), duplicated tickets ${integrity.duplicated}, ` +
    `duplicate message rows ${integrity.duplicateMessageRows}, cards ${integrity.cards} (duplicate ${integrity.duplicateCards}, missing ${integrity.missingCards}), ticket-number gaps ${integrity.ticketNumberGaps}`);
  const proc = (label: string, p?: Processes) => {
    if (!p) return;
    const one = (s: ProcessStats) => `loop delay p99 ${ms(s.loopP99Ms)} max ${ms(s.loopMaxMs)}, CPU ${s.cpuCores.toFixed(2)} cores, GC max ${ms(s.gcMaxMs)}`;
    out.push(`    ${pad(label, 22)} app: ${one(p.app)}${IN_PROCESS ? ' (same process)' : ` | emulator+driver: ${one(p.emulator)}`}`);
  };
  out.push('  processes during each phase:');
  proc('bare Bolt fixed rate', bare.fixedRate.processes);
  proc('bare Bolt saturation', bare.saturation.processes);
  proc('threaddesk fixed rate', bot.fixedRate.processes);
  proc('threaddesk saturation', bot.saturation.processes);
  const logCounts = Object.entries(bot.logs.counts).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`  bot log lines at warn+: ${logCounts || 'none'}${bot.logs.samples.length ? `; first: ${bot.logs.samples.join(' | ')}` : ''}`);
  const failures = [...bare.fixedRate.failures, ...bare.saturation.failures, ...bot.fixedRate.failures, ...bot.saturation.failures];
  if (failures.length) out.push(`  failed sends: ${failures.join('; ')}`);
  out.push(`  total run time ${seconds.toFixed(1)} s`);
  console.log(out.join('\n'));

  const result = {
    benchmark: 'ingest',
    db: 'sqlite',
    n: N,
    rate: RATE,
    concurrency: CONCURRENCY,
    warmup: WARMUP,
    mode: IN_PROCESS ? 'in-process' : 'child-process',
    driverTransport: NODE_HTTP ? 'node-http' : 'fetch',
    cpus: os.cpus().length,
    node: process.version,
    bare,
    threaddesk: bot,
    ratio: round(ratio, 3),
    targets: { p99AckUnder100ms: p99Ok, ingestAtLeastHalfBare: ratioOk, zeroLost: lostOk, zeroDuplicated: dupOk },
    seconds: round(seconds, 1),
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
