import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/ticket.js';
import { startDovecot, type TestDovecot } from '../support/dovecot.js';
import { useHarness, W, type Harness } from '../support/harness.js';

/**
 * IMAP polling through the whole bot: a real dovecot mailbox, THREADDESK_IMAP_URL, and the tickets that come of
 * its mail. (The poller's own cursor, IDLE and restart rules are tested in imap-poller.test.ts.)
 */
const MAILBOX = 'support@shop.example';
const env: Record<string, string> = {};
let dovecot: TestDovecot | null = null;

beforeAll(async () => {
  dovecot = await startDovecot();
  if (!dovecot) return;
  Object.assign(env, { THREADDESK_IMAP_URL: dovecot.url('INBOX'), THREADDESK_EMAIL_INBOXES: `${MAILBOX}=${W.triage}` });
});
afterAll(async () => dovecot?.stop());

const mail = (id: string, from: string, subject: string, text: string, extra = '') =>
  [`From: ${from}`, `To: ${MAILBOX}`, `Subject: ${subject}`, `Message-ID: <${id}>`, `Date: ${new Date().toUTCString()}`, extra, 'Content-Type: text/plain; charset=utf-8', '', text, ''].filter((l, i) => l !== '' || i > 5).join('\r\n');

describe.skipIf(!process.env.CI && !(await import('node:fs')).existsSync('/usr/sbin/dovecot'))('email by IMAP polling', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  const emailTickets = async (): Promise<Ticket[]> => {
    const rows = await h.testDb.db('tickets').where({ origin_kind: 'email' }).orderBy('number').select('id');
    return Promise.all(rows.map(async (r: { id: number }) => (await h.tickets.byId(r.id))!));
  };

  it('turns the mailbox\'s mail into tickets once each, joins a reply, and leaves automated mail alone', async () => {
    expect(dovecot).not.toBeNull(); // CI installs dovecot-imapd: there a missing server is a failure, not a skip
    await dovecot!.append(mail('i1@example.com', 'Rosa <rosa@example.com>', 'Broken zip', 'The zip on my jacket broke.'));
    await dovecot!.append(mail('i2@example.com', 'noreply@carrier.example', 'Your parcel is on its way', 'Tracking: 123', 'Auto-Submitted: auto-generated'));
    await dovecot!.append(mail('i3@example.com', 'Rosa <rosa@example.com>', 'Re: Broken zip', 'Photo attached later.', 'In-Reply-To: <i1@example.com>'));
    await h.bot.email.poller!.pollNow();
    await h.settle();

    const tickets = await emailTickets();
    expect(tickets.map((t) => [t.number, t.requesterId, t.subject])).toEqual([[1, 'email:rosa@example.com', 'Broken zip']]);
    expect((await h.tickets.messages(tickets[0]!.id)).map((m) => m.text)).toEqual(['The zip on my jacket broke.', 'Photo attached later.']);

    // Polling again reads nothing twice.
    await h.bot.email.poller!.pollNow();
    await h.settle();
    expect(await h.testDb.db('messages').where('channel_id', `email:${MAILBOX}`).count({ n: '*' })).toEqual([{ n: 2 }]);
    expect(h.emu.messages(W.triage)).toHaveLength(1);
  });
});
