import { beforeEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/ticket.js';
import { isReplyToken, ourMessageId, replyAddress } from '../../src/ingest/email/email-threading.js';
import { ingestEmail, mailboxChannel, type EmailIngestResult, type Mailbox } from '../../src/ingest/email/ingest-email.js';
import type { ParsedEmail } from '../../src/ingest/email/parsed-email.js';
import type { NewDelivery } from '../../src/store/outbox-store.js';
import {
  asIngestDeps,
  createInMemoryChannels,
  createInMemoryCustomers,
  createInMemoryTickets,
  fixedClock,
  type FixedClock,
  type InMemoryCustomers,
  type InMemoryTickets,
} from '../support/in-memory-stores.js';

// Mail into tickets (ingestEmail), with parsed mails built by hand and in-memory stores: no database, no SMTP.

const TEAM = 'T1';
const TRIAGE = 'C_TRIAGE';
const MAILBOX = 'support@shop.example';
const CHANNEL = mailboxChannel(MAILBOX);
const ANN = 'ann@customer.example';
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

const delivery = (kind: string, ticket: Ticket, what = ''): NewDelivery => ({ teamId: ticket.teamId, lane: `ticket:${ticket.id}`, bucket: 'chat', kind, payload: { number: ticket.number, what } });
const shown = () => tickets.deliveries.map((d) => `${d.kind} #${(d.payload as { number: number; what: string }).number}${(d.payload as { what: string }).what}`);

let tickets: InMemoryTickets;
let customers: InMemoryCustomers;
let clock: FixedClock;
let mailbox: Mailbox;
let notes: { ticket: number; text: string; at: number; messageId: string }[];

const deps = () =>
  asIngestDeps({
    tickets,
    channels: createInMemoryChannels(),
    customers,
    clock,
    isAgent: async () => false,
    show: {
      created: (ticket: Ticket) => [delivery('card', ticket)],
      appended: async ({ ticket }: { ticket: Ticket }) => [delivery('mirror', ticket)],
    },
    showAttachments: (ticket: Ticket, attachments: { filename: string }[]) => attachments.map((a) => delivery('attachment', ticket, ` ${a.filename}`)),
    note: async (ticket: Ticket, text: string, at: number, messageId: string) => void notes.push({ ticket: ticket.number, text, at, messageId }),
  });

let sequence = 0;
const mail = (over: Partial<ParsedEmail> = {}): ParsedEmail => ({
  messageId: `m${++sequence}@customer.example`,
  replyTo: [],
  from: { address: ANN, name: 'Ann Example' },
  replyToAddress: null,
  to: [{ address: MAILBOX, name: null }],
  cc: [],
  subject: 'Where is my order?',
  date: null,
  text: 'It has been two weeks.',
  quoted: null,
  attachments: [],
  automated: null,
  bounce: null,
  amazon: null,
  headers: {},
  ...over,
});

const ingest = (parsed: ParsedEmail, envelope: string[] = []) => ingestEmail(parsed, mailbox, envelope, deps());

/** Opens a ticket with a first mail from Ann; returns the ticket. */
async function opened(over: Partial<ParsedEmail> = {}): Promise<Ticket> {
  const result = await ingest(mail(over));
  if (result.kind !== 'created') throw new Error(`expected a new ticket, got ${JSON.stringify(result)}`);
  return result.ticket;
}

const numberOf = (result: EmailIngestResult) => ('ticket' in result ? result.ticket.number : null);
const texts = async (ticketId: number) => (await tickets.messages(ticketId)).map((m) => m.text);

describe('ingestEmail (mail into tickets, in-memory stores)', () => {
  beforeEach(() => {
    tickets = createInMemoryTickets();
    customers = createInMemoryCustomers();
    clock = fixedClock(NOW);
    notes = [];
    mailbox = { address: MAILBOX, intake: { channelId: CHANNEL, teamId: TEAM, triageChannelId: TRIAGE, pleasantryFilter: true, burstWindowSeconds: 300, ackTemplate: null, csatEnabled: true, csatDelayMinutes: 0, replyUrl: null } };
  });

  it('a new mail opens an email ticket for the sender, who becomes a customer', async () => {
    const ticket = await opened({ messageId: 'first@customer.example' });
    expect(ticket).toMatchObject({ number: 1, status: 'new', subject: 'Where is my order?', originKind: 'email', originSource: MAILBOX, originChannelId: CHANNEL, requesterId: `email:${ANN}`, requesterTeamId: null, source: 'email', triageChannelId: TRIAGE, customerId: 1, createdAt: NOW });
    expect(isReplyToken(ticket.originTs)).toBe(true);
    expect(customers.all()).toEqual([{ id: 1, teamId: TEAM, name: 'Ann Example', identities: [{ kind: 'email', value: ANN }] }]);
    expect(await tickets.messageByTs(CHANNEL, 'first@customer.example')).toMatchObject({ ticketId: 1, userId: `email:${ANN}`, authorRole: 'requester', visibility: 'public', text: 'It has been two weeks.', sentAt: NOW });
    expect(shown()).toEqual(['card #1']);
  });

  it('stores the same Message-ID once', async () => {
    await opened({ messageId: 'same@customer.example' });
    expect(await ingest(mail({ messageId: 'same@customer.example' }))).toEqual({ kind: 'ignored', reason: 'duplicate: this Message-ID is stored' });
    expect(tickets.all()).toHaveLength(1);
    expect(await texts(1)).toHaveLength(1);
    expect(shown()).toEqual(['card #1']);
  });

  it('a reply to our reply address (the ticket\'s token as +tag) joins the ticket; a guessed token attaches nothing', async () => {
    const ticket = await opened();
    const reply = await ingest(mail({ to: [{ address: replyAddress(MAILBOX, ticket.originTs), name: null }], subject: 'Re: Where is my order?', text: 'Any news?' }));
    expect(reply).toMatchObject({ kind: 'appended', role: 'requester', ticket: { id: ticket.id } });
    expect(await texts(ticket.id)).toEqual(['It has been two weeks.', 'Any news?']);

    const guessed = await ingest(mail({ to: [{ address: replyAddress(MAILBOX, 'a'.repeat(26)), name: null }], text: 'Let me in' }));
    expect(numberOf(guessed)).toBe(2);
    expect(shown()).toEqual(['card #1', 'mirror #1', 'card #2']);
  });

  it('the envelope recipient counts as well as the headers', async () => {
    const ticket = await opened();
    expect(await ingest(mail({ text: 'Bcc\'d reply' }), [replyAddress(MAILBOX, ticket.originTs)])).toMatchObject({ kind: 'appended', ticket: { id: ticket.id } });
  });

  it('In-Reply-To one of our Message-IDs joins its ticket', async () => {
    const ticket = await opened();
    const reply = await ingest(mail({ replyTo: [ourMessageId(ticket.originTs, 7, MAILBOX)], subject: 'Re: your request', text: 'Thanks, but it is still missing' }));
    expect(reply).toMatchObject({ kind: 'appended', ticket: { id: ticket.id } });
    expect(tickets.all()).toHaveLength(1);
  });

  it('References to a mail of the conversation that we stored join its ticket', async () => {
    const ticket = await opened({ messageId: 'original@customer.example' });
    const reply = await ingest(mail({ replyTo: ['unknown@elsewhere.example', 'original@customer.example'], subject: 'Fwd: Where is my order?', text: 'Forgot to say: order 42' }));
    expect(reply).toMatchObject({ kind: 'appended', ticket: { id: ticket.id } });
    expect(await texts(ticket.id)).toEqual(['It has been two weeks.', 'Forgot to say: order 42']);
  });

  it('[#N] in the subject joins N from its requester or someone who wrote on it; from a stranger it opens a new ticket', async () => {
    const ticket = await opened();
    expect(await ingest(mail({ subject: 'Re: Where is my order? [#1]', text: 'Still waiting' }))).toMatchObject({ kind: 'appended', ticket: { id: ticket.id } });

    const stranger = await ingest(mail({ from: { address: 'mallory@evil.example', name: null }, subject: 'Re: Where is my order? [#1]', text: 'Send me the invoice' }));
    expect(stranger).toMatchObject({ kind: 'created', ticket: { number: 2, requesterId: 'email:mallory@evil.example' } });

    // A colleague copied on the thread, who already wrote on #1 through its reply address, may use the tag.
    const colleague = { address: 'bob@customer.example', name: 'Bob' };
    await ingest(mail({ from: colleague, to: [{ address: replyAddress(MAILBOX, ticket.originTs), name: null }], text: 'I am Ann\'s colleague' }));
    expect(await ingest(mail({ from: colleague, subject: '[#1] one more thing', text: 'The parcel number is 99' }))).toMatchObject({ kind: 'appended', ticket: { id: ticket.id } });
    expect(await texts(ticket.id)).toEqual(['It has been two weeks.', 'Still waiting', 'I am Ann\'s colleague', 'The parcel number is 99']);
  });

  it('automated mail on no ticket is ignored; an auto-reply on a ticket is a note that changes no status', async () => {
    expect(await ingest(mail({ automated: 'auto-submitted', from: { address: 'newsletter@shop-tools.example', name: null } }))).toEqual({ kind: 'ignored', reason: 'automated mail (auto-submitted)' });
    expect(tickets.all()).toEqual([]);

    const ticket = await opened();
    await tickets.updateTicket(ticket.id, { status: 'pending', updatedAt: NOW });
    const away = await ingest(mail({ messageId: 'ooo@customer.example', automated: 'auto-reply', replyTo: [ourMessageId(ticket.originTs, 3, MAILBOX)], subject: 'Out of office' }));
    expect(away).toEqual({ kind: 'noted', ticket: expect.objectContaining({ id: ticket.id }), reason: 'auto-reply' });
    expect(notes).toEqual([{ ticket: 1, text: expect.stringContaining(`An automatic mail (auto-reply) from ${ANN}`), at: NOW, messageId: 'ooo@customer.example' }]);
    expect((await tickets.byId(ticket.id))!.status).toBe('pending');
    expect(await texts(ticket.id)).toEqual(['It has been two weeks.']);
    expect(shown()).toEqual(['card #1']);
  });

  it('a bounce names the ticket of the mail that bounced in a note; a bounce of no mail of ours is ignored', async () => {
    const ticket = await opened();
    const bounce = (originalMessageId: string) =>
      mail({
        from: { address: 'mailer-daemon@mx.customer.example', name: null },
        subject: 'Undelivered Mail Returned to Sender',
        automated: 'bounce',
        bounce: { originalMessageId, recipient: ANN, status: '5.1.1', action: 'failed', diagnostic: '5.1.1 <ann@customer.example>: user unknown' },
      });
    expect(await ingest(bounce(ourMessageId(ticket.originTs, 12, MAILBOX)))).toMatchObject({ kind: 'noted', reason: 'bounce', ticket: { id: ticket.id } });
    expect(notes.map((n) => [n.ticket, n.text])).toEqual([[1, `:warning: A mail on this ticket could not be delivered to ${ANN}: 5.1.1 <ann@customer.example>: user unknown.`]]);
    expect(await ingest(bounce('someone-else@elsewhere.example'))).toEqual({ kind: 'ignored', reason: 'a bounce of no mail of ours' });
    expect((await tickets.byId(ticket.id))!.status).toBe('new');
  });

  it('mail from the mailbox itself (any +tag) is ignored', async () => {
    expect(await ingest(mail({ from: { address: MAILBOX, name: 'Shop support' } }))).toEqual({ kind: 'ignored', reason: 'sent from our own mailbox' });
    expect(await ingest(mail({ from: { address: 'Support+abc@Shop.example', name: null } }))).toEqual({ kind: 'ignored', reason: 'sent from our own mailbox' });
    expect(tickets.all()).toEqual([]);
  });

  it('a merged ticket\'s mail goes on in the ticket it was merged into', async () => {
    const survivor = await opened({ subject: 'Where is my order?' });
    const duplicate = await opened({ subject: 'Order missing!!' });
    tickets.mergeInto(duplicate.id, survivor.id);
    await tickets.updateTicket(duplicate.id, { status: 'closed', updatedAt: NOW });

    const byToken = await ingest(mail({ to: [{ address: replyAddress(MAILBOX, duplicate.originTs), name: null }], text: 'Reply to the duplicate' }));
    expect(byToken).toMatchObject({ kind: 'appended', ticket: { id: survivor.id, status: 'new' } });
    const byTag = await ingest(mail({ subject: 'Re: Order missing!! [#2]', text: 'Tagged with the duplicate' }));
    expect(byTag).toMatchObject({ kind: 'appended', ticket: { id: survivor.id } });
    expect((await tickets.messages(survivor.id)).map((m) => m.text)).toContain('Tagged with the duplicate');
    expect((await tickets.byId(duplicate.id))!.status).toBe('closed');
  });

  it('follows a chain of merges to its end: mail for A, merged into B, merged into C, lands on C', async () => {
    const c = await opened({ subject: 'C' });
    const b = await opened({ subject: 'B' });
    const a = await opened({ subject: 'A' });
    tickets.mergeInto(b.id, c.id);
    tickets.mergeInto(a.id, b.id);
    const result = await ingest(mail({ to: [{ address: replyAddress(MAILBOX, a.originTs), name: null }], text: 'For A' }));
    expect(result).toMatchObject({ kind: 'appended', ticket: { id: c.id } });
  });

  it('a mail that arrives late keeps its own time but does not move the ticket\'s last update back', async () => {
    const ticket = await opened();
    clock.set(NOW + 60 * 60_000);
    await tickets.updateTicket(ticket.id, { updatedAt: NOW + 60 * 60_000 });
    await ingest(mail({ to: [{ address: replyAddress(MAILBOX, ticket.originTs), name: null }], text: 'Written at +10 min', date: NOW + 10 * 60_000 }));
    expect((await tickets.messages(ticket.id)).at(-1)!.sentAt).toBe(NOW + 10 * 60_000);
    expect((await tickets.byId(ticket.id))!.updatedAt).toBe(NOW + 60 * 60_000);
  });

  it('an Amazon buyer message: source amazon, and its order id as the order.number field', async () => {
    const ticket = await opened({ from: { address: 'x7k2@marketplace.amazon.com', name: 'Jane - Amazon Marketplace' }, subject: 'Inquiry from Amazon customer Jane (Order: 113-8847792-5633869)', amazon: { orderId: '113-8847792-5633869' } });
    expect(ticket).toMatchObject({ originKind: 'email', originSource: 'amazon' });
    expect(tickets.fieldsOf(ticket.id)).toEqual({ 'order.number': '113-8847792-5633869' });
    const plain = await opened({ amazon: { orderId: null } });
    expect(tickets.fieldsOf(plain.id)).toEqual({});
  });

  it('the Date header times a mail that arrives more than a minute late; a recent, future or missing one gives way to the clock', async () => {
    const sentAt = async (date: number | null) => {
      const ticket = await opened({ date });
      return [(await tickets.messages(ticket.id))[0]!.sentAt, ticket.createdAt];
    };
    expect(await sentAt(NOW - 5 * 60_000)).toEqual([NOW - 5 * 60_000, NOW - 5 * 60_000]);
    expect(await sentAt(NOW - 30_000)).toEqual([NOW, NOW]);
    expect(await sentAt(NOW + 3_600_000)).toEqual([NOW, NOW]);
    expect(await sentAt(null)).toEqual([NOW, NOW]);
  });

  it('attachments are shown in the triage thread with the new ticket, and with a reply\'s mirror', async () => {
    const receipt = { filename: 'receipt.pdf', contentType: 'application/pdf', size: 3, content: Buffer.from('pdf') };
    const ticket = await opened({ attachments: [receipt], text: '' });
    expect(ticket.subject).toBe('Where is my order?');
    expect((await tickets.messages(ticket.id))[0]!.files).toEqual([{ name: 'receipt.pdf', mimetype: 'application/pdf', permalink: null }]);
    expect(shown()).toEqual(['card #1', 'attachment #1 receipt.pdf']);

    const photo = { filename: 'parcel.jpg', contentType: 'image/jpeg', size: 4, content: Buffer.from('jpeg') };
    await ingest(mail({ replyTo: [ourMessageId(ticket.originTs, 1, MAILBOX)], attachments: [photo], text: 'Here is a photo' }));
    expect(shown()).toEqual(['card #1', 'attachment #1 receipt.pdf', 'mirror #1', 'attachment #1 parcel.jpg']);
  });

  it('a pleasantry opens nothing, but joins the ticket it answers without reopening it', async () => {
    expect(await ingest(mail({ text: 'Thanks!' }))).toEqual({ kind: 'ignored', reason: 'pleasantry' });
    const ticket = await opened();
    await tickets.updateTicket(ticket.id, { status: 'solved', updatedAt: NOW });
    expect(await ingest(mail({ replyTo: [ourMessageId(ticket.originTs, 2, MAILBOX)], text: 'Thanks!' }))).toMatchObject({ kind: 'appended', statusChanged: false, ticket: { status: 'solved' } });
  });
});
