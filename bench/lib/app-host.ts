/**
 * Starts the app under test — the real threaddesk bot or a bare Bolt app whose listener only counts — on an
 * ephemeral HTTP port. Used directly (--in-process) or inside a child process (bench/lib/app-child.ts), so
 * that the app's event loop does not share a thread with the emulator and the load generator.
 */
import { processMonitor, type ProbeSample } from './probe.js';
import { Writable } from 'node:stream';
import { createBot } from '../../src/bot/create-bot.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/logger.js';
import { connectDb } from '../../src/store/db.js';
import { startBareBolt } from '../../test/support/bare-bolt.js';

export type AppKind = 'bot' | 'bare';

export interface AppSpec {
  kind: AppKind;
  apiUrl: string;
  botToken: string;
  signingSecret: string;
  /** bot only */
  databaseUrl?: string;
  triageChannel?: string;
  intakeChannels?: string[];
}

export interface LogSummary {
  /** Log lines at warn or above, by level name. */
  counts: Record<string, number>;
  /** The first few of them (msg + err message), for the report. */
  samples: string[];
}

/** Where a process spent a phase: event-loop delay, CPU (1.0 = one core busy), GC pauses (see probe.ts). */
export type ProcessStats = Pick<ProbeSample, 'loopP99Ms' | 'loopMaxMs' | 'cpuCores' | 'gcMaxMs' | 'gcTotalMs' | 'rssMb'>;

export { processMonitor };

/** The app seen from the benchmark; every method is async so a child-process proxy can implement it too. */
export interface AppHandle {
  readonly port: number;
  /** Bare Bolt: message events that reached the listener. The bot: requests that went through its middleware. */
  received(): Promise<number>;
  /** Resolves once the app has no request in flight (bot: Bot.whenIdle; bare: immediately). */
  idle(): Promise<void>;
  logs(): Promise<LogSummary>;
  /** Event-loop delay and CPU of the process the app runs in, since the last resetStats(). */
  resetStats(): Promise<void>;
  stats(): Promise<ProcessStats>;
  stop(): Promise<void>;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export async function startApp(spec: AppSpec): Promise<AppHandle> {
  const monitor = processMonitor();
  const measure = { resetStats: async () => monitor.reset(), stats: async () => monitor.read() };
  if (spec.kind === 'bare') {
    const bare = await startBareBolt({ signingSecret: spec.signingSecret, apiUrl: spec.apiUrl, token: spec.botToken });
    return {
      port: bare.port,
      received: async () => bare.received,
      idle: async () => undefined,
      logs: async () => ({ counts: {}, samples: [] }),
      ...measure,
      stop: () => bare.stop(),
    };
  }

  if (!spec.databaseUrl || !spec.triageChannel) throw new Error('startApp(bot): databaseUrl and triageChannel are required');
  const result = loadConfig({
    SLACK_BOT_TOKEN: spec.botToken,
    SLACK_SIGNING_SECRET: spec.signingSecret,
    SLACK_API_URL: spec.apiUrl,
    DATABASE_URL: spec.databaseUrl,
    LOG_LEVEL: 'warn',
    THREADDESK_TRIAGE_CHANNEL: spec.triageChannel,
    THREADDESK_INTAKE_CHANNELS: (spec.intakeChannels ?? []).join(','),
    // This emulator enforces no rate limits (bench:resilience measures pacing): deliveries go as fast as they can.
    THREADDESK_SLACK_RATE_SCALE: '1000',
  });
  if (!result.ok) throw new Error(result.errors.join('; '));

  const logs: LogSummary = { counts: {}, samples: [] };
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string }; error?: string };
          const level = LEVEL_NAMES[entry.level] ?? String(entry.level);
          logs.counts[level] = (logs.counts[level] ?? 0) + 1;
          if (logs.samples.length < 5) logs.samples.push(`${level}: ${entry.msg ?? ''}${entry.err?.message ? ` — ${entry.err.message}` : ''}${entry.error ? ` (${entry.error})` : ''}`);
        } catch {
          logs.counts.unparsed = (logs.counts.unparsed ?? 0) + 1;
        }
      }
      done();
    },
  });
  const logger = createLogger({ level: 'warn', secrets: [spec.botToken, spec.signingSecret], destination });
  const db = connectDb(result.config.databaseUrl);
  // No Web API retries: the emulator answers at once, and a retry would hide a failure from the figures.
  const bot = await createBot({ config: result.config, db, logger, clock: systemClock, retryConfig: { retries: 0 } });
  let requests = 0;
  bot.app.use(async ({ next }) => {
    requests += 1;
    await next();
  });
  const port = await bot.start(0);
  if (port === null) throw new Error('bot did not start in HTTP mode');
  return {
    port,
    received: async () => requests,
    idle: () => bot.whenIdle(),
    logs: async () => logs,
    ...measure,
    async stop() {
      await bot.stop();
      await db.destroy();
    },
  };
}
