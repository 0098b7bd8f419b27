import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { IngestDeps } from './ingest-deps.js';
import { toNewMessage, type InboundMessage } from './inbound-message.js';

/** A plain agent message in a triage thread: an internal note, kept with the ticket, never sent to the requester. */
export async function recordNote(ticket: Ticket, message: InboundMessage, deps: IngestDeps): Promise<TicketMessage | null> {
  return deps.tickets.transaction(async (tx) => {
    const stored = await tx.insertMessage(toNewMessage(message, ticket.id, 'agent', 'internal'));
    if (stored) await tx.addEvent(ticket.id, { kind: 'note', actorId: message.userId, fromValue: null, toValue: null, messageId: stored.id, at: stored.sentAt });
    return stored;
  });
}
