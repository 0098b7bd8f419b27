/**
 * Starts the app under test — the real threaddesk bot or a bare Bolt app whose listener only counts — on an
 * ephemeral HTTP port. Used directly (--in-process) or inside a child process (bench/lib/app-child.ts), so
 * that the app's event loop does not share a thread with the emulator and the load generator.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
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

/** Where a process spent a phase: event-loop delay (how long a ready callback waited) and CPU time. */
export interface ProcessStats {
  loopP99Ms: number;
  loopMaxMs: number;
  /** CPU time (user + system) over wall time since the last reset, 1.0 = one core busy. */
  cpuCores: number;
  /** Garbage-collection pauses: longest and total, ms. */
  gcMaxMs: number;
  gcTotalMs: number;
}

/** Measures this process from one reset() to the next read(). */
export function processMonitor(): { reset(): void; read(): ProcessStats } {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let cpu = process.cpuUsage();
  let wall = performance.now();
  let gcMax = 0;
  let gcTotal = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMax = Math.max(gcMax, entry.duration);
      gcTotal += entry.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    reset() {
      loop.reset();
      gcMax = 0;
      gcTotal = 0;
      cpu = process.cpuUsage();
      wall = performance.now();
    },
    read() {
      const used = process.cpuUsage(cpu);
      const elapsed = performance.now() - wall;
      return {
        loopP99Ms: Number((loop.percentile(99) / 1e6).toFixed(1)),
        loopMaxMs: Number((loop.max / 1e6).toFixed(1)),
        cpuCores: Number(((used.user + used.system) / 1000 / elapsed).toFixed(2)),
        gcMaxMs: Number(gcMax.toFixed(1)),
        gcTotalMs: Number(gcTotal.toFixed(0)),
      };
    },
  };
}

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
