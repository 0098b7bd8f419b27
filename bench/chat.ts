/**
 * `npm run bench:chat` — the chat widget's server side with C widgets connected at once (default 1,000).
 *
 * The bot runs as deployed (`src/main.ts`, a fresh SQLite file, its own process, THREADDESK_CHAT_ORIGINS set, the
 * chat connected). This process holds the Slack emulator and C WebSocket connections speaking the widget's protocol
 * (hello, send, lines), opened before timing starts and held to the end. During the measured window (--seconds,
 * default 60) each visitor sends M messages (default 2) at random moments (a realistic pace: about C·M/seconds
 * messages a second in all); agents answer R tickets (default 300) with `!reply` in their triage threads, spread
 * over the window, as Slack events sent to the bot.
 *
 * Figures:
 *   - message → stored: from the send on the socket to the widget's "stored" (the message is committed to the
 *     chat inbox: a crash now loses nothing) (p50/p99/max);
 *   - message → in its ticket: to the moment the widget gets its own line back, which the server sends once the
 *     message is its ticket's (committed with its card's delivery) (p50/p99/max);
 *   - reply → shown: from the reply's recorded time (messages.sent_at, stamped when the outbox sends it) to the
 *     moment the visitor's widget receives it (same machine clock);
 *   - connections held at the end (of C), peak RSS of the bot (VmHWM, over its life), its CPU over the window.
 * Targets: stored p99 under 100 ms, reply shown p99 under 1 s, peak RSS under 300 MB with 1,000 connections.
 * Last line `RESULT {json}`. Exits 0 once measured (missed targets are marked MISSED), 1 if it could not run.
 *
 * The bot runs compiled, as `npm start` runs it (`--runtime tsx`: from its sources under tsx, as the other benches do).
 *
 * Options: --connections C, --messages M, --seconds S, --replies R, --runtime compiled|tsx.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { integerFlag } from './lib/args.js';
import { startBenchWorld } from './lib/bench-world.js';
import { settleBot, startBotProcess, type BotRuntime, type MeasuredProcess } from './lib/processes.js';
import { prng } from './lib/seed-store.js';
import { ms, percentile, round, sleep } from './lib/stats.js';

const USAGE = 'usage: npm run bench:chat -- [--connections C] [--messages M] [--seconds S] [--replies R] [--runtime compiled|tsx]';
const ORIGIN = 'https://shop.example';
const TRIAGE = 'CTRIAGE1';
const AGENT = 'UAGENT01';
const log = (line: string): void => console.error(`[bench] ${line}`);
const epoch = (): number => performance.timeOrigin + performance.now();

interface Line {
  id: number;
  from: 'visitor' | 'agent';
  text: string;
  clientId: string | null;
}

interface Visitor {
  socket: WebSocket;
  /** Sent messages by client id: when sent, when "stored" came, when their line came back. */
  sends: Map<string, { at: number; storedAt?: number; lineAt?: number }>;
  /** Agent lines received: message id → when. */
  replies: Map<number, number>;
  open: boolean;
}

/** Visitor `n`'s own address, as the shop's reverse proxy forwards it (each visitor a shopper of their own). */
const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

async function connect(url: string, n: number): Promise<Visitor> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/chat/socket`, { origin: ORIGIN, headers: { 'X-Forwarded-For': addressOf(n) } });
  const visitor: Visitor = { socket, sends: new Map(), replies: new Map(), open: false };
  let welcomed: () => void = () => undefined;
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  socket.on('message', (data) => {
    const now = epoch();
    const message = JSON.parse(String(data)) as { type: string; lines?: Line[]; id?: string };
    if (message.type === 'welcome') welcomed();
    if (message.type === 'stored') {
      const sent = visitor.sends.get(message.id ?? '');
      if (sent && sent.storedAt === undefined) sent.storedAt = now;
    }
    for (const line of message.lines ?? []) {
      if (line.from === 'visitor' && line.clientId) {
        const sent = visitor.sends.get(line.clientId);
        if (sent && sent.lineAt === undefined) sent.lineAt = now;
      } else if (line.from === 'agent' && !visitor.replies.has(line.id)) visitor.replies.set(line.id, now);
    }
  });
  socket.on('close', () => (visitor.open = false));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  visitor.open = true;
  socket.send(JSON.stringify({ type: 'hello', token: null, since: 0 }));
  await welcome;
  return visitor;
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { connections: { type: 'string', default: '1000' }, messages: { type: 'string', default: '2' }, seconds: { type: 'string', default: '60' }, replies: { type: 'string', default: '300' }, runtime: { type: 'string', default: 'compiled' } } });
  if (values.runtime !== 'compiled' && values.runtime !== 'tsx') throw new Error(`--runtime: compiled or tsx (${USAGE})`);
  const runtime: BotRuntime = values.runtime;
  const flag = integerFlag(USAGE);
  const C = flag('connections', values.connections);
  const M = flag('messages', values.messages);
  const S = flag('seconds', values.seconds);
  const R = flag('replies', values.replies, true);
  const rng = prng(17);

  const { emu, db, botEnv, destroy } = await startBenchWorld('chat', { agent: AGENT, triage: TRIAGE });
  let bot: MeasuredProcess | undefined;
  const visitors: Visitor[] = [];
  const loadBefore = os.loadavg();
  try {
    // The chat as `/helpdesk connect chat #triage` connects it.
    await db('channel_settings').insert({ channel_id: 'chat:web', team_id: emu.teamId, triage_channel_id: TRIAGE, kind: 'chat', created_at: Date.now() });
    bot = await startBotProcess({ ...botEnv, THREADDESK_CHAT_ORIGINS: ORIGIN, THREADDESK_TRUST_PROXY: 'loopback' }, runtime);
    emu.setBotEndpoint(`${bot.url}/slack/events`);
    log(`${C} connections, ${M} messages each over ${S} s, ${R} agent replies; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

    for (let i = 0; i < C; i += 50) visitors.push(...(await Promise.all(Array.from({ length: Math.min(50, C - i) }, (_, j) => connect(bot!.url, i + j)))));
    log(`${visitors.filter((v) => v.open).length} widgets connected`);

    // The measured window: every visitor's messages at random moments; agents answering spread over it.
    await bot.probe.reset();
    const start = epoch();
    const plan: { at: number; visitor: number; text: string }[] = [];
    visitors.forEach((_, v) => {
      for (let m = 0; m < M; m++) plan.push({ at: start + rng() * S * 1000 * (m === 0 ? 0.5 : 1), visitor: v, text: `Question ${m + 1} from visitor ${v}: is item ${Math.floor(rng() * 9000) + 1000} in stock in size ${['S', 'M', 'L'][m % 3]}?` });
    });
    plan.sort((a, b) => a.at - b.at);
    const sending = (async () => {
      for (const [i, p] of plan.entries()) {
        const wait = p.at - epoch();
        if (wait > 1) await sleep(wait);
        const visitor = visitors[p.visitor]!;
        const id = `b${i.toString(36)}`;
        visitor.sends.set(id, { at: epoch() });
        visitor.socket.send(JSON.stringify({ type: 'send', id, text: p.text, page: `${ORIGIN}/products/${p.visitor}` }));
      }
    })();
    const answering = (async () => {
      const answered = new Set<string>();
      for (let r = 0; r < R; r++) {
        const due = start + S * 1000 * (0.55 + (0.4 * r) / Math.max(1, R));
        const wait = due - epoch();
        if (wait > 1) await sleep(wait);
        const ticket = (await db!('tickets').where({ origin_kind: 'chat' }).whereNotNull('card_ts').whereNotIn('origin_ts', [...answered]).orderByRaw('random()').first('origin_ts', 'card_ts')) as { origin_ts: string; card_ts: string } | undefined;
        if (!ticket) continue;
        answered.add(ticket.origin_ts);
        await emu.driver.userSays(AGENT, TRIAGE, `!reply Yes, it is in stock (${r}).`, { thread_ts: ticket.card_ts });
      }
    })();
    await Promise.all([sending, answering]);
    await settleBot(emu, bot.url, 120_000);
    await sleep(1_500); // the last pushes
    const sample = await bot.probe.read();
    const peak = peakRssMb(bot.pid);
    const held = visitors.filter((v) => v.open).length;

    const stored: number[] = [];
    const inTicket: number[] = [];
    let notStored = 0;
    let notInTicket = 0;
    for (const v of visitors) {
      for (const s of v.sends.values()) {
        if (s.storedAt === undefined) notStored++;
        else stored.push(s.storedAt - s.at);
        if (s.lineAt === undefined) notInTicket++;
        else inTicket.push(s.lineAt - s.at);
      }
    }
    const replyRows = (await db('messages').where({ channel_id: 'chat:web', author_role: 'agent' }).select('id', 'sent_at')) as { id: number; sent_at: number }[];
    const shown: number[] = [];
    let notShown = 0;
    for (const row of replyRows) {
      const at = visitors.map((v) => v.replies.get(Number(row.id))).find((t) => t !== undefined);
      if (at === undefined) notShown++;
      else shown.push(at - Number(row.sent_at));
    }
    const logs = bot.logs();
    await bot.stop();
    bot = undefined;

    const f = {
      connections: C,
      held,
      messages: plan.length,
      storedP50: round(percentile(stored, 50), 1),
      storedP99: round(percentile(stored, 99), 1),
      storedMax: round(Math.max(...stored), 1),
      notStored,
      inTicketP50: round(percentile(inTicket, 50), 1),
      inTicketP99: round(percentile(inTicket, 99), 1),
      inTicketMax: round(Math.max(...inTicket), 1),
      notInTicket,
      replies: replyRows.length,
      shownP50: round(percentile(shown, 50), 1),
      shownP99: round(percentile(shown, 99), 1),
      shownMax: round(Math.max(...shown), 1),
      notShown,
      peakRssMb: peak,
      cpuCores: sample.cpuCores,
      cpuMs: sample.cpuMs,
    };
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    console.log('');
    console.log(`threaddesk chat benchmark — ${new Date().toISOString()}, SQLite, ${os.cpus().length} CPUs, node ${process.version}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before`);
    console.log(`${C} widgets connected at once (the emulator and the widgets in this process, the bot in its own, ${runtime === 'compiled' ? 'compiled as npm start runs it' : 'under tsx'}); ${f.messages} messages over ${S} s (${(f.messages / S).toFixed(1)}/s), ${f.replies} agent replies`);
    console.log(`message → stored (the widget's "stored": in the chat inbox): p50 ${ms(f.storedP50)} p99 ${ms(f.storedP99)} max ${ms(f.storedMax)}; not stored ${notStored} (target p99 < 100 ms) ${mark(f.storedP99 < 100 && notStored === 0)}`);
    console.log(`message → in its ticket (its own line back): p50 ${ms(f.inTicketP50)} p99 ${ms(f.inTicketP99)} max ${ms(f.inTicketMax)}; not in a ticket ${notInTicket}`);
    console.log(`reply → shown in the widget (from its recorded time): p50 ${ms(f.shownP50)} p99 ${ms(f.shownP99)} max ${ms(f.shownMax)}; not shown ${notShown} (target p99 < 1 s) ${mark(f.shownP99 < 1000 && notShown === 0)}`);
    console.log(`connections held to the end: ${held} of ${C} ${mark(held === C)}`);
    console.log(`bot: peak RSS ${peak} MB (target < 300 MB) ${mark(peak < 300)}; CPU ${sample.cpuCores.toFixed(2)} cores over the window (${(sample.cpuMs / f.messages).toFixed(2)} ms a message with the replies)`);
    console.log(`bot log lines at warn+: ${Object.entries(logs.counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    console.log(`RESULT ${JSON.stringify({ benchmark: 'chat', runtime, ...f, logCounts: logs.counts })}`);
  } finally {
    for (const v of visitors) v.socket.terminate();
    await bot?.stop().catch(() => undefined);
    await destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:chat could not run: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
