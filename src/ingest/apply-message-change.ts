import type { Ticket, TicketFile, TicketMessage } from '../domain/ticket.js';
import { subjectFrom } from './slack-text.js';
import type { IngestDeps } from './ingest-deps.js';

export interface MessageChange {
  channelId: string;
  ts: string;
  /** When the change happened (the edit's or deletion's event time). */
  at: number;
}

export interface ChangedMessage {
  ticket: Ticket;
  message: TicketMessage;
}

/** An edit in Slack updates the stored message (and the subject, when it was the ticket's first message). */
export async function applyMessageEdit(change: MessageChange & { text: string; files?: TicketFile[] }, deps: IngestDeps): Promise<ChangedMessage | null> {
  const stored = await deps.tickets.messageByTs(change.channelId, change.ts);
  if (!stored || stored.text === change.text) return null; // Slack also sends message_changed for unfurls and reply counts
  await deps.tickets.transaction(async (tx) => {
    await tx.editMessage(stored.id, change.text, change.at, change.files);
    await tx.addEvent(stored.ticketId, { kind: 'message_edited', actorId: stored.userId, fromValue: null, toValue: null, messageId: stored.id, at: change.at });
    const ticket = (await tx.byId(stored.ticketId))!;
    if (ticket.originChannelId === change.channelId && ticket.originTs === change.ts) {
      await tx.updateTicket(ticket.id, { subject: subjectFrom(change.text, ticket.subject), updatedAt: change.at });
    }
  });
  return reload(stored.ticketId, change, deps);
}

/** A deletion in Slack marks the stored message deleted; its text is kept for the ticket's history. */
export async function applyMessageDeletion(change: MessageChange, deps: IngestDeps): Promise<ChangedMessage | null> {
  const stored = await deps.tickets.messageByTs(change.channelId, change.ts);
  if (!stored || stored.deletedAt !== null) return null;
  await deps.tickets.transaction(async (tx) => {
    await tx.markMessageDeleted(stored.id, change.at);
    await tx.addEvent(stored.ticketId, { kind: 'message_deleted', actorId: stored.userId, fromValue: null, toValue: null, messageId: stored.id, at: change.at });
  });
  return reload(stored.ticketId, change, deps);
}

async function reload(ticketId: number, change: MessageChange, deps: IngestDeps): Promise<ChangedMessage> {
  return {
    ticket: (await deps.tickets.byId(ticketId))!,
    message: (await deps.tickets.messageByTs(change.channelId, change.ts))!,
  };
}
