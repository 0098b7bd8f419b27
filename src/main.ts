// Composition root: the only file that reads process.env.
import 'dotenv/config';
import { createBot } from './bot/create-bot.js';
import { loadConfig } from './config.js';
import { systemClock } from './domain/clock.js';
import { createLogger } from './logger.js';
import { connectDb } from './store/db.js';
import { migrateLatest } from './store/migrate.js';

async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    for (const error of result.errors) console.error(`threaddesk: configuration error: ${error}`);
    process.exit(2);
  }
  const { config } = result;
  const logger = createLogger({ level: config.logLevel, secrets: [config.botToken, config.signingSecret ?? '', config.appToken ?? '', config.email.apiSecret ?? '', config.orders.shopifySecret ?? '', config.orders.wooSecret ?? '', config.llm.apiKey ?? ''] });
  // A failure nobody awaited is a bug to see in the logs, not a reason to stop serving every other request.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (kept running)'));
  process.on('uncaughtException', (err, origin) => logger.error({ err, origin }, 'uncaught exception (kept running)'));
  const db = connectDb(config.databaseUrl);
  await migrateLatest(db);
  const bot = await createBot({ config, db, logger, clock: systemClock });
  const port = await bot.start();
  for (const warning of result.warnings) logger.warn(`configuration: ${warning}`);
  logger.info({ port, mode: config.appToken ? 'socket' : 'http', database: config.databaseUrl.split(':')[0] }, 'threaddesk is running');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stops taking requests, finishes those in flight and the Slack calls already made; the rest waits in the outbox.
    await bot.stop().catch((err) => logger.error({ err }, 'error while stopping the Slack app'));
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`threaddesk: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
