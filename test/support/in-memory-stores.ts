// In-memory fakes of the ingest ports (src/ingest/ports.ts), for unit tests of the use cases: no database, no
// Slack. They keep the real stores' rules that the use cases depend on: ticket numbers per workspace from 1, one
// message per (channel, ts), one ticket per origin (channel, ts), `open` answering `duplicate` to a repeat, and
// Slack deliveries recorded with the change that causes them (kept in `deliveries` for the test to read).
// A transaction runs its work against the same maps: there is no rollback.
import type { IdentityKind } from '../../src/domain/customer.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Ticket, TicketEvent, TicketFile, TicketMessage } from '../../src/domain/ticket.js';
import type { IngestDeps, IngestPorts } from '../../src/ingest/ingest-deps.js';
import type { ChannelPort, CustomerPort, TicketPort, TicketTxPort } from '../../src/ingest/ports.js';
import type { IntakeChannel } from '../../src/store/channel-store.js';
import type { NewDelivery } from '../../src/store/outbox-store.js';
import type { NewMessage, TicketPatch } from '../../src/store/ticket-store.js';
import type { OpeningOutcome, TicketOpening } from '../../src/store/ticket-writer.js';

export interface RecordedEvent extends TicketEvent {
  ticketId: number;
}

export interface InMemoryTickets extends TicketPort, TicketTxPort {
  /** Every Slack delivery recorded (by `open` and `enqueue`), in order. */
  readonly deliveries: NewDelivery[];
  /** Every history event written, in order. */
  readonly events: RecordedEvent[];
  /** Every ticket, by id. */
  all(): Ticket[];
  fieldsOf(ticketId: number): Record<string, string>;
  follow(ticketId: number, userId: string): void;
  /** What merging does to the store: the duplicate's messages move to the survivor; the duplicate is marked. */
  mergeInto(duplicateId: number, survivorId: number): void;
}

const key = (channelId: string, ts: string) => `${channelId}\u0000${ts}`;
const copy = <T>(value: T): T => structuredClone(value);

export function createInMemoryTickets(): InMemoryTickets {
  const tickets = new Map<number, Ticket>();
  const messages = new Map<string, TicketMessage>(); // by (channel, ts)
  const numbers = new Map<string, number>(); // last number taken, per workspace
  const fields = new Map<number, Record<string, string>>();
  const followers = new Map<number, Set<string>>();
  const deliveries: NewDelivery[] = [];
  const events: RecordedEvent[] = [];
  let nextMessageId = 1;

  const byOriginNow = (channelId: string, ts: string) => [...tickets.values()].find((t) => t.originChannelId === channelId && t.originTs === ts) ?? null;

  function storeMessage(input: NewMessage): TicketMessage {
    const message: TicketMessage = { ...copy(input), id: nextMessageId++, quoted: input.quoted || null, mirrorTs: null, editedAt: null, deletedAt: null };
    messages.set(key(input.channelId, input.ts), message);
    return message;
  }

  const store: InMemoryTickets = {
    deliveries,
    events,

    async open(opening: TicketOpening): Promise<OpeningOutcome> {
      const { ticket: t, message: m } = opening;
      if (messages.has(key(m.channelId, m.ts)) || byOriginNow(t.originChannelId, t.originTs)) return { kind: 'duplicate' };
      const number = (numbers.get(t.teamId) ?? 0) + 1;
      numbers.set(t.teamId, number);
      const ticket: Ticket = {
        id: tickets.size + 1,
        teamId: t.teamId,
        number,
        subject: t.subject,
        status: 'new',
        priority: 'normal',
        requesterId: t.requesterId,
        requesterTeamId: t.requesterTeamId,
        originChannelId: t.originChannelId,
        originTs: t.originTs,
        originPermalink: null,
        originKind: t.originKind ?? 'slack',
        originSource: t.originSource ?? null,
        customerId: t.customerId ?? null,
        triageChannelId: t.triageChannelId,
        cardTs: null,
        assigneeId: null,
        source: t.source,
        tags: [],
        createdAt: t.createdAt,
        updatedAt: t.createdAt,
        solvedAt: null,
        lastRequesterMessageAt: t.createdAt,
        mergedIntoId: null,
        discarded: null,
      };
      tickets.set(ticket.id, ticket);
      const message = storeMessage({ ...m, ticketId: ticket.id });
      events.push({ ticketId: ticket.id, kind: 'created', actorId: opening.openedBy, fromValue: null, toValue: 'new', messageId: message.id, at: t.createdAt });
      deliveries.push(...(opening.deliveries?.(copy(ticket), copy(message)) ?? []));
      return { kind: 'created', ticket: copy(ticket), message: copy(message) };
    },

    async byId(id) {
      const ticket = tickets.get(id);
      return ticket ? copy(ticket) : null;
    },
    async byNumber(teamId, number) {
      const ticket = [...tickets.values()].find((t) => t.teamId === teamId && t.number === number);
      return ticket ? copy(ticket) : null;
    },
    async byOrigin(channelId, ts) {
      const ticket = byOriginNow(channelId, ts);
      return ticket ? copy(ticket) : null;
    },
    async recentActiveTicket(channelId, requesterId, since) {
      const ticket = [...tickets.values()]
        .filter((t) => t.originChannelId === channelId && t.requesterId === requesterId && t.status !== 'solved' && t.status !== 'closed' && t.lastRequesterMessageAt >= since)
        .sort((a, b) => b.lastRequesterMessageAt - a.lastRequesterMessageAt)[0];
      return ticket ? copy(ticket) : null;
    },
    async messageByTs(channelId, ts) {
      const message = messages.get(key(channelId, ts));
      return message ? copy(message) : null;
    },
    async messages(ticketId) {
      return [...messages.values()].filter((m) => m.ticketId === ticketId).sort((a, b) => a.sentAt - b.sentAt || a.id - b.id).map(copy);
    },
    async setField(ticketId, name, value) {
      fields.set(ticketId, { ...fields.get(ticketId), [name]: value });
    },
    async transaction<T>(work: (tx: TicketTxPort) => Promise<T>): Promise<T> {
      return work(store);
    },

    async insertMessage(input: NewMessage) {
      return messages.has(key(input.channelId, input.ts)) ? null : copy(storeMessage(input));
    },
    async updateTicket(id: number, patch: TicketPatch) {
      const ticket = tickets.get(id);
      if (!ticket) return;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      tickets.set(id, { ...ticket, ...defined });
    },
    async addEvent(ticketId: number, event: TicketEvent) {
      events.push({ ticketId, ...event });
    },
    async editMessage(id: number, text: string, editedAt: number, files?: TicketFile[]) {
      for (const m of messages.values()) if (m.id === id) Object.assign(m, { text, editedAt, ...(files ? { files: copy(files) } : {}) });
    },
    async markMessageDeleted(id: number, deletedAt: number) {
      for (const m of messages.values()) if (m.id === id) m.deletedAt = deletedAt;
    },
    async enqueue(recorded: NewDelivery[]) {
      deliveries.push(...recorded);
    },
    async followers(ticketId: number) {
      return [...(followers.get(ticketId) ?? [])].sort();
    },

    all: () => [...tickets.values()].map(copy),
    fieldsOf: (ticketId) => ({ ...fields.get(ticketId) }),
    follow(ticketId, userId) {
      followers.set(ticketId, new Set([...(followers.get(ticketId) ?? []), userId]));
    },
    mergeInto(duplicateId, survivorId) {
      for (const m of messages.values()) if (m.ticketId === duplicateId) m.ticketId = survivorId;
      const duplicate = tickets.get(duplicateId)!;
      tickets.set(duplicateId, { ...duplicate, mergedIntoId: survivorId });
    },
  };
  return store;
}

export interface InMemoryChannels extends ChannelPort {
  /** Makes an intake channel, with the real store's default rules unless given. */
  connect(intake: Pick<IntakeChannel, 'channelId' | 'teamId' | 'triageChannelId'> & Partial<IntakeChannel>): IntakeChannel;
  setDefaultTriage(teamId: string, triageChannelId: string): void;
}

export function createInMemoryChannels(): InMemoryChannels {
  const intakes = new Map<string, IntakeChannel>();
  const defaults = new Map<string, string>();
  return {
    async intake(channelId) {
      const intake = intakes.get(channelId);
      return intake ? { ...intake } : null;
    },
    async defaultTriage(teamId) {
      return defaults.get(teamId) ?? null;
    },
    connect(intake) {
      const full: IntakeChannel = { pleasantryFilter: true, burstWindowSeconds: 300, ackTemplate: null, csatEnabled: true, csatDelayMinutes: 0, ...intake, replyUrl: intake.replyUrl ?? null };
      intakes.set(full.channelId, full);
      return { ...full };
    },
    setDefaultTriage(teamId, triageChannelId) {
      defaults.set(teamId, triageChannelId);
    },
  };
}

export interface InMemoryCustomer {
  id: number;
  teamId: string;
  name: string | null;
  identities: { kind: IdentityKind; value: string }[];
}

export interface InMemoryCustomers extends CustomerPort {
  all(): InMemoryCustomer[];
}

export function createInMemoryCustomers(): InMemoryCustomers {
  const customers: InMemoryCustomer[] = [];
  return {
    async identify(teamId, kind, value, name) {
      const known = customers.find((c) => c.teamId === teamId && c.identities.some((i) => i.kind === kind && i.value === value));
      if (known) return known.id;
      const customer = { id: customers.length + 1, teamId, name, identities: [{ kind, value }] };
      customers.push(customer);
      return customer.id;
    },
    async find(teamId, kind, value) {
      return customers.find((c) => c.teamId === teamId && c.identities.some((i) => i.kind === kind && i.value === value))?.id ?? null;
    },
    async link(customerId, teamId, kind, value) {
      const customer = customers.find((c) => c.id === customerId && c.teamId === teamId);
      if (customer && !customer.identities.some((i) => i.kind === kind && i.value === value)) customer.identities.push({ kind, value });
    },
    all: () => copy(customers),
  };
}

/** A clock that moves only when the test moves it. */
export interface FixedClock extends Clock {
  set(at: number): void;
  advance(ms: number): void;
}

export function fixedClock(at: number): FixedClock {
  let now = at;
  return {
    now: () => now,
    set(to) {
      now = to;
    },
    advance(ms) {
      now += ms;
    },
  };
}

/**
 * The use cases' deps type (IngestDeps) still names the concrete stores, because the ticket use cases (src/tickets)
 * share it; the ingest use cases call only what IngestPorts names, which is what the fakes implement (a call to
 * anything else fails the test with "is not a function").
 */
export const asIngestDeps = <D extends IngestPorts>(deps: D): D & IngestDeps => deps as D & IngestDeps;
