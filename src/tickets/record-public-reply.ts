import { statusAfterAgentTouch, type Ticket, type TicketMessage } from '../domain/ticket.js';
import { tsToMillis } from '../ingest/slack-ts.js';
import type { NewDelivery } from '../store/outbox-store.js';
import type { TicketDeps } from './ticket-action.js';

export interface PublicReplyInput {
  ticket: Ticket;
  agentId: string;
  text: string;
  /** Where the bot posted it (the origin thread) and the ts Slack gave it. */
  channelId: string;
  ts: string;
  /** The conversation it answers in that channel, when not the ticket's origin (a chat visitor's, after a merge). */
  threadTs?: string;
  /** When it was sent, for channels whose ids are not Slack timestamps (email). */
  sentAt?: number;
  /** What Slack should show for it, recorded in the same transaction (the triage line, the card update). */
  show?: (updated: Ticket, message: TicketMessage) => NewDelivery[];
}

/** Records a public reply the bot has just posted in the origin thread on an agent's behalf. */
export async function recordPublicReply(input: PublicReplyInput, deps: TicketDeps): Promise<{ ticket: Ticket; message: TicketMessage | null }> {
  const sentAt = input.sentAt ?? tsToMillis(input.ts);
  const message = await deps.tickets.transaction(async (tx) => {
    const current = (await tx.byId(input.ticket.id))!;
    const stored = await tx.insertMessage({
      ticketId: current.id,
      channelId: input.channelId,
      ts: input.ts,
      threadTs: input.threadTs ?? current.originTs,
      userId: input.agentId,
      authorRole: 'agent',
      visibility: 'public',
      text: input.text,
      files: [],
      sentAt,
    });
    if (!stored) return null;
    const status = statusAfterAgentTouch(current.status);
    await tx.updateTicket(current.id, { status, updatedAt: sentAt });
    await tx.addEvent(current.id, { kind: 'public_reply', actorId: input.agentId, fromValue: null, toValue: null, messageId: stored.id, at: sentAt });
    if (status !== current.status) {
      await tx.addEvent(current.id, { kind: 'status_changed', actorId: input.agentId, fromValue: current.status, toValue: status, messageId: stored.id, at: sentAt });
    }
    if (input.show) await tx.enqueue(input.show({ ...current, status, updatedAt: sentAt }, stored));
    return stored;
  });
  return { ticket: (await deps.tickets.byId(input.ticket.id))!, message };
}
