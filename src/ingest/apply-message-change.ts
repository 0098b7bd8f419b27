import { isActive, type Ticket, type TicketFile, type TicketMessage } from '../domain/ticket.js';
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
  /** The deletion took the ticket's last words before anyone answered: it is closed and left out of figures. */
  discarded?: boolean;
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

/**
 * A deletion in Slack marks the stored message deleted; its text is kept for the ticket's history. When the
 * requester has deleted everything they wrote and nobody answered yet (a question posted in the wrong place and
 * taken back), there is nothing left to answer: the ticket is closed as `deleted`, left out of every figure.
 */
export async function applyMessageDeletion(change: MessageChange, deps: IngestDeps): Promise<ChangedMessage | null> {
  const stored = await deps.tickets.messageByTs(change.channelId, change.ts);
  if (!stored || stored.deletedAt !== null) return null;
  const discarded = await deps.tickets.transaction(async (tx) => {
    await tx.markMessageDeleted(stored.id, change.at);
    await tx.addEvent(stored.ticketId, { kind: 'message_deleted', actorId: stored.userId, fromValue: null, toValue: null, messageId: stored.id, at: change.at });
    const ticket = (await tx.byId(stored.ticketId))!;
    if (stored.authorRole !== 'requester' || !isActive(ticket.status) || ticket.mergedIntoId !== null || ticket.discarded !== null) return false;
    const messages = await tx.messages(ticket.id);
    const answered = messages.some((m) => m.authorRole === 'agent' && m.visibility === 'public');
    const wordsLeft = messages.some((m) => m.authorRole === 'requester' && m.deletedAt === null && m.id !== stored.id);
    if (answered || wordsLeft) return false;
    await tx.updateTicket(ticket.id, { status: 'closed', discarded: 'deleted', updatedAt: change.at });
    await tx.addEvent(ticket.id, { kind: 'status_changed', actorId: stored.userId, fromValue: ticket.status, toValue: 'closed', messageId: stored.id, at: change.at });
    return true;
  });
  return { ...(await reload(stored.ticketId, change, deps)), ...(discarded ? { discarded } : {}) };
}

async function reload(ticketId: number, change: MessageChange, deps: IngestDeps): Promise<ChangedMessage> {
  return {
    ticket: (await deps.tickets.byId(ticketId))!,
    message: (await deps.tickets.messageByTs(change.channelId, change.ts))!,
  };
}
