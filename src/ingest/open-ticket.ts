import type { Ticket, TicketMessage, TicketSource } from '../domain/ticket.js';
import { subjectFrom } from './slack-text.js';
import type { IngestDeps } from './ingest-deps.js';
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
  const createdAt = tsToMillis(message.ts);
  const { ticketId: _none, ...firstMessage } = toNewMessage(message, 0, 'requester', 'public');
  const outcome = await deps.tickets.open({
    ticket: {
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
    message: firstMessage,
    openedBy: input.openedBy ?? message.userId,
    deliveries: deps.show?.created,
  });
  if (outcome.kind === 'created') return outcome;
  // A repeat: the thread has its ticket already, or the message joined another ticket as a follow-up.
  const owner = await deps.tickets.messageByTs(message.channelId, message.ts);
  const existing = (await deps.tickets.byOrigin(message.channelId, rootTs)) ?? (owner && (await deps.tickets.byId(owner.ticketId)));
  if (!existing) throw new Error(`ticket for ${message.channelId}/${message.ts} refused as a repeat but not found`);
  return { kind: 'exists', ticket: existing };
}
