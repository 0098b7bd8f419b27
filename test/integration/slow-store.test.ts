import { describe, expect, it } from 'vitest';
import { connectDb, inboxDatabaseUrl } from '../../src/store/db.js';
import { postInIntake, useHarness, W, type Harness } from '../support/harness.js';

/**
 * Another writer holds a lock for some seconds (a long migration, a stuck report, a slow disk). Held on where
 * events are stored (the inbox's own file on SQLite, the slack_inbox table on PostgreSQL), the bot cannot store an
 * event within Slack's 3 s: it must answer exactly once, in a way that makes Slack send the event again, store it
 * once, and go on serving. Held on the database (SQLite: its one write lock), the event is stored and answered at
 * once, and processed when the lock is released.
 */
async function holdWriteLock(h: Harness, ms: number, on: 'inbox' | 'database'): Promise<{ held: Promise<void>; release: Promise<void> }> {
  const inboxUrl = on === 'inbox' ? inboxDatabaseUrl(h.testDb.url) : null;
  const other = connectDb(inboxUrl ?? h.testDb.url, h.testDb.schema ? { schema: h.testDb.schema } : {});
  let held!: () => void;
  const heldPromise = new Promise<void>((resolve) => (held = resolve));
  const release = other
    .transaction(async (trx) => {
      // SQLite: the first write takes the file's write lock; PostgreSQL: the inbox table is locked against inserts.
      if (h.testDb.schema) await trx.raw(on === 'inbox' ? 'LOCK TABLE slack_inbox IN SHARE ROW EXCLUSIVE MODE' : 'LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE');
      else await trx.raw(on === 'inbox' ? 'UPDATE slack_inbox SET id = id WHERE 0' : 'UPDATE tickets SET id = id WHERE 0');
      held();
      await new Promise((resolve) => setTimeout(resolve, ms));
    })
    .finally(() => other.destroy());
  return { held: heldPromise, release };
}

describe('a store or a Slack slower than Slack\'s 3 s', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('answers 503 once, drops the late answer, stores the message once from Slack\'s retry, and keeps serving', async () => {
    const lock = await holdWriteLock(h, 4_000, 'inbox');
    await lock.held;
    const started = Date.now();
    const first = await h.driver.userSays(W.carol, W.help, 'My parcel arrived broken');
    expect(first.status).toBe(503); // Slack retries on anything but 2xx
    expect(Date.now() - started).toBeLessThan(3_000); // answered inside Slack's window, not left to time out
    await lock.release;
    await h.settle(); // the emulator's retries (as Slack's) are answered once the store is back

    expect((await h.testDb.db('messages').where({ text: 'My parcel arrived broken' })).length).toBe(1);
    expect((await h.inboxDb('slack_inbox').where('body', 'like', '%arrived broken%').where('body', 'like', `%"user":"${W.carol}"%`)).length).toBe(1);
    expect(h.emu.messages(W.triage)).toHaveLength(1); // one card
    // The first request's store finished after its 503: that late answer was dropped and logged, not thrown.
    expect(h.logLines.some((l) => l.includes('a second answer to a Slack request was dropped'))).toBe(true);
    expect(h.logLines.some((l) => l.includes('not stored within its answer window'))).toBe(true);

    // Still serving.
    expect((await postInIntake(h, W.dave, 'And my invoice is wrong')).ticket.number).toBe(2);
  });

  it('answers an event at once while the database is held for 4 s, and stores its ticket once the lock is gone', async () => {
    const lock = await holdWriteLock(h, 4_000, 'database');
    await lock.held;
    const started = Date.now();
    const answer = await h.driver.userSays(W.carol, W.help, 'My parcel never came');
    expect(answer.status).toBe(200); // stored in the inbox: Slack need not send it again
    expect(Date.now() - started).toBeLessThan(2_000);
    await lock.release;
    await h.settle();

    expect((await h.testDb.db('messages').where({ text: 'My parcel never came' })).length).toBe(1);
    expect(h.emu.messages(W.triage)).toHaveLength(1);
    expect(await h.inboxDb('slack_inbox').where('body', 'like', '%never came%').first('status')).toEqual({ status: 'done' });
    // SQLite: events went to the inbox's own file; the database's slack_inbox (kept by migration 11) stays empty.
    if (!h.testDb.schema) expect(await h.testDb.db('slack_inbox').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(h.logLines.join('')).not.toMatch(/ERR_HTTP_HEADERS_SENT|second answer/);
  });

  it('answers an agent\'s first reply in the origin thread at once while the membership lookup takes 4 s, and stores it once', async () => {
    // The reproduction: a triage channel of 60 members whose first membership lookup is slow.
    for (let i = 0; i < 58; i++) {
      h.emu.addUser({ id: `USLOW${String(i).padStart(3, '0')}`, name: `slow${i}`, realName: `Slow ${i}` });
      h.emu.joinChannel(W.triage, `USLOW${String(i).padStart(3, '0')}`);
    }
    const { ts } = await h.driver.userSays(W.carol, W.help, 'The app crashes on start');
    await h.settle();
    h.bot.context.directory.forgetChannel(W.triage);
    h.emu.slowNext('conversations.members', 4_000);

    const started = Date.now();
    const reply = await h.driver.userSays(W.alice, W.help, 'Which version do you run?', { thread_ts: ts });
    expect(reply.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000); // the answer never waited on Slack
    await h.settle();

    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    const stored = (await h.tickets.messages(ticket.id)).filter((m) => m.text === 'Which version do you run?');
    expect(stored).toMatchObject([{ authorRole: 'agent', visibility: 'public', userId: W.alice }]);
    expect(h.logLines.join('')).not.toMatch(/ERR_HTTP_HEADERS_SENT|second answer/);
    expect((await postInIntake(h, W.dave, 'Another question')).ticket.number).toBe(2);
  });
});
