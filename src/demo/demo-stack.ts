// Starts everything the demo needs on this machine alone: the Slack emulator, a throwaway SQLite file,
// the real bot listening over HTTP. No Slack workspace, no configuration, nothing left behind.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createBot, type Bot } from '../bot/create-bot.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../domain/clock.js';
import { SlackEmulator } from '../emulator/index.js';
import { createLogger } from '../logger.js';
import { connectDb, type Db } from '../store/db.js';
import { migrateLatest } from '../store/migrate.js';
import { createTicketStore, type TicketStore } from '../store/ticket-store.js';
import { DEMO, seedDemoWorkspace } from './demo-workspace.js';

export interface DemoStack {
  emu: SlackEmulator;
  bot: Bot;
  db: Db;
  tickets: TicketStore;
  /** The bot's log lines at warn level and above (JSON), kept out of the demo's output. */
  logLines: string[];
  /** Waits until the emulator has delivered everything and the bot has finished processing it. */
  settle(): Promise<void>;
  /** Stops the bot and the emulator, closes the database and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startDemoStack(): Promise<DemoStack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // keep cleaning up the rest
      }
    }
  };

  try {
    const signingSecret = crypto.randomBytes(16).toString('hex');
    const emu = new SlackEmulator({ signingSecret, retryDelaysMs: [20, 50, 100] });
    await emu.start(0);
    cleanups.push(() => emu.stop());
    seedDemoWorkspace(emu);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-demo-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const databaseUrl = `sqlite:${path.join(dir, 'demo.sqlite')}`;
    const db = connectDb(databaseUrl);
    cleanups.push(() => db.destroy());
    await migrateLatest(db);

    const result = loadConfig({
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: emu.apiUrl,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      THREADDESK_TRIAGE_CHANNEL: DEMO.triage,
      THREADDESK_INTAKE_CHANNELS: DEMO.help,
      // The demo's emulator enforces no rate limits; real Slack would pace the cards to about one a second.
      THREADDESK_SLACK_RATE_SCALE: '1000',
    });
    if (!result.ok) throw new Error(`demo configuration rejected: ${result.errors.join('; ')}`);

    const logLines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk).trimEnd());
        done();
      },
    });
    const logger = createLogger({ level: 'warn', secrets: [emu.botToken, signingSecret], destination });
    const bot = await createBot({ config: result.config, db, logger, clock: systemClock, retryConfig: { retries: 0 } });
    const port = await bot.start(0);
    cleanups.push(() => bot.stop());
    if (port === null) throw new Error('the bot did not start an HTTP listener');
    emu.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);

    // Same approach as the end-to-end harness: idle emulator + idle bot, three times in a row with no new Web API call.
    async function settle(): Promise<void> {
      let stableRounds = 0;
      let last = -1;
      while (stableRounds < 3) {
        await emu.idle();
        await bot.whenIdle();
        await new Promise((resolve) => setTimeout(resolve, 5));
        const now = emu.calls().length;
        stableRounds = now === last ? stableRounds + 1 : 0;
        last = now;
      }
    }

    return { emu, bot, db, tickets: createTicketStore(db), logLines, settle, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
