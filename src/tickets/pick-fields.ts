import { extractFields } from '../domain/template.js';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { TicketDeps } from './ticket-action.js';
import { slackToPlain } from '../ingest/slack-text.js';

/**
 * Picks ticket fields (an order number…) out of a customer's message with its channel's patterns. A field
 * already set (by an agent or an earlier message) is kept. Returns the fields it set.
 */
export async function pickFields(ticket: Ticket, message: TicketMessage, deps: TicketDeps): Promise<Record<string, string>> {
  const patterns = await deps.channels.fieldPatterns(ticket.originChannelId);
  if (Object.keys(patterns).length === 0) return {};
  const existing = await deps.tickets.fields(ticket.id);
  const found = Object.entries(extractFields(slackToPlain(message.text), patterns)).filter(([field]) => !(field in existing));
  if (found.length === 0) return {};
  await deps.tickets.transaction(async (tx) => {
    for (const [field, value] of found) {
      await tx.setField(ticket.id, field, value, message.sentAt);
      await tx.addEvent(ticket.id, { kind: 'field_set', actorId: null, fromValue: field, toValue: value, messageId: message.id, at: message.sentAt });
    }
  });
  return Object.fromEntries(found);
}
