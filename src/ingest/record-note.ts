import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { IngestDeps } from './ingest-deps.js';
import type { InboundMessage } from './inbound-message.js';
import { tsToMillis } from './slack-ts.js';

/** A plain agent message in a triage thread: an internal note, kept with the ticket, never sent to the requester. */
export async function recordNote(ticket: Ticket, message: InboundMessage, deps: IngestDeps): Promise<TicketMessage | null> {
  const sentAt = tsToMillis(message.ts);
  return deps.tickets.transaction(async (tx) => {
    const stored = await tx.insertMessage({
      ticketId: ticket.id,
      channelId: message.channelId,
      ts: message.ts,
      threadTs: message.threadTs,
      userId: message.userId,
      authorRole: 'agent',
      visibility: 'internal',
      text: message.text,
      files: message.files,
      sentAt,
    });
    if (stored) await tx.addEvent(ticket.id, { kind: 'note', actorId: message.userId, fromValue: null, toValue: null, messageId: stored.id, at: sentAt });
    return stored;
  });
}
