// The ports of the ingest use cases (ingest-message, open-ticket, append-message, record-note,
// apply-message-change, email/ingest-email): exactly the store operations they call, so that they can run
// against the real stores (src/store, which satisfy these structurally) or against in-memory fakes in unit tests
// (test/support/in-memory-stores.ts). The clock is `Clock` (src/domain/clock.ts).
import type { IdentityKind } from '../domain/customer.js';
import type { Ticket, TicketEvent, TicketFile, TicketMessage } from '../domain/ticket.js';
import type { IntakeChannel } from '../store/channel-store.js';
import type { NewDelivery } from '../store/outbox-store.js';
import type { NewMessage, TicketPatch } from '../store/ticket-store.js';
import type { OpeningOutcome, TicketOpening } from '../store/ticket-writer.js';

/** What the use cases do inside one ticket transaction: all of it is written, or none. */
export interface TicketTxPort {
  byId(id: number): Promise<Ticket | null>;
  /** Stores a message once per (channel, ts); null when it was already stored (a redelivery). */
  insertMessage(input: NewMessage): Promise<TicketMessage | null>;
  updateTicket(id: number, patch: TicketPatch): Promise<void>;
  addEvent(ticketId: number, event: TicketEvent): Promise<void>;
  editMessage(id: number, text: string, editedAt: number, files?: TicketFile[]): Promise<void>;
  markMessageDeleted(id: number, deletedAt: number): Promise<void>;
  /** A ticket's messages, oldest first. */
  messages(ticketId: number): Promise<TicketMessage[]>;
  /** Records Slack deliveries (the outbox) with the change they show. */
  enqueue(deliveries: NewDelivery[]): Promise<void>;
  /** Who follows a ticket: read in the transaction by the `show.appended` hook the use cases hand it to. */
  followers(ticketId: number): Promise<string[]>;
}

/** Tickets as the ingest use cases see them. */
export interface TicketPort {
  byId(id: number): Promise<Ticket | null>;
  /** Opens a ticket with its first message; `duplicate` when its message or its origin thread is already stored. */
  open(opening: TicketOpening): Promise<OpeningOutcome>;
  byNumber(teamId: string, number: number): Promise<Ticket | null>;
  /** The ticket opened by a conversation (a Slack thread, or an email mailbox channel and reply token). */
  byOrigin(channelId: string, ts: string): Promise<Ticket | null>;
  /** The requester's still-active ticket in a channel that they last wrote to at or after `since`. */
  recentActiveTicket(channelId: string, requesterId: string, since: number): Promise<Ticket | null>;
  messageByTs(channelId: string, ts: string): Promise<TicketMessage | null>;
  /** A ticket's messages, oldest first. */
  messages(ticketId: number): Promise<TicketMessage[]>;
  setField(ticketId: number, name: string, value: string, now: number): Promise<void>;
  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: TicketTxPort) => Promise<T>): Promise<T>;
}

/** Where messages come in and where their tickets are worked. */
export interface ChannelPort {
  /** The intake rules of a channel (a Slack channel, or `email:<mailbox>`), or null when it is no intake channel. */
  intake(channelId: string): Promise<IntakeChannel | null>;
  /** The workspace's default triage channel (where direct messages' tickets go), or null. */
  defaultTriage(teamId: string): Promise<string | null>;
}

/** Customers known across channels by their identities. */
export interface CustomerPort {
  /** The customer known by this identity, created (with `name`) if nobody is yet. */
  identify(teamId: string, kind: IdentityKind, value: string, name: string | null, now: number): Promise<number>;
  /** The customer known by this identity, or null. */
  find(teamId: string, kind: IdentityKind, value: string): Promise<number | null>;
  /** Adds an identity to a customer (nothing if it is theirs already). */
  link(customerId: number, teamId: string, kind: IdentityKind, value: string): Promise<void>;
}
