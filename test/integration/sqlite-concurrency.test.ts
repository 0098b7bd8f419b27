import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectDb } from '../../src/store/db.js';
import { useHarness, W, type Harness } from '../support/harness.js';

const root = path.resolve(import.meta.dirname, '../..');

/** `threaddesk report` in its own process on the bot's SQLite file, as an operator would run it. */
function cliReport(databaseUrl: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'report', '--from', '2000-01-01', '--to', '2100-01-01', '--format', 'json'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: databaseUrl },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('close', (code) => resolve({ code, out, err })); // 'close': after stdout and stderr are read to the end
  });
}

// The bot writes (a burst of new tickets, each with its kept figures) while reports read the same SQLite file
// from other processes: WAL lets readers and the writer run at once, and busy_timeout makes a writer wait its
// turn instead of failing. Nothing may fail with "database is locked".
describe('SQLite under concurrent use', () => {
  let h: Harness;
  useHarness((x) => (h = x), { db: 'sqlite' });

  it('takes a burst of 300 messages while command-line reports run on the same file, with no "database is locked"', async () => {
    const reports = Promise.all([cliReport(h.testDb.url), cliReport(h.testDb.url), cliReport(h.testDb.url)]);
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      sent.push(h.driver.userSays(i % 2 ? W.carol : W.dave, W.help, `Burst message ${i}`));
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await Promise.all(sent);
    const results = await reports;
    await h.settle();

    // A report run during the burst sees a consistent snapshot: some of the tickets, never more than were made.
    const tickets = Number(((await h.testDb.db('tickets').count({ n: '*' })) as { n: number }[])[0]!.n);
    for (const run of results) {
      expect(run.err).not.toMatch(/locked|SQLITE_BUSY/);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out).created).toBeLessThanOrEqual(tickets);
    }
    // Once the burst is stored, a report counts every ticket the bot made.
    const after = await cliReport(h.testDb.url);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.out).created).toBe(tickets);
    expect(tickets).toBeGreaterThan(0);
    expect(h.logLines.join('')).not.toMatch(/locked|SQLITE_BUSY/);
    const stored = Number(((await h.testDb.db('messages').where({ channel_id: W.help }).count({ n: '*' })) as { n: number }[])[0]!.n);
    expect(stored).toBe(300);
    // The kept figures were written along: every ticket has its waits.
    const withoutWaits = await h.testDb.db('tickets').whereNotExists(h.testDb.db('ticket_waits').whereRaw('ticket_waits.ticket_id = tickets.id')).count({ n: '*' });
    expect(Number((withoutWaits as { n: number }[])[0]!.n)).toBe(0);
  }, 60_000);

  it('loses no message when another process writes to the file during a burst (the bot retries a write that lost the race)', async () => {
    const other = connectDb(h.testDb.url); // another process's connection: its own pool, its own lock
    await other.raw('CREATE TABLE scratch (id INTEGER PRIMARY KEY, at INTEGER)');
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await other('scratch').insert({ at: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) sent.push(h.driver.userSays(i % 2 ? W.carol : W.dave, W.help, `Racing message ${i}`));
    await Promise.all(sent);
    await h.settle();
    writing = false;
    await writer;
    await other.destroy();

    expect(h.logLines.join('')).not.toMatch(/locked|SQLITE_BUSY/);
    const stored = Number(((await h.testDb.db('messages').where({ channel_id: W.help }).count({ n: '*' })) as { n: number }[])[0]!.n);
    expect(stored).toBe(200);
  }, 60_000);
});
