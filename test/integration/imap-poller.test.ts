import net from 'node:net';
import { Writable } from 'node:stream';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapPoller, type ImapPollerOptions } from '../../src/ingest/email/imap-poller.js';
import { createMailboxCursorStore, type MailboxCursorStore } from '../../src/store/mailbox-cursor-store.js';
import { createTestDb, isPostgresReachable, type DbKind, type TestDb } from '../support/databases.js';
import { startDovecot, type TestDovecot } from '../support/dovecot.js';

// A real dovecot (test/support/dovecot.ts): mail is APPENDed over IMAP and read back by the poller over IMAP.

const dovecot = await startDovecot();
if (!dovecot) console.warn('dovecot-imapd is not installed: IMAP tests are skipped');
const postgresUp = await isPostgresReachable();
afterAll(async () => {
  await dovecot?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

interface CapturedLog {
  logger: Logger;
  lines: string[];
  entries(): { level: number; msg: string; [key: string]: unknown }[];
  warns(): { level: number; msg: string; [key: string]: unknown }[];
}

/** A pino logger at debug (imapflow's own lines included) writing to an array. */
function captureLog(): CapturedLog {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const entries = () => lines.map((line) => JSON.parse(line) as { level: number; msg: string; [key: string]: unknown });
  return { logger, lines, entries, warns: () => entries().filter((e) => e.level === 40) };
}

let mailCount = 0;
/** A real mail built by nodemailer; its Message-ID is <tag@test.threaddesk>. */
function mail(tag: string): Promise<Buffer> {
  mailCount++;
  return new MailComposer({
    from: 'Carol Customer <carol@customer.example>',
    to: 'support@shop.example',
    subject: `Order question ${tag}`,
    text: `Hello, this is mail ${tag} (${mailCount}).`,
    messageId: `<${tag}@test.threaddesk>`,
    date: new Date(),
  })
    .compile()
    .build();
}

const messageIdOf = (raw: Buffer) => /^Message-ID:\s*<([^>]+)>/im.exec(raw.toString('utf8'))?.[1] ?? null;

/** Collects what `deliver` was given; `failOn` makes the first delivery of those Message-IDs reject. */
function recorder(failOn: string[] = []) {
  const stored: { uid: number; messageId: string | null }[] = [];
  const attempts: string[] = [];
  const failing = new Set(failOn);
  const deliver: ImapPollerOptions['deliver'] = async (raw, uid) => {
    const messageId = messageIdOf(raw);
    attempts.push(messageId ?? '?');
    if (messageId && failing.has(messageId)) {
      failing.delete(messageId);
      throw new Error(`database unavailable while storing ${messageId}`);
    }
    stored.push({ uid, messageId });
  };
  return { stored, attempts, deliver };
}

async function withImap<T>(server: TestDovecot, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user: server.user, pass: server.password }, logger: false, disableAutoIdle: true });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Flags of every mail in a mailbox, by UID. */
const flagsOf = (server: TestDovecot, mailbox: string) =>
  withImap(server, async (client) => {
    await client.mailboxOpen(mailbox, { readOnly: true });
    const messages = await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true });
    return messages.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])] }));
  });

const cursorKey = (server: TestDovecot, mailbox: string) => `imap://${server.user}@${server.host}:${server.port}/${mailbox}`;

const kinds: DbKind[] = ['sqlite', 'postgres'];

for (const kind of kinds) {
  describe.skipIf(!dovecot || (kind === 'postgres' && !postgresUp))(`IMAP poller against dovecot, cursors on ${kind}`, () => {
    const server = dovecot!;
    let testDb: TestDb;
    let cursors: MailboxCursorStore;
    const log = captureLog();
    const box = (name: string) => `${kind}-${name}`;
    const poller = (mailbox: string, deliver: ImapPollerOptions['deliver'], over: Partial<ImapPollerOptions> = {}) =>
      createImapPoller({ url: server.url(mailbox), cursors, deliver, logger: log.logger, idle: false, ...over });

    beforeAll(async () => {
      testDb = await createTestDb(kind);
      cursors = createMailboxCursorStore(testDb.db);
    });
    afterAll(async () => {
      await testDb?.drop();
    });

    it('delivers new mail once, in UID order, across rounds and a restart, and leaves it unseen', async () => {
      const mailbox = box('orders');
      for (const tag of ['a1', 'a2', 'a3']) await server.append(await mail(`${kind}-${tag}`), mailbox);
      const got = recorder();
      const first = poller(mailbox, got.deliver);
      try {
        expect(await first.pollNow()).toBe(3);
        expect(got.stored.map((m) => m.messageId)).toEqual([`${kind}-a1@test.threaddesk`, `${kind}-a2@test.threaddesk`, `${kind}-a3@test.threaddesk`]);
        const uids = got.stored.map((m) => m.uid);
        expect(uids).toEqual([...uids].sort((a, b) => a - b));
        const cursor = await cursors.load(cursorKey(server, mailbox));
        expect(cursor).toEqual({ uidValidity: expect.any(Number), lastUid: uids[2] });
        expect(cursor!.uidValidity).toBeGreaterThan(0);

        expect(await first.pollNow()).toBe(0);

        for (const tag of ['a4', 'a5']) await server.append(await mail(`${kind}-${tag}`), mailbox);
        expect(await first.pollNow()).toBe(2);
        expect(got.stored.slice(3).map((m) => m.messageId)).toEqual([`${kind}-a4@test.threaddesk`, `${kind}-a5@test.threaddesk`]);
        expect((await cursors.load(cursorKey(server, mailbox)))!.lastUid).toBe(got.stored[4].uid);
      } finally {
        await first.stop();
      }

      // A restart: a new poller over the same store reads nothing it has delivered before.
      const again = recorder();
      const second = poller(mailbox, again.deliver);
      try {
        expect(await second.pollNow()).toBe(0);
        await server.append(await mail(`${kind}-a6`), mailbox);
        expect(await second.pollNow()).toBe(1);
        expect(again.stored.map((m) => m.messageId)).toEqual([`${kind}-a6@test.threaddesk`]);
      } finally {
        await second.stop();
      }

      // BODY.PEEK: polling set no \Seen flag.
      const flags = await flagsOf(server, mailbox);
      expect(flags).toHaveLength(6);
      for (const message of flags) expect(message.flags).not.toContain('\\Seen');

      // The cursor is keyed by the URL without its password.
      const rows = (await testDb.db('mailbox_cursors').select('mailbox')) as { mailbox: string }[];
      for (const row of rows) expect(row.mailbox).not.toContain(encodeURIComponent(server.password));
    });

    it('stops a round at a failed delivery and delivers that mail next round: nothing skipped, nothing stored twice', async () => {
      const mailbox = box('flaky');
      for (const tag of ['b1', 'b2', 'b3']) await server.append(await mail(`${kind}-${tag}`), mailbox);
      const got = recorder([`${kind}-b2@test.threaddesk`]);
      const p = poller(mailbox, got.deliver);
      try {
        expect(await p.pollNow()).toBe(1);
        expect(got.stored.map((m) => m.messageId)).toEqual([`${kind}-b1@test.threaddesk`]);
        expect((await cursors.load(cursorKey(server, mailbox)))!.lastUid).toBe(got.stored[0].uid);
        const warn = log.warns().find((w) => w.msg.includes('could not be stored') && w.mailbox === cursorKey(server, mailbox));
        expect(warn).toMatchObject({ error: `database unavailable while storing ${kind}-b2@test.threaddesk` });

        expect(await p.pollNow()).toBe(2);
        expect(got.stored.map((m) => m.messageId)).toEqual([`${kind}-b1@test.threaddesk`, `${kind}-b2@test.threaddesk`, `${kind}-b3@test.threaddesk`]);
        expect(got.attempts).toEqual([`${kind}-b1@test.threaddesk`, `${kind}-b2@test.threaddesk`, `${kind}-b2@test.threaddesk`, `${kind}-b3@test.threaddesk`]);
        expect(await p.pollNow()).toBe(0);
      } finally {
        await p.stop();
      }
    });

    it('wakes on IDLE: with a 10-minute poll interval, an appended mail is delivered within seconds', async () => {
      const mailbox = box('idle');
      await server.append(await mail(`${kind}-c1`), mailbox);
      const got = recorder();
      const p = poller(mailbox, got.deliver, { idle: true, pollIntervalMs: 600_000 });
      try {
        await p.start();
        expect(got.stored.map((m) => m.messageId)).toEqual([`${kind}-c1@test.threaddesk`]);
        await sleep(200);
        const appendedAt = Date.now();
        await server.append(await mail(`${kind}-c2`), mailbox);
        await waitFor(() => got.stored.length === 2, 5_000);
        const latencyMs = Date.now() - appendedAt;
        expect(latencyMs).toBeLessThan(5_000);
        expect(got.stored[1].messageId).toBe(`${kind}-c2@test.threaddesk`);

        // And again: IDLE is entered anew after each round.
        await server.append(await mail(`${kind}-c3`), mailbox);
        await waitFor(() => got.stored.length === 3, 5_000);
      } finally {
        await p.stop();
      }
    });

    it('polls on its timer where IDLE is not used', async () => {
      const mailbox = box('timer');
      const got = recorder();
      const p = poller(mailbox, got.deliver, { idle: false, pollIntervalMs: 300 });
      try {
        await server.append(await mail(`${kind}-t1`), mailbox);
        await p.start();
        expect(got.stored).toHaveLength(1);
        await server.append(await mail(`${kind}-t2`), mailbox);
        await waitFor(() => got.stored.length === 2, 3_000);
        expect(got.stored.map((m) => m.messageId)).toEqual([`${kind}-t1@test.threaddesk`, `${kind}-t2@test.threaddesk`]);
      } finally {
        await p.stop();
      }
    });

    it('reads a mailbox from the start when its UIDVALIDITY changes', async () => {
      const mailbox = box('renewed');
      for (const tag of ['d1', 'd2']) await server.append(await mail(`${kind}-${tag}`), mailbox);
      const got = recorder();
      const p = poller(mailbox, got.deliver);
      try {
        expect(await p.pollNow()).toBe(2);
        const key = cursorKey(server, mailbox);
        const cursor = (await cursors.load(key))!;

        // A cursor from another UIDVALIDITY (far beyond the mailbox's UIDs) does not hide anything.
        await cursors.save(key, { uidValidity: cursor.uidValidity + 1, lastUid: 999 });
        expect(await p.pollNow()).toBe(2);
        expect(got.stored.slice(2).map((m) => m.messageId)).toEqual([`${kind}-d1@test.threaddesk`, `${kind}-d2@test.threaddesk`]);
        expect(await cursors.load(key)).toEqual(cursor);

        // The real thing: the mailbox is deleted and created again (new UIDVALIDITY, UIDs from 1 again, below the
        // cursor). dovecot drops the poller's connection; the next round reconnects.
        await withImap(server, async (client) => {
          await client.mailboxDelete(mailbox);
          await client.mailboxCreate(mailbox);
        });
        await server.append(await mail(`${kind}-d3`), mailbox);
        // The session that had the old mailbox selected may still show it for a moment (a round then finds nothing
        // new) or be closed under the round (which then fails): the mail comes in a following round all the same.
        let delivered = 0;
        for (let round = 0; round < 20 && delivered === 0; round++) {
          delivered = await p.pollNow().catch(() => 0);
          if (delivered === 0) await sleep(100);
        }
        expect(delivered).toBe(1);
        expect(got.stored.at(-1)!.messageId).toBe(`${kind}-d3@test.threaddesk`);
        const renewed = (await cursors.load(key))!;
        expect(renewed.uidValidity).not.toBe(cursor.uidValidity);
        expect(renewed.lastUid).toBe(got.stored.at(-1)!.uid);
      } finally {
        await p.stop();
      }
    });

    it('fails a round with a clear error on a wrong password, and never logs a password', async () => {
      const wrong = new URL(server.url(box('orders')));
      wrong.password = encodeURIComponent('wrong-Secret-4711');
      const p = createImapPoller({ url: wrong.href, cursors, deliver: async () => undefined, logger: log.logger, idle: false });
      try {
        const failure = await p.pollNow().then(() => null, (err: Error) => err);
        expect(failure).toBeInstanceOf(Error);
        expect(failure!.message).toMatch(/IMAP poll of imap:\/\/agent@127\.0\.0\.1:\d+\/.* failed/);
        expect(failure!.message).not.toContain('wrong-Secret-4711');
      } finally {
        await p.stop();
      }
      const all = log.lines.join('');
      expect(all.length).toBeGreaterThan(0);
      expect(log.entries().some((e) => e.component === 'imapflow')).toBe(true); // imapflow's debug lines were captured
      for (const secret of [server.password, encodeURIComponent(server.password), 'wrong-Secret-4711']) expect(all).not.toContain(secret);
      for (const line of log.warns()) expect(JSON.stringify(line)).not.toMatch(/\n\s+at /);
    });
  });
}

/** A TCP relay in front of dovecot that can drop every connection and refuse new ones, as a network outage would. */
async function startRelay(port: number) {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((socket) => {
    if (refusing) {
      socket.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port });
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    /** Drops every open connection; new ones are refused while `refuse` is on. */
    cut(refuse: boolean) {
      refusing = refuse;
      for (const s of sockets) s.destroy();
    },
    allow() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!dovecot)('IMAP poller when the connection fails', () => {
  const server = dovecot!;
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('reconnects with backoff, one warn line per failure, then stops at once while the server is unreachable', async () => {
    const relay = await startRelay(server.port);
    const log = captureLog();
    const got = recorder();
    const url = new URL(server.url('outage'));
    url.port = String(relay.port);
    const p = createImapPoller({ url: url.href, cursors: createMailboxCursorStore(testDb.db), deliver: got.deliver, logger: log.logger, pollIntervalMs: 600_000 });
    try {
      await server.append(await mail('e1'), 'outage');
      await p.start();
      expect(got.stored).toHaveLength(1);

      // Outage: the connection drops, reconnecting fails at 1 s, succeeds at 1 + 2 s.
      relay.cut(true);
      await sleep(1_600);
      relay.allow();
      await server.append(await mail('e2'), 'outage');
      await waitFor(() => got.stored.length === 2, 6_000);
      expect(got.stored[1].messageId).toBe('e2@test.threaddesk');
      const warns = log.warns();
      expect(warns.map((w) => w.msg)).toEqual(['IMAP connection lost; reconnecting', 'IMAP poll failed']);
      expect(warns.map((w) => w.retryInMs)).toEqual([1_000, 2_000]);
      for (const w of warns) expect(JSON.stringify(w)).not.toMatch(/\n\s+at /);

      // IDLE works again on the new connection.
      await server.append(await mail('e3'), 'outage');
      await waitFor(() => got.stored.length === 3, 5_000);

      // The server goes away for good: stop() still resolves promptly, and nothing runs after it.
      relay.cut(true);
      const stopping = Date.now();
      await p.stop();
      expect(Date.now() - stopping).toBeLessThan(3_000);
      const linesAtStop = log.lines.length;
      await sleep(1_500);
      expect(log.lines.slice(linesAtStop).map((l) => JSON.parse(l).msg)).toEqual([]);
    } finally {
      await p.stop();
      await relay.close();
    }
  });
});
