import type { Ticket } from '../domain/ticket.js';
import { survivor } from '../ingest/survivor.js';
import type { TicketStore } from '../store/ticket-store.js';

/**
 * Where a public reply on a ticket goes: the channel its customer wrote on last. Usually the ticket's own origin;
 * on a ticket others were merged into, the latest customer message may have come through one of them (her email
 * thread, her chat, her Slack thread, an API conversation), and the reply goes back that way. Returned as the
 * ticket with that merged ticket's origin (channel, conversation, kind, source, requester), so every channel's
 * sender addresses it as before; the ticket's own number, subject and messages stay.
 */
export async function replyTarget(ticket: Ticket, tickets: Pick<TicketStore, 'messages' | 'byId' | 'byOrigin' | 'mergedOfRequester'>): Promise<Ticket> {
  const latest = (await tickets.messages(ticket.id)).filter((m) => m.authorRole === 'requester' && m.visibility === 'public' && m.deletedAt === null).at(-1);
  if (!latest) return ticket;
  const conversation = latest.threadTs ?? latest.ts;
  if (latest.channelId === ticket.originChannelId && conversation === ticket.originTs) return ticket;
  // The merged ticket the message came through: by its conversation (a Slack thread, a chat visitor), else, from
  // another channel (a mail or an API message names the conversation it joined, not the one it came by), the
  // requester's latest merged ticket there. A message of the ticket's own channel outside those (a top-level
  // message joined by the burst window) is answered in the ticket's own thread.
  const elsewhere = latest.channelId !== ticket.originChannelId && latest.userId ? await tickets.mergedOfRequester(latest.channelId, latest.userId) : [];
  const candidates = [await tickets.byOrigin(latest.channelId, conversation), ...elsewhere];
  for (const source of candidates) {
    if (!source || source.id === ticket.id || source.mergedIntoId === null) continue;
    if ((await survivor(source, { tickets })).id !== ticket.id) continue; // merged elsewhere: not this conversation
    const { originChannelId, originTs, originKind, originSource, originPermalink, requesterId, requesterTeamId } = source;
    return { ...ticket, originChannelId, originTs, originKind, originSource, originPermalink, requesterId, requesterTeamId };
  }
  return ticket;
}
