// Starts everything the demo needs on this machine alone: the Slack emulator, a throwaway SQLite file,
// the real bot listening over HTTP and SMTP, and a mail relay for what it sends. No Slack workspace, no mail
// provider, no configuration, nothing left behind.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import { createBot, type Bot } from '../bot/create-bot.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../domain/clock.js';
import { SlackEmulator } from '../emulator/index.js';
import { createLogger } from '../logger.js';
import { connectDb, type Db } from '../store/db.js';
import { migrateLatest } from '../store/migrate.js';
import { createTicketStore, type TicketStore } from '../store/ticket-store.js';
import { startDemoMailRelay, type DemoMailRelay } from './demo-mail-relay.js';
import { DEMO, seedDemoWorkspace } from './demo-workspace.js';

/** A mail as the demo sends it to the bot's SMTP listener (nodemailer's message options). */
export type InboundMail = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

/** The secret the demo's shop signs its Shopify webhooks with (SHOPIFY_WEBHOOK_SECRET). */
export const DEMO_SHOPIFY_SECRET = 'demo-shopify-secret-5d2a';

export interface DemoStack {
  emu: SlackEmulator;
  bot: Bot;
  db: Db;
  /** The bot's own HTTP endpoint (the chat widget's socket is there too). */
  botUrl: string;
  tickets: TicketStore;
  /** The outbound relay the bot mails customers through (THREADDESK_SMTP_URL). */
  relay: DemoMailRelay;
  /** Sends a mail to the bot's SMTP listener (to the demo mailbox unless `to` says otherwise) and settles. */
  mailIn(mail: InboundMail): Promise<void>;
  /** The bot's log lines at warn level and above (JSON), kept out of the demo's output. */
  logLines: string[];
  /** Waits until the emulator has delivered everything and the bot has finished processing it. */
  settle(): Promise<void>;
  /** Stops the bot, the relay and the emulator, closes the database and deletes its folder. Safe to call twice. */
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

    const relay = await startDemoMailRelay();
    cleanups.push(() => relay.stop());

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
      // Email: an SMTP listener on a free loopback port, the relay for outgoing mail, one mailbox into #support-triage.
      THREADDESK_SMTP_LISTEN: '127.0.0.1:0',
      THREADDESK_SMTP_URL: relay.url,
      THREADDESK_EMAIL_INBOXES: `${DEMO.mailbox}=${DEMO.triage}`,
      // The chat widget, for pages of the shop's website; Sam may change settings (he connects the chat).
      THREADDESK_CHAT_ORIGINS: DEMO.shopOrigin,
      SHOPIFY_WEBHOOK_SECRET: DEMO_SHOPIFY_SECRET,
      THREADDESK_ADMINS: DEMO.sam,
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
    const smtpPort = bot.email.smtpPort;
    if (smtpPort === null) throw new Error('the bot did not start an SMTP listener');

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

    async function mailIn(mail: InboundMail): Promise<void> {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort!, secure: false, ignoreTLS: true });
      try {
        await transport.sendMail({ to: DEMO.mailbox, ...mail });
      } finally {
        transport.close();
      }
      await settle();
    }

    return { emu, bot, db, botUrl: `http://127.0.0.1:${port}`, tickets: createTicketStore(db), relay, mailIn, logLines, settle, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
