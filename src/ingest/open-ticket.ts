import type { Ticket, TicketMessage, TicketSource } from '../domain/ticket.js';
import { subjectFrom } from './slack-text.js';
import { isUniqueViolation, type IngestDeps } from './ingest-deps.js';
import { toNewMessage, type InboundMessage } from './inbound-message.js';
import { tsToMillis } from './slack-ts.js';

export interface OpenTicketInput {
  message: InboundMessage;
  triageChannelId: string;
  source: TicketSource;
  /** Who opened it (a reaction or shortcut by someone else); null when the requester's own message did. */
  openedBy: string | null;
}

export type OpenTicketResult = { kind: 'created'; ticket: Ticket; message: TicketMessage } | { kind: 'exists'; ticket: Ticket };

/**
 * Makes a ticket of a Slack message. The ticket's time is the message's own `ts`, even when an agent
 * opens it later on the requester's behalf. One ticket per origin thread: a repeat returns the existing one.
 */
export async function openTicket(input: OpenTicketInput, deps: IngestDeps): Promise<OpenTicketResult> {
  const { message } = input;
  const rootTs = message.threadTs ?? message.ts;
  // No read first: the unique keys on (origin thread) and (channel, ts) decide, also between instances.
  const createdAt = tsToMillis(message.ts);
  try {
    return await deps.tickets.transaction(async (tx) => {
      const number = await tx.allocateNumber(message.teamId);
      const ticket = await tx.insertTicket(
        {
          teamId: message.teamId,
          subject: subjectFrom(message.text, message.files[0]?.name ?? '(no text)'),
          requesterId: message.userId,
          requesterTeamId: message.userTeamId,
          originChannelId: message.channelId,
          originTs: rootTs,
          triageChannelId: input.triageChannelId,
          source: input.source,
          createdAt,
        },
        number,
      );
      const stored = await tx.insertMessage(toNewMessage(message, ticket.id, 'requester', 'public'));
      if (!stored) throw Object.assign(new Error('message already stored'), { code: '23505' });
      await tx.addEvent(ticket.id, { kind: 'created', actorId: input.openedBy ?? message.userId, fromValue: null, toValue: 'new', messageId: stored.id, at: createdAt });
      return { kind: 'created' as const, ticket, message: stored };
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // A concurrent delivery won, or the message already belongs to another ticket (joined as a follow-up).
    const owner = await deps.tickets.messageByTs(message.channelId, message.ts);
    const winner = (await deps.tickets.byOrigin(message.channelId, rootTs)) ?? (owner && (await deps.tickets.byId(owner.ticketId)));
    if (!winner) throw err;
    return { kind: 'exists', ticket: winner };
  }
}
