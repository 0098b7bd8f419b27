/**
 * `npm run bench:api` — the intake API at saturation: signed POST /api/v1/messages requests, C at a time (closed
 * loop), into the bot (`src/main.ts` on a fresh SQLite file, its own process); the Slack emulator it posts cards
 * to and the load generator share this process.
 *
 * The messages (N, plus W for the warm-up): conversations of one to four messages from the same customer (so a
 * third or so join an open ticket instead of opening one), texts of 80 to 1,200 characters from a seeded PRNG;
 * every tenth request is sent a second time at once, as a caller retrying after a timeout would (it must be the
 * same message). Each request is signed as the SPEC says, with the timestamp of its sending.
 *
 * Prints requests answered per second (first send → last answer), p50/p99/max of the answer (202) as the client
 * sees it, the bot's CPU per request and peak RSS, and integrity from the database after everything settled:
 * every message_id stored exactly once (0 lost, 0 doubled), one ticket per conversation, every ticket's card
 * posted. Exits 0 once measured; 1 if it could not run; 2 on a bad flag. Last line: `RESULT {json}`.
 *
 * Options (npm run bench:api -- …): --n N (default 5000), --concurrency C (default 32), --warmup W (default 200),
 * --seed S (default 7).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { signature } from '../src/ingest/api/signature.js';
import { integerFlag } from './lib/args.js';
import { startBenchWorld } from './lib/bench-world.js';
import { saturate } from './lib/load.js';
import { settleBot, startBotProcess, type MeasuredProcess } from './lib/processes.js';
import { prng } from './lib/seed-store.js';
import { ms, percentile, rate, round } from './lib/stats.js';

const USAGE = 'usage: npm run bench:api -- [--n N] [--concurrency C] [--warmup W] [--seed S]';
const API_SECRET = 'bench-api-secret-4f0c2a9e71d3';
const SOURCE = 'bench-form';
const TRIAGE = 'CTRIAGE1';
const AGENT = 'UAGENT01';
const log = (line: string): void => console.error(`[bench] ${line}`);

const WORDS = ('order parcel delivery refund invoice size exchange colour return label payment charged twice coupon ' +
  'warranty broken missing arrived late tracking address account password checkout basket shipping Norway').split(' ');

interface Request {
  body: string;
  messageId: string;
  conversationId: string;
}

/** The requests of one phase: conversations of 1-4 messages; every tenth request repeated at once (a retry). */
function buildRequests(seed: number, tag: string, count: number): Request[] {
  const rng = prng(seed);
  const out: Request[] = [];
  let conversation = 0;
  while (out.length < count) {
    conversation += 1;
    const conversationId = `${tag}-conv-${conversation}`;
    const customer = { id: `${tag}-cust-${conversation}`, email: `customer.${tag}.${conversation}@example.com`, name: `Customer ${conversation}` };
    for (let m = 1 + Math.floor(rng() * 4); m > 0 && out.length < count; m--) {
      const words: string[] = [];
      for (let chars = 0, target = 80 + rng() * 1120; chars < target; chars += 8) words.push(WORDS[Math.floor(rng() * WORDS.length)]!);
      const messageId = `${tag}-msg-${out.length}`;
      const body = JSON.stringify({ source: SOURCE, conversation_id: conversationId, message_id: messageId, customer, subject: `Question about order ${1000 + conversation}`, text: words.join(' ') });
      out.push({ body, messageId, conversationId });
    }
  }
  return out;
}

async function send(url: string, request: Request): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Threaddesk-Request-Timestamp': String(timestamp), 'X-Threaddesk-Signature': signature(API_SECRET, timestamp, request.body) },
    body: request.body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Every request, and every tenth one a second time right after its answer (the retry a timeout would cause). */
function sender(url: string, requests: Request[]) {
  return async (i: number) => {
    const first = await send(url, requests[i]!);
    if (i % 10 === 0 && first === 202) return { status: await send(url, requests[i]!) };
    return { status: first };
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '32' }, warmup: { type: 'string', default: '200' }, seed: { type: 'string', default: '7' } } });
  const flag = integerFlag(USAGE);
  const N = flag('n', values.n);
  const C = flag('concurrency', values.concurrency);
  const W = flag('warmup', values.warmup, true);
  const SEED = flag('seed', values.seed, true);

  const { emu, db, botEnv, destroy } = await startBenchWorld('api', { agent: AGENT, triage: TRIAGE });
  let bot: MeasuredProcess | undefined;
  const loadBefore = os.loadavg();
  try {
    // The source as `/helpdesk connect api bench-form #triage URL` would connect it.
    await db('channel_settings').insert({ channel_id: `api:${SOURCE}`, team_id: emu.teamId, triage_channel_id: TRIAGE, kind: 'api', reply_url: 'http://127.0.0.1:9/replies', created_at: Date.now() });
    bot = await startBotProcess({ ...botEnv, THREADDESK_API_SECRET: API_SECRET });
    emu.setBotEndpoint(`${bot.url}/slack/events`);
    log(`N=${N}, concurrency ${C}, warm-up ${W}, seed ${SEED}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

    if (W > 0) {
      await saturate(W, C, sender(bot.url, buildRequests(SEED + 1, 'w', W)));
      await settleBot(emu, bot.url, 60_000);
    }
    const requests = buildRequests(SEED, 'r', N);
    await bot.probe.reset();
    const result = await saturate(N, C, sender(bot.url, requests));
    const sample = await bot.probe.read();
    await settleBot(emu, bot.url, 120_000);

    // Integrity: every message once, one ticket per conversation, a card for every ticket.
    const rows = (await db('messages').where('channel_id', `api:${SOURCE}`).where('ts', 'like', 'r-msg-%').select('ts')) as { ts: string }[];
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.ts, (counts.get(r.ts) ?? 0) + 1);
    const lost = requests.filter((r) => !counts.has(r.messageId)).length;
    const doubled = [...counts.values()].filter((n) => n > 1).length;
    const conversations = new Set(requests.map((r) => r.conversationId));
    const tickets = (await db('tickets').where('origin_channel_id', `api:${SOURCE}`).where('origin_ts', 'like', 'r-conv-%').select('origin_ts', 'card_ts')) as { origin_ts: string; card_ts: string | null }[];
    const ticketsPerConversation = tickets.length === conversations.size && new Set(tickets.map((t) => t.origin_ts)).size === conversations.size;
    const withoutCard = tickets.filter((t) => !t.card_ts).length;
    const logs = bot.logs();
    await bot.stop();
    bot = undefined;

    const seconds = (result.lastAckAt - result.firstSendAt) / 1000;
    const requestsSent = N + Math.ceil(N / 10);
    const figures = {
      requestsPerSec: round(requestsSent / seconds, 1),
      messagesPerSec: round(N / seconds, 1),
      p50: round(percentile(result.latencies, 50), 1),
      p99: round(percentile(result.latencies, 99), 1),
      max: round(Math.max(...result.latencies), 1),
      failed: result.failed,
      cpuMsPerRequest: round(sample.cpuMs / requestsSent, 3),
      peakRssMb: sample.rssMb,
    };
    console.log('');
    console.log(`threaddesk intake API benchmark — ${new Date().toISOString()}, SQLite, ${os.cpus().length} CPUs, node ${process.version}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before`);
    console.log(`N=${N} messages in ${conversations.size} conversations (+${Math.ceil(N / 10)} repeats of a message_id), ${C} requests in flight, signed; the bot in its own process, the emulator and the client in this one`);
    console.log(`requests answered: ${rate(figures.requestsPerSec)} (${rate(figures.messagesPerSec)} distinct messages) in ${seconds.toFixed(2)} s; answer p50 ${ms(figures.p50)} p99 ${ms(figures.p99)} max ${ms(figures.max)} (latency per request, the repeats' included)`);
    console.log(`failed requests (not 202): ${result.failed}${result.failures.length ? ` (${result.failures.join('; ')})` : ''}`);
    console.log(`bot: CPU ${figures.cpuMsPerRequest.toFixed(2)} ms per request (${sample.cpuCores.toFixed(2)} cores), RSS ${sample.rssMb} MB, loop p99 ${ms(sample.loopP99Ms)}`);
    console.log(`integrity: lost ${lost} ${lost === 0 ? 'ok' : 'MISSED'}, doubled ${doubled} ${doubled === 0 ? 'ok' : 'MISSED'}; ${tickets.length} tickets for ${conversations.size} conversations ${ticketsPerConversation ? 'ok' : 'MISSED'}; tickets without a card ${withoutCard}`);
    console.log(`bot log lines at warn+: ${Object.entries(logs.counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    console.log(`RESULT ${JSON.stringify({ benchmark: 'api', n: N, concurrency: C, conversations: conversations.size, ...figures, lost, doubled, tickets: tickets.length, withoutCard, logCounts: logs.counts })}`);
  } finally {
    await bot?.stop().catch(() => undefined);
    await destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:api could not run: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
