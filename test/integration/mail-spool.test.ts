import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.js';
import { loadConfig } from '../../src/config.js';
import { startMailRelay } from '../support/mail-relay.js';
import { SIGNING_SECRET, useHarness, W, type Harness } from '../support/harness.js';

/**
 * The SMTP door's queue: a mail is written to the inbox (mail_inbox) before the sender gets its 250 and turned
 * into a ticket afterwards, so a crash, a database that is away or a big mail never loses or doubles one.
 */
const MAILBOX = 'support@shop.example';
const env: Record<string, string> = {};
let relay: Awaited<ReturnType<typeof startMailRelay>>;

beforeAll(async () => {
  relay = await startMailRelay();
  Object.assign(env, { THREADDESK_SMTP_LISTEN: '127.0.0.1:0', THREADDESK_SMTP_URL: relay.url, THREADDESK_EMAIL_INBOXES: `${MAILBOX}=${W.triage}` });
});
afterAll(async () => relay.stop());

type Mail = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

/** Sends one mail over SMTP and resolves with the server's answer once it is given (not once it is processed). */
async function send(port: number, mail: Mail): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return (await transport.sendMail({ to: MAILBOX, ...mail })).response;
  } finally {
    transport.close();
  }
}

const count = async (db: Harness['inboxDb'], table: string) => Number(((await db(table).count({ n: '*' })) as { n: number | string }[])[0]!.n);
const emailTickets = (h: Harness) => h.testDb.db('tickets').where({ origin_kind: 'email' }).orderBy('number').select('id', 'number', 'subject', 'card_ts');

/** Bytes that do not compress and do not repeat: a photo, as far as any encoder can tell. */
function photo(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = 0x2545f491;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('the SMTP door stores a mail before it answers 250', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('a mail answered 250 while tickets cannot be written is kept; a restarted bot makes one ticket of it', async () => {
    const tickets = h.bot.context.useCaseDeps.tickets;
    tickets.open = () => Promise.reject(new Error('database unreachable'));
    const answer = await send(h.bot.email.smtpPort!, { from: 'ivy@example.com', subject: 'Parcel lost', text: 'My parcel 7781 never came.', messageId: '<ivy1@example.com>' });
    expect(answer).toMatch(/^250 /);
    await h.settle();
    expect(await emailTickets(h)).toEqual([]);
    const [row] = await h.inboxDb('mail_inbox').select('status', 'attempts', 'last_error', 'envelope');
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'database unreachable' });
    expect(JSON.parse(row.envelope)).toEqual({ mailFrom: 'ivy@example.com', rcptTo: [MAILBOX], parts: 1 });
    // Operators see it waiting.
    expect(await (await fetch(`${h.botUrl}/healthz?details`)).json()).toMatchObject({ mail: { pending: 1, failed: 0 } });
    expect(await (await fetch(`${h.botUrl}/metrics`)).text()).toMatch(/^threaddesk_mail_inbox_pending 1$/m);

    // The bot stops (a deploy, a crash) with the mail not yet a ticket; the next run processes it once.
    await h.bot.stop();
    const config = loadConfig({ SLACK_BOT_TOKEN: h.emu.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: h.emu.apiUrl, DATABASE_URL: h.testDb.url, THREADDESK_TRIAGE_CHANNEL: W.triage, THREADDESK_INTAKE_CHANNELS: W.help, THREADDESK_SLACK_RATE_SCALE: '1000', ...env });
    if (!config.ok) throw new Error(config.errors.join('; '));
    h.clock.advance(1_000); // its retry time has come
    const next = await createBot({ config: config.config, db: h.testDb.db, logger: h.logger, clock: h.clock, retryConfig: { retries: 0 } });
    await next.start(0);
    try {
      await next.whenIdle();
      await h.emu.idle();
      await next.whenIdle();
      const [ticket] = await emailTickets(h);
      expect(ticket).toMatchObject({ number: 1, subject: 'Parcel lost' });
      expect((await h.testDb.db('messages').where({ ticket_id: ticket.id })).map((m: { text: string }) => m.text)).toEqual(['My parcel 7781 never came.']);
      expect(h.emu.messages(W.triage).filter((m) => m.ts === ticket.card_ts)).toHaveLength(1);
      expect(await count(h.inboxDb, 'mail_inbox')).toBe(0);
    } finally {
      await next.stop();
    }
  });

  it('answers 451 when the inbox cannot be written, and stores the sender\'s retry once', async () => {
    await h.inboxDb.schema.renameTable('mail_inbox', 'mail_inbox_away');
    const mail = { from: 'otto@example.com', subject: 'Invoice', text: 'Please send the invoice for order 3310.', messageId: '<otto1@example.com>' };
    await expect(send(h.bot.email.smtpPort!, mail)).rejects.toMatchObject({ responseCode: 451 });
    await h.inboxDb.schema.renameTable('mail_inbox_away', 'mail_inbox');
    expect(await send(h.bot.email.smtpPort!, mail)).toMatch(/^250 /);
    await h.settle();
    expect((await emailTickets(h)).map((t: { subject: string }) => t.subject)).toEqual(['Invoice']);
    expect(await h.testDb.db('messages').where({ text: 'Please send the invoice for order 3310.' })).toHaveLength(1);
  });

  it('a mail of several MB is stored in parts and its attachment reaches the triage thread byte for byte; nothing is left behind', async () => {
    const scan = photo(3 * 1024 * 1024 + 123);
    const answer = await send(h.bot.email.smtpPort!, { from: 'lars@example.org', subject: 'Scans of the damaged boxes', text: 'All pages attached.', messageId: '<lars1@example.org>', attachments: [{ filename: 'scans.pdf', content: scan, contentType: 'application/pdf' }] });
    expect(answer).toMatch(/^250 /);
    await h.settle();
    const [ticket] = await emailTickets(h);
    expect(ticket).toMatchObject({ subject: 'Scans of the damaged boxes' });
    const [upload] = h.emu.files({ channel: W.triage });
    expect(upload).toMatchObject({ filename: 'scans.pdf', threadTs: ticket.card_ts });
    expect(upload!.bytes.equals(scan)).toBe(true);
    // The mail's parts went with its row; the attachment's parts with its delivery.
    expect(await count(h.inboxDb, 'mail_inbox')).toBe(0);
    expect(await count(h.inboxDb, 'mail_inbox_parts')).toBe(0);
    expect(await count(h.testDb.db, 'delivery_files')).toBe(0);
  });

  it('keeps one sender\'s mails in order: a small reply sent right after a big mail joins the big mail\'s ticket', async () => {
    const port = h.bot.email.smtpPort!;
    // The big one takes longer to read than its follow-up; both are answered before either is processed.
    await send(port, { from: 'mia@example.com', subject: 'Photos of the broken vase', text: 'See the photos.', messageId: '<mia-big@example.com>', attachments: [{ filename: 'vase.jpg', content: photo(2 * 1024 * 1024), contentType: 'image/jpeg' }] });
    await send(port, { from: 'mia@example.com', subject: 'Re: Photos of the broken vase', text: 'Forgot to say: order 4821.', messageId: '<mia-small@example.com>', inReplyTo: '<mia-big@example.com>', references: ['<mia-big@example.com>'] });
    await h.settle();
    const tickets = await emailTickets(h);
    expect(tickets.map((t: { subject: string }) => t.subject)).toEqual(['Photos of the broken vase']);
    expect((await h.testDb.db('messages').where({ ticket_id: tickets[0].id }).orderBy('id')).map((m: { text: string }) => m.text)).toEqual(['See the photos.', 'Forgot to say: order 4821.']);
  });
});
