import type { Logger } from 'pino';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { TicketStore } from '../store/ticket-store.js';
import { buildTicketCard } from './blocks/ticket-card.js';
import { buildMirror, buildPublicReply, buildReplySent, buildStatusLine } from './blocks/thread-messages.js';
import type { Directory } from './directory.js';
import { TICKET_REACTION } from './ids.js';
import type { SlackSender } from './slack-sender.js';

const CARD_WAIT_MS = 15_000;

export type TicketPublisher = ReturnType<typeof createTicketPublisher>;

/** Shows ticket changes in Slack: the card, the triage thread, the origin thread. */
export interface PublisherDeps {
  sender: SlackSender;
  tickets: TicketStore;
  directory: Directory;
  logger: Logger;
  onNewTicket?: () => void;
}

export function createTicketPublisher(deps: PublisherDeps) {
  const { sender, tickets } = deps;
  // A follow-up can arrive while the new ticket's card is still being posted; it waits for the card here.
  const pendingCards = new Map<number, { promise: Promise<string | null>; resolve: (ts: string | null) => void }>();

  function cardWaiter(ticketId: number) {
    let entry = pendingCards.get(ticketId);
    if (!entry) {
      let resolve!: (ts: string | null) => void;
      const promise = new Promise<string | null>((r) => (resolve = r));
      entry = { promise, resolve };
      pendingCards.set(ticketId, entry);
    }
    return entry;
  }

  async function cardTs(ticket: Ticket): Promise<string | null> {
    if (ticket.cardTs) return ticket.cardTs;
    const stored = (await tickets.byId(ticket.id))?.cardTs;
    if (stored) return stored;
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), CARD_WAIT_MS).unref());
    const posted = await Promise.race([cardWaiter(ticket.id).promise, timeout]);
    return posted ?? (await tickets.byId(ticket.id))?.cardTs ?? null;
  }

  async function renderCard(ticket: Ticket) {
    const [firstMessage] = await tickets.messages(ticket.id);
    return buildTicketCard({ ticket, firstMessage: firstMessage ?? null });
  }

  async function inTriageThread(ticket: Ticket, post: Parameters<SlackSender['post']>[1]): Promise<string | null> {
    const thread = await cardTs(ticket);
    if (!thread) {
      deps.logger.warn({ ticket: ticket.number }, 'ticket has no card yet; triage thread post skipped');
      return null;
    }
    return sender.post(ticket.triageChannelId, post, thread);
  }

  return {
    /** A new ticket: its card in the triage channel, and a 🎫 on the customer's message as acknowledgement. */
    async publishNewTicket(ticket: Ticket, firstMessage: TicketMessage): Promise<void> {
      deps.onNewTicket?.();
      const waiter = cardWaiter(ticket.id);
      try {
        const permalink = await sender.permalink(firstMessage.channelId, firstMessage.ts);
        if (permalink) await tickets.setOriginPermalink(ticket.id, permalink);
        const withLink = { ...ticket, originPermalink: permalink };
        const ts = await sender.post(ticket.triageChannelId, buildTicketCard({ ticket: withLink, firstMessage }));
        await tickets.setCardTs(ticket.id, ts);
        waiter.resolve(ts);
      } catch (err) {
        waiter.resolve(null);
        throw err;
      } finally {
        pendingCards.delete(ticket.id);
      }
      await sender.react(firstMessage.channelId, firstMessage.ts, TICKET_REACTION);
    },

    /** Re-renders the card from the stored ticket, in place. */
    async refreshCard(ticket: Ticket): Promise<void> {
      const ts = await cardTs(ticket);
      const current = (await tickets.byId(ticket.id)) ?? ticket;
      if (ts) await sender.update(ticket.triageChannelId, ts, await renderCard(current));
    },

    /** Copies an origin-side message into the triage thread and remembers where, so edits can follow. */
    async mirror(ticket: Ticket, message: TicketMessage): Promise<void> {
      const ts = await inTriageThread(ticket, buildMirror(message));
      if (ts) await tickets.setMirrorTs(message.id, ts);
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
