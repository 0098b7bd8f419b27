import { Writable } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import type { Logger } from 'pino';
import { createBot, type Bot } from '../../src/bot/create-bot.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/domain/clock.js';
import { SlackEmulator, type SlackDriver } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import { createTicketStore, type TicketStore } from '../../src/store/ticket-store.js';
import { connectDb, inboxDatabaseUrl, type Db } from '../../src/store/db.js';
import { createTestDb, type DbKind, type TestDb } from './databases.js';

export const SIGNING_SECRET = 'test-signing-secret-8f2a1c';

/** The workspace every end-to-end test starts from. */
export const W = {
  alice: 'UALICE01', // agent
  bob: 'UBOB0002', // agent
  carol: 'UCAROL03', // requester
  dave: 'UDAVE004', // requester
  erin: 'UERIN005', // Slack Connect user from another organisation
  ada: 'UADA0006', // workspace admin, not an agent
  help: 'CHELP001', // intake channel
  triage: 'CTRIAGE1', // triage channel
  general: 'CGENERA1', // a channel the bot is in, not an intake channel
  partnerTeam: 'TPARTNER',
} as const;

export interface Harness {
  emu: SlackEmulator;
  /** The bot's own HTTP server (its /slack/events, /healthz and /metrics). */
  botUrl: string;
  driver: SlackDriver;
  bot: Bot;
  tickets: TicketStore;
  testDb: TestDb;
  /** Where the bot keeps Slack events as they arrived (slack_inbox): a file of its own on SQLite, the database on PostgreSQL. */
  inboxDb: Db;
  logLines: string[];
  logger: Logger;
  /** The bot's clock: real time plus an offset that tests move forward (SLA clocks, digest times). */
  clock: { now(): number; advance(ms: number): void };
  /** Waits until the emulator has delivered everything and the bot has finished processing it. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  db?: DbKind;
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emu = new SlackEmulator({ signingSecret: SIGNING_SECRET, retryDelaysMs: [20, 50, 100] });
  await emu.start(0);
  seedWorkspace(emu);
  const testDb = await createTestDb(options.db ?? ((process.env.THREADDESK_TEST_DB as DbKind | undefined) || 'sqlite'));
  const result = loadConfig({
    SLACK_BOT_TOKEN: emu.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: emu.apiUrl,
    DATABASE_URL: testDb.url,
    LOG_LEVEL: 'info',
    THREADDESK_TRIAGE_CHANNEL: W.triage,
    THREADDESK_INTAKE_CHANNELS: W.help,
    // The emulator enforces no rate limits unless a test asks: deliveries need not keep to Slack's real pace.
    THREADDESK_SLACK_RATE_SCALE: '1000',
    ...options.env,
  });
  if (!result.ok) throw new Error(result.errors.join('; '));
  const logLines: string[] = [];
  const destination = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
  const logger = createLogger({ level: 'info', secrets: [emu.botToken, SIGNING_SECRET], destination });
  let offset = 0;
  const clock = { now: () => systemClock.now() + offset, advance: (ms: number) => void (offset += ms) };
  const bot = await createBot({ config: result.config, db: testDb.db, logger, clock, retryConfig: { retries: 0 } });
  const inboxUrl = inboxDatabaseUrl(testDb.url);
  const inboxDb = inboxUrl ? connectDb(inboxUrl) : testDb.db;
  // A test that must know the bot's address before it starts (THREADDESK_PUBLIC_URL) names its port.
  const port = await bot.start(options.env?.PORT ? Number(options.env.PORT) : 0);
  emu.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);

  const fingerprint = () => `${emu.calls().length}`;
  async function settle(): Promise<void> {
    let stableRounds = 0;
    let last = '';
    while (stableRounds < 3) {
      await emu.idle();
      await bot.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const now = fingerprint();
      stableRounds = now === last ? stableRounds + 1 : 0;
      last = now;
    }
  }

  return {
    emu,
    driver: emu.driver,
    bot,
    tickets: createTicketStore(testDb.db),
    testDb,
    inboxDb,
    botUrl: `http://127.0.0.1:${port}`,
    logLines,
    logger,
    clock,
    settle,
    async stop() {
      await bot.stop();
      await emu.stop();
      if (inboxUrl) await inboxDb.destroy();
      await testDb.drop();
    },
  };
}

/** A top-level message in the intake channel, once the bot has processed it, and the ticket it opened. */
export async function postInIntake(h: Harness, user: string, text: string): Promise<{ originTs: string; ticket: Ticket }> {
  const { ts } = await h.driver.userSays(user, W.help, text);
  await h.settle();
  const ticket = await h.tickets.byOrigin(W.help, ts);
  if (!ticket) throw new Error(`no ticket from ${user} for "${text}": ${h.logLines.slice(-3).join('')}`);
  return { originTs: ts, ticket };
}

/** Gives every test of the enclosing describe a fresh harness: `let h: Harness; useHarness((x) => (h = x));`. */
export function useHarness(receive: (harness: Harness) => void, options: HarnessOptions = {}): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(options);
    receive(current);
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
}

function seedWorkspace(emu: SlackEmulator): void {
  emu.addUser({ id: W.alice, name: 'alice', realName: 'Alice Agent' });
  emu.addUser({ id: W.bob, name: 'bob', realName: 'Bob Agent' });
  emu.addUser({ id: W.carol, name: 'carol', realName: 'Carol Customer', email: 'carol@example.com' });
  emu.addUser({ id: W.dave, name: 'dave', realName: 'Dave Customer' });
  emu.addUser({ id: W.erin, name: 'erin', realName: 'Erin Partner', teamId: W.partnerTeam });
  emu.addUser({ id: W.ada, name: 'ada', realName: 'Ada Admin', isAdmin: true });
  const everyone = [W.alice, W.bob, W.carol, W.dave, W.erin, W.ada, emu.botUserId];
  emu.addChannel({ id: W.help, name: 'help', members: everyone, isExtShared: true });
  emu.addChannel({ id: W.triage, name: 'triage', members: [W.alice, W.bob, emu.botUserId] });
  emu.addChannel({ id: W.general, name: 'general', members: everyone });
}

/** The plain text of every mrkdwn/plain_text field in some blocks, for assertions on what a card shows. */
export function blockText(blocks: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if ((obj.type === 'mrkdwn' || obj.type === 'plain_text') && typeof obj.text === 'string') out.push(obj.text);
      Object.values(obj).forEach(walk);
    }
  };
  walk(blocks);
  return out.join('\n');
}
