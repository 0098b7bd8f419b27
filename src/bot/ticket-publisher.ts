import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { NewDelivery } from '../store/outbox-store.js';
import type { TicketQueries, TicketStore } from '../store/ticket-store.js';
import { buildStatusLine, type SlackPost } from './blocks/thread-messages.js';
import { deliver, type SurveyAsk } from './delivery-intents.js';
import { TICKET_REACTION } from './ids.js';
import type { AppendedMessage } from '../ingest/append-message.js';
import { person } from './slack-text.js';

export type TicketPublisher = ReturnType<typeof createTicketPublisher>;

/**
 * Shows ticket changes in Slack: the card, the triage thread, the origin thread. Each method records the
 * deliveries in the outbox and returns; the delivery worker sends them, in order per ticket, within Slack's
 * rate limits, again after errors and restarts (delivery-worker.ts).
 */
export function createTicketPublisher(tickets: TicketStore) {
  const record = (...deliveries: NewDelivery[]) => tickets.enqueue(deliveries);

  return {
    /** Re-renders the card from the stored ticket, in place, and the status reactions on the customer's message. */
    refreshCard: (ticket: Ticket) => record(deliver.card(ticket), deliver.statusReactions(ticket)),

    /** Re-renders cards whose ticket did not change but what they show did (the customer's orders). */
    redrawCards: (shown: Ticket[]) => (shown.length > 0 ? record(...shown.map((ticket) => deliver.card(ticket))) : Promise.resolve()),

    /** An edited or deleted origin message: its mirror (or the card, for the first message) follows. */
    updateMirror: (ticket: Ticket, message: TicketMessage) => record(deliver.mirrorUpdate(ticket, message)),

    /** A one-line record of an action in the triage thread. */
    announce: (ticket: Ticket, text: string) => record(deliver.triagePost(ticket, buildStatusLine(text))),

    /**
     * Posts an agent's reply in the origin thread; once posted it is recorded, noted in the triage thread and the
     * card updated, then `after` sets the ticket pending or solves it.
     */
    postPublicReply: (ticket: Ticket, agentId: string, text: string, after?: 'pending' | 'close') => record(deliver.publicReply(ticket, agentId, text, after)),

    /** Tells an agent a teammate (or routing, actor null) assigned them a ticket, with a link to its card. */
    notifyAssignee: (ticket: Ticket, assigneeId: string, actorId: string | null) => record(deliver.assignmentNotice(ticket, assigneeId, actorId)),

    /** Posts an automatic reply (no agent's signature) in the origin thread, recorded as the bot's once posted. */
    postAutomatedReply: (ticket: Ticket, text: string) => record(deliver.automatedReply(ticket, text)),

    /** The satisfaction survey, now or `delayMs` later. */
    postSurvey: (ticket: Ticket, post: SlackPost, ask: SurveyAsk, delayMs = 0) => record(deliver.survey(ticket, post, ask, delayMs)),

    /** Replaces a bot message of the ticket's (the survey, once rated). */
    updateMessage: (ticket: Ticket, channel: string, ts: string, post: SlackPost) => record(deliver.messageUpdate(ticket, channel, ts, post)),
  };
}

/**
 * What Slack shows for a new ticket and for a message appended to one; ingest records these in the same
 * transaction as the change (IngestDeps.show).
 */
export const ingestDeliveries = {
  /** The card, then a 🎫 on the customer's message as acknowledgement. */
  // The 🎫 on the customer's message says "we have it" in Slack; a mail has nothing to react on.
  created: (ticket: Ticket, message: TicketMessage): NewDelivery[] => [deliver.card(ticket), ...(ticket.originKind === 'slack' ? [deliver.react(ticket, message.channelId, message.ts, TICKET_REACTION)] : [])],
  /** The mirror in the triage thread; for the requester, the followers' DMs; a status change updates the card. */
  appended: async ({ ticket, message, role, statusChanged }: AppendedMessage, tx: TicketQueries): Promise<NewDelivery[]> => [
    deliver.mirror(ticket, message),
    ...(role === 'requester' && (await tx.followers(ticket.id)).some((id) => id !== message.userId) ? [deliver.followerNotice(ticket, message)] : []),
    ...(statusChanged ? [deliver.card(ticket), deliver.statusReactions(ticket)] : []),
    ...(statusChanged && role === 'requester' && ticket.status === 'open'
      ? [deliver.triagePost(ticket, buildStatusLine(`:leftwards_arrow_with_hook: ${person(message.userId)} wrote again: #${ticket.number} is open again.`))]
      : []),
  ],
};
