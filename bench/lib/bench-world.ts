import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../src/emulator/index.js';
import { connectDb, type Db } from '../../src/store/db.js';
import { migrateLatest } from '../../src/store/migrate.js';

/** What a benchmark's bot runs against: the Slack emulator with an agent and a triage channel, a fresh SQLite file. */
export interface BenchWorld {
  emu: SlackEmulator;
  db: Db;
  /** The environment of a bot process on this world (add the channel's own variables). */
  botEnv: Record<string, string>;
  /** Stops the emulator, closes the database and deletes its folder. */
  destroy(): Promise<void>;
}

export async function startBenchWorld(name: string, ids: { agent: string; triage: string }): Promise<BenchWorld> {
  const signingSecret = `bench-signing-secret-${name}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `threaddesk-bench-${name}-`));
  const databaseUrl = `sqlite:${path.join(tmp, 'bench.sqlite')}`;
  const emu = new SlackEmulator({ signingSecret });
  const db = connectDb(databaseUrl);
  const destroy = async (): Promise<void> => {
    await emu.stop().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await emu.start(0);
    emu.addUser({ id: ids.agent, name: 'agnes', realName: 'Agnes Agent' });
    emu.addChannel({ id: ids.triage, name: 'triage', members: [ids.agent, emu.botUserId] });
    await migrateLatest(db);
  } catch (err) {
    await destroy();
    throw err;
  }
  // The emulator enforces no rate limits (bench:resilience measures pacing): deliveries go as fast as they can.
  const botEnv = { SLACK_BOT_TOKEN: emu.botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: emu.apiUrl, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', THREADDESK_SLACK_RATE_SCALE: '1000' };
  return { emu, db, botEnv, destroy };
}
