import type { Logger } from 'pino';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { TicketStore } from '../store/ticket-store.js';
import { buildTicketCard } from './blocks/ticket-card.js';
import { buildMirror, buildPublicReply, buildReplySent, buildStatusLine } from './blocks/thread-messages.js';
import type { Directory } from './directory.js';
import { TICKET_REACTION } from './ids.js';
import type { SlackSender } from './slack-sender.js';

export type TicketPublisher = ReturnType<typeof createTicketPublisher>;

export interface PublisherDeps {
  sender: SlackSender;
  tickets: TicketStore;
  directory: Directory;
  logger: Logger;
  onNewTicket?: () => void;
}

/** Shows ticket changes in Slack: the card, the triage thread, the origin thread. */
export function createTicketPublisher(deps: PublisherDeps) {
  const { sender, tickets } = deps;
  // Card posts in flight, so that a concurrent change waits for the card instead of posting a second one.
  const cardPosts = new Map<number, Promise<string>>();

  async function renderCard(ticket: Ticket) {
    const [firstMessage] = await tickets.messages(ticket.id);
    return buildTicketCard({ ticket, firstMessage: firstMessage ?? null });
  }

  /**
   * The ticket's card ts. A ticket whose card could not be posted (Slack was down) gets it now, so the
   * first later change repairs it rather than losing the triage thread.
   */
  function ensureCard(ticket: Ticket): Promise<string> {
    const inFlight = cardPosts.get(ticket.id);
    if (inFlight) return inFlight;
    const post = (async () => {
      const current = (await tickets.byId(ticket.id)) ?? ticket;
      if (current.cardTs) return current.cardTs;
      const ts = await sender.post(current.triageChannelId, await renderCard(current));
      await tickets.setCardTs(current.id, ts);
      return ts;
    })();
    cardPosts.set(ticket.id, post);
    void post.finally(() => cardPosts.delete(ticket.id)).catch(() => undefined);
    return post;
  }

  async function inTriageThread(ticket: Ticket, post: Parameters<SlackSender['post']>[1]): Promise<string> {
    return sender.post(ticket.triageChannelId, post, await ensureCard(ticket));
  }

  return {
    /** A new ticket: its card in the triage channel, and a 🎫 on the customer's message as acknowledgement. */
    async publishNewTicket(ticket: Ticket, firstMessage: TicketMessage): Promise<void> {
      deps.onNewTicket?.();
      const permalink = await sender.permalink(firstMessage.channelId, firstMessage.ts);
      if (permalink) await tickets.setOriginPermalink(ticket.id, permalink);
      await ensureCard(ticket);
      await sender.react(firstMessage.channelId, firstMessage.ts, TICKET_REACTION);
    },

    /** Re-renders the card from the stored ticket, in place. */
    async refreshCard(ticket: Ticket): Promise<void> {
      const ts = await ensureCard(ticket);
      const current = (await tickets.byId(ticket.id)) ?? ticket;
      await sender.update(ticket.triageChannelId, ts, await renderCard(current));
    },

    /** Copies an origin-side message into the triage thread and remembers where, so edits can follow. */
    async mirror(ticket: Ticket, message: TicketMessage): Promise<void> {
      await tickets.setMirrorTs(message.id, await inTriageThread(ticket, buildMirror(message)));
    },

    /** An edited or deleted origin message: its mirror (or the card, for the first message) follows. */
    async updateMirror(ticket: Ticket, message: TicketMessage): Promise<void> {
      if (message.mirrorTs) await sender.update(ticket.triageChannelId, message.mirrorTs, buildMirror(message));
      else await this.refreshCard(ticket);
    },

    /** A one-line record of an action in the triage thread. */
    async announce(ticket: Ticket, text: string): Promise<void> {
      await inTriageThread(ticket, buildStatusLine(text));
    },

    /** Posts an agent's reply in the origin thread; returns where it landed. */
    async postPublicReply(ticket: Ticket, agentId: string, text: string): Promise<{ channelId: string; ts: string }> {
      const agent = await deps.directory.user(agentId);
      const ts = await sender.post(ticket.originChannelId, buildPublicReply(text, agent.name), ticket.originTs);
      return { channelId: ticket.originChannelId, ts };
    },

    async confirmReplySent(ticket: Ticket, agentId: string, text: string): Promise<void> {
      await inTriageThread(ticket, buildReplySent(ticket, agentId, text));
    },
  };
}
