import { CHAT_CHANNEL } from '../../domain/intake-channel.js';
import type { Ticket } from '../../domain/ticket.js';
import type { TicketStore } from '../../store/ticket-store.js';

/**
 * The chat visitor a public reply on this ticket goes to: a chat ticket's own, or, on a ticket a chat was merged
 * into, the visitor who wrote last when the customer's latest message came from the chat. Null: the reply goes
 * by the ticket's origin.
 */
export async function chatVisitorOf(ticket: Ticket, tickets: Pick<TicketStore, 'messages'>): Promise<string | null> {
  if (ticket.originKind === 'chat') return ticket.originTs;
  const latest = (await tickets.messages(ticket.id)).filter((m) => m.authorRole === 'requester' && m.visibility === 'public' && m.deletedAt === null).at(-1);
  return latest?.channelId === CHAT_CHANNEL ? latest.threadTs : null;
}
