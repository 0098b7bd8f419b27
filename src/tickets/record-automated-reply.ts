import type { Ticket } from '../domain/ticket.js';
import { tsToMillis } from '../ingest/slack-ts.js';
import type { TicketDeps } from './ticket-action.js';

/**
 * Records an automatic reply the bot posted (the acknowledgement template). It is public, but written by the
 * bot: it is kept as an `auto_reply`, never as an agent's public reply, so no metric counts it as a response.
 */
export async function recordAutomatedReply(ticket: Ticket, channelId: string, ts: string, text: string, deps: TicketDeps, sentAt = tsToMillis(ts)): Promise<void> {
  await deps.tickets.transaction(async (tx) => {
    const stored = await tx.insertMessage({ ticketId: ticket.id, channelId, ts, threadTs: ticket.originTs, userId: null, authorRole: 'bot', visibility: 'public', text, files: [], sentAt });
    if (stored) await tx.addEvent(ticket.id, { kind: 'auto_reply', actorId: null, fromValue: null, toValue: null, messageId: stored.id, at: sentAt });
  });
}
