import { statusAfterAgentTouch, statusAfterRequesterMessage, type AuthorRole, type Ticket, type TicketMessage } from '../domain/ticket.js';
import type { IngestDeps } from './ingest-deps.js';
import { sentAtOf, toNewMessage, type InboundMessage } from './inbound-message.js';

export interface AppendedMessage {
  ticket: Ticket;
  message: TicketMessage;
  role: AuthorRole;
  statusChanged: boolean;
}

/**
 * Adds a message from the origin side (requester follow-up, or an agent typing in the origin thread,
 * which is a public reply) to a ticket and moves its status. Null when the message was already stored.
 */
export async function appendMessage(
  ticketId: number,
  message: InboundMessage,
  role: 'requester' | 'agent',
  isPleasantry: boolean,
  deps: IngestDeps,
): Promise<AppendedMessage | null> {
  const sentAt = sentAtOf(message);
  const result = await deps.tickets.transaction(async (tx) => {
    const ticket = (await tx.byId(ticketId))!;
    const stored = await tx.insertMessage(toNewMessage(message, ticketId, role, 'public'));
    if (!stored) return null;
    // A spam ticket stays closed whatever its sender writes; a deleted one comes back when its requester writes again.
    const status = role === 'agent' ? statusAfterAgentTouch(ticket.status) : ticket.discarded === 'spam' ? ticket.status : statusAfterRequesterMessage(ticket.status, isPleasantry);
    await tx.updateTicket(ticketId, {
      status,
      ...(ticket.discarded === 'deleted' && status !== ticket.status ? { discarded: null } : {}),
      updatedAt: Math.max(sentAt, ticket.updatedAt), // a late mail keeps its own time but moves nothing back
      ...(role === 'requester' ? { lastRequesterMessageAt: Math.max(sentAt, ticket.lastRequesterMessageAt) } : {}),
    });
    const kind = role === 'agent' ? 'public_reply' : 'requester_message';
    await tx.addEvent(ticketId, { kind, actorId: message.userId, fromValue: null, toValue: null, messageId: stored.id, at: sentAt });
    if (status !== ticket.status) {
      await tx.addEvent(ticketId, { kind: 'status_changed', actorId: message.userId, fromValue: ticket.status, toValue: status, messageId: stored.id, at: sentAt });
    }
    const statusChanged = status !== ticket.status;
    if (deps.show) await tx.enqueue(await deps.show.appended({ ticket: { ...ticket, status }, message: stored, role, statusChanged }, tx));
    return { message: stored, statusChanged };
  });
  if (!result) return null;
  return { ticket: (await deps.tickets.byId(ticketId))!, role, ...result };
}
