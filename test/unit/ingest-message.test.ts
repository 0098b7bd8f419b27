import { beforeEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/ticket.js';
import type { InboundMessage } from '../../src/ingest/inbound-message.js';
import { ingestMessage } from '../../src/ingest/ingest-message.js';
import type { NewDelivery } from '../../src/store/outbox-store.js';
import { asIngestDeps, createInMemoryChannels, createInMemoryTickets, fixedClock, type InMemoryChannels, type InMemoryTickets } from '../support/in-memory-stores.js';

// Slack messages into tickets (ingestMessage), against in-memory stores: no database, no Slack.

const TEAM = 'T1';
const INTAKE = 'C_HELP';
const TRIAGE = 'C_TRIAGE';
const CUSTOMER = 'U_CUSTOMER';
const AGENT = 'U_AGENT';
const T0 = 1_780_000_000; // seconds, as Slack's ts counts them

/** A Slack ts `seconds` after T0. */
const ts = (seconds: number) => `${T0 + seconds}.000100`;

/** What the test's `show` records: which delivery, for which ticket. */
const delivery = (kind: string, ticket: Ticket): NewDelivery => ({ teamId: ticket.teamId, lane: `ticket:${ticket.id}`, bucket: 'chat', kind, payload: { number: ticket.number } });
const shown = (tickets: InMemoryTickets) => tickets.deliveries.map((d) => `${d.kind} #${(d.payload as { number: number }).number}`);

let tickets: InMemoryTickets;
let channels: InMemoryChannels;

const deps = () =>
  asIngestDeps({
    tickets,
    channels,
    clock: fixedClock((T0 + 3600) * 1000),
    isAgent: async (userId: string, triageChannelId: string) => userId === AGENT && triageChannelId === TRIAGE,
    show: {
      created: (ticket: Ticket) => [delivery('card', ticket)],
      appended: async ({ ticket, statusChanged }: { ticket: Ticket; statusChanged: boolean }) => [delivery('mirror', ticket), ...(statusChanged ? [delivery('card', ticket)] : [])],
    },
  });

const message = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  teamId: TEAM,
  channelId: INTAKE,
  isDirectMessage: false,
  ts: ts(0),
  threadTs: null,
  userId: CUSTOMER,
  userTeamId: TEAM,
  text: 'My order never arrived',
  files: [],
  ...over,
});

const texts = async (ticketId: number) => (await tickets.messages(ticketId)).map((m) => m.text);

describe('ingestMessage (Slack messages into tickets, in-memory stores)', () => {
  beforeEach(() => {
    tickets = createInMemoryTickets();
    channels = createInMemoryChannels();
    channels.connect({ channelId: INTAKE, teamId: TEAM, triageChannelId: TRIAGE }); // burst window 300 s, pleasantry filter on
  });

  it('a top-level message in an intake channel opens a ticket, timed by its ts, with its card recorded', async () => {
    const result = await ingestMessage(message(), deps());
    expect(result.kind).toBe('created');
    const [ticket] = tickets.all();
    expect(ticket).toMatchObject({ number: 1, status: 'new', subject: 'My order never arrived', requesterId: CUSTOMER, originChannelId: INTAKE, originTs: ts(0), triageChannelId: TRIAGE, source: 'message', originKind: 'slack', createdAt: T0 * 1000 });
    expect(await texts(ticket!.id)).toEqual(['My order never arrived']);
    expect(shown(tickets)).toEqual(['card #1']);
    expect(tickets.events.map((e) => [e.ticketId, e.kind, e.actorId])).toEqual([[1, 'created', CUSTOMER]]);
  });

  it('a pleasantry opens nothing; one in a channel without the filter does', async () => {
    expect(await ingestMessage(message({ text: 'thanks! 🙏' }), deps())).toEqual({ kind: 'ignored', reason: 'pleasantry' });
    expect(tickets.all()).toEqual([]);
    expect(tickets.deliveries).toEqual([]);

    channels.connect({ channelId: 'C_RAW', teamId: TEAM, triageChannelId: TRIAGE, pleasantryFilter: false });
    expect((await ingestMessage(message({ channelId: 'C_RAW', text: 'thanks!' }), deps())).kind).toBe('created');
  });

  it('a follow-up within the burst window joins the requester\'s ticket; one after it opens the next ticket', async () => {
    await ingestMessage(message(), deps());
    const followUp = await ingestMessage(message({ ts: ts(60), text: 'The tracking number is 1Z999' }), deps());
    expect(followUp).toMatchObject({ kind: 'appended', role: 'requester', statusChanged: false, ticket: { number: 1, status: 'new' } });
    expect(await texts(1)).toEqual(['My order never arrived', 'The tracking number is 1Z999']);

    // 300 s after the follow-up (the last time they wrote), the window is over.
    const later = await ingestMessage(message({ ts: ts(60 + 301), text: 'Also, can I change my address?' }), deps());
    expect(later).toMatchObject({ kind: 'created', ticket: { number: 2 } });
    expect(shown(tickets)).toEqual(['card #1', 'mirror #1', 'card #2']);
  });

  it('a thread reply appends: an agent\'s opens the ticket, the requester\'s answer to a pending ticket reopens it', async () => {
    await ingestMessage(message(), deps());
    const reply = await ingestMessage(message({ ts: ts(120), threadTs: ts(0), userId: AGENT, text: 'Sorry! Looking into it.' }), deps());
    expect(reply).toMatchObject({ kind: 'appended', role: 'agent', statusChanged: true, ticket: { number: 1, status: 'open' } });

    await tickets.updateTicket(1, { status: 'pending', updatedAt: (T0 + 130) * 1000 });
    const answer = await ingestMessage(message({ ts: ts(200), threadTs: ts(0), text: 'It is order 42' }), deps());
    expect(answer).toMatchObject({ kind: 'appended', role: 'requester', statusChanged: true, ticket: { status: 'open', lastRequesterMessageAt: (T0 + 200) * 1000 } });

    expect(await texts(1)).toEqual(['My order never arrived', 'Sorry! Looking into it.', 'It is order 42']);
    expect(tickets.events.filter((e) => e.kind !== 'created').map((e) => [e.kind, e.fromValue, e.toValue])).toEqual([
      ['public_reply', null, null],
      ['status_changed', 'new', 'open'],
      ['requester_message', null, null],
      ['status_changed', 'pending', 'open'],
    ]);
    expect(shown(tickets)).toEqual(['card #1', 'mirror #1', 'card #1', 'mirror #1', 'card #1']);
    expect(await ingestMessage(message({ ts: ts(300), threadTs: ts(299) }), deps())).toEqual({ kind: 'ignored', reason: 'not a ticket thread' });
  });

  it('an agent\'s top-level message opens nothing, and a message outside intake channels neither', async () => {
    expect(await ingestMessage(message({ userId: AGENT, text: 'Heads up: the shop is down' }), deps())).toEqual({ kind: 'ignored', reason: 'top-level message from an agent' });
    expect(await ingestMessage(message({ channelId: 'C_RANDOM' }), deps())).toEqual({ kind: 'ignored', reason: 'not an intake channel' });
    expect(tickets.all()).toEqual([]);
    expect(tickets.deliveries).toEqual([]);
  });

  it('a duplicate delivery is ignored, with or without a burst window', async () => {
    await ingestMessage(message(), deps());
    expect(await ingestMessage(message(), deps())).toEqual({ kind: 'ignored', reason: 'duplicate delivery' });
    await ingestMessage(message({ ts: ts(10), threadTs: ts(0), text: 'Any news?' }), deps());
    expect(await ingestMessage(message({ ts: ts(10), threadTs: ts(0), text: 'Any news?' }), deps())).toEqual({ kind: 'ignored', reason: 'duplicate delivery' });

    // Without a burst window the repeat reaches `open`, which refuses it.
    channels.connect({ channelId: 'C_NOBURST', teamId: TEAM, triageChannelId: TRIAGE, burstWindowSeconds: 0 });
    await ingestMessage(message({ channelId: 'C_NOBURST', ts: ts(20) }), deps());
    expect(await ingestMessage(message({ channelId: 'C_NOBURST', ts: ts(20) }), deps())).toEqual({ kind: 'ignored', reason: 'duplicate delivery' });

    expect(tickets.all().map((t) => t.number)).toEqual([1, 2]);
    expect(await texts(1)).toEqual(['My order never arrived', 'Any news?']);
    expect(shown(tickets)).toEqual(['card #1', 'mirror #1', 'card #2']);
  });

  it('a direct message to the app opens a ticket in the default triage channel, once one is set', async () => {
    const dm = message({ channelId: 'D_CUSTOMER', isDirectMessage: true });
    expect(await ingestMessage(dm, deps())).toEqual({ kind: 'ignored', reason: 'no triage channel configured' });
    channels.setDefaultTriage(TEAM, TRIAGE);
    expect(await ingestMessage(dm, deps())).toMatchObject({ kind: 'created', ticket: { number: 1, source: 'dm', triageChannelId: TRIAGE } });
  });
});
