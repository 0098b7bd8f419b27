import type { Logger } from 'pino';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { TicketStore } from '../store/ticket-store.js';
import { buildTicketCard } from './blocks/ticket-card.js';
import { buildMirror, buildPublicReply, buildReplySent, buildStatusLine } from './blocks/thread-messages.js';
import type { Directory } from './directory.js';
import { ASSIGN_REACTION, SOLVE_REACTION, TICKET_REACTION } from './ids.js';
import { isActive } from '../domain/ticket.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { ReplyPresence } from './reply-presence.js';
import type { SlackSender } from './slack-sender.js';
import { escapeMrkdwn, inertMrkdwn, truncate } from './slack-text.js';

export type TicketPublisher = ReturnType<typeof createTicketPublisher>;

/** What a just-created ticket's card shows without reading it back. */
interface NewTicketState {
  firstMessage: TicketMessage;
  fields: Record<string, string>;
}

export interface PublisherDeps {
  sender: SlackSender;
  tickets: TicketStore;
  directory: Directory;
  logger: Logger;
  queue: DeliveryQueue;
  replying?: ReplyPresence;
  onNewTicket?: () => void;
  /** The card's "SLA due" text. */
  slaDue?: (ticket: Ticket) => Promise<string>;
}

/** Shows ticket changes in Slack: the card, the triage thread, the origin thread. */
export function createTicketPublisher(deps: PublisherDeps) {
  const { sender, tickets } = deps;
  // The status reactions last put on each ticket's first message, so unchanged status costs no API call.
  const mirroredStatus = new Map<number, string>();

  /** Status at a glance for the requester: 👀 while someone works on it, ✅ once solved. */
  async function mirrorStatus(ticket: Ticket): Promise<void> {
    const working = isActive(ticket.status) && (ticket.assigneeId !== null || ticket.status !== 'new');
    const solved = !isActive(ticket.status);
    const state = `${working}:${solved}`;
    if (mirroredStatus.get(ticket.id) === state) return;
    const first = await tickets.firstMessage(ticket.id);
    if (!first) return;
    for (const [name, wanted] of [[ASSIGN_REACTION, working], [SOLVE_REACTION, solved]] as const) {
      await (wanted ? sender.react(first.channelId, first.ts, name) : sender.unreact(first.channelId, first.ts, name));
    }
    mirroredStatus.set(ticket.id, state);
  }

  /** The card from stored state; a brand-new ticket passes what it already knows (its message and fields). */
  async function renderCard(ticket: Ticket, fresh?: NewTicketState) {
    const [firstMessage, fields] = fresh ? [fresh.firstMessage, fresh.fields] : await Promise.all([tickets.firstMessage(ticket.id), tickets.fields(ticket.id)]);
    const slaDue = deps.slaDue ? await deps.slaDue(ticket).catch(() => '—') : '—';
    return buildTicketCard({ ticket, firstMessage, fields, slaDue, replying: deps.replying?.of(ticket.id).map((r) => r.agentId) ?? [] });
  }

  /**
   * The ticket's card ts. A ticket whose card could not be posted (Slack was down) gets it now, so the
   * first later change repairs it rather than losing the triage thread. `fresh` is a ticket just created,
   * whose state is known without reading it back. Only called from queued steps, which run one at a time
   * per ticket, so a card is never posted twice.
   */
  async function ensureCard(ticket: Ticket, fresh?: NewTicketState): Promise<string> {
    const current = fresh ? ticket : ((await tickets.byId(ticket.id)) ?? ticket);
    if (current.cardTs) return current.cardTs;
    const firstTs = fresh?.firstMessage.ts ?? (await tickets.firstMessage(current.id))?.ts ?? current.originTs;
    const originPermalink = current.originPermalink ?? (await sender.permalink(current.originChannelId, firstTs, current.originTs));
    const ts = await sender.post(current.triageChannelId, await renderCard({ ...current, originPermalink }, fresh));
    await tickets.setCardTs(current.id, ts, originPermalink);
    return ts;
  }

  async function inTriageThread(ticket: Ticket, post: Parameters<SlackSender['post']>[1]): Promise<string> {
    return sender.post(ticket.triageChannelId, post, await ensureCard(ticket));
  }

  // The raw steps; the public methods below queue them per ticket (a step never queues another: no waiting on itself).
  async function refreshCard(ticket: Ticket): Promise<void> {
    const ts = await ensureCard(ticket);
    const current = (await tickets.byId(ticket.id)) ?? ticket;
    await sender.update(ticket.triageChannelId, ts, await renderCard(current));
    await mirrorStatus(current);
  }

  const queued = <A extends unknown[], T>(what: string, step: (ticket: Ticket, ...args: A) => Promise<T>) =>
    (ticket: Ticket, ...args: A): Promise<T> => deps.queue.run(ticket.id, what, () => step(ticket, ...args));

  return {
    /** A new ticket: its card in the triage channel, and a 🎫 on the customer's message as acknowledgement. */
    publishNewTicket: queued('new ticket', async (ticket, firstMessage: TicketMessage, fields: Record<string, string> = {}) => {
      deps.onNewTicket?.();
      await ensureCard(ticket, { firstMessage, fields });
      await sender.react(firstMessage.channelId, firstMessage.ts, TICKET_REACTION);
      // A new ticket carries no status reactions yet; one routed to an agent gets its 👀 now.
      if (ticket.assigneeId) await mirrorStatus(ticket);
      else mirroredStatus.set(ticket.id, 'false:false');
    }),

    /** Re-renders the card from the stored ticket, in place. */
    refreshCard: queued('card update', refreshCard),

    /** Copies an origin-side message into the triage thread and remembers where, so edits can follow. */
    mirror: queued('mirror', async (ticket, message: TicketMessage) => {
      await tickets.setMirrorTs(message.id, await inTriageThread(ticket, buildMirror(message)));
    }),

    /** An edited or deleted origin message: its mirror (or the card, for the first message) follows. */
    updateMirror: queued('mirror update', async (ticket, message: TicketMessage) => {
      if (message.mirrorTs) await sender.update(ticket.triageChannelId, message.mirrorTs, buildMirror(message));
      else await refreshCard(ticket);
    }),

    /** A one-line record of an action in the triage thread. */
    announce: queued('status line', async (ticket, text: string) => {
      await inTriageThread(ticket, buildStatusLine(text));
    }),

    /** Posts an agent's reply in the origin thread; returns where it landed. */
    postPublicReply: queued('public reply', async (ticket, agentId: string, text: string) => {
      const agent = await deps.directory.user(agentId);
      const ts = await sender.post(ticket.originChannelId, buildPublicReply(text, agent.name), ticket.originTs);
      return { channelId: ticket.originChannelId, ts };
    }),

    /** Tells an agent a teammate assigned them a ticket, with a link to its card. */
    notifyAssignee: queued('assignment notice', async (ticket, assigneeId: string, actorId: string | null) => {
      const card = await ensureCard(ticket);
      const link = await sender.permalink(ticket.triageChannelId, card);
      const who = actorId ? `<@${actorId}> assigned you` : 'Routing assigned you';
      await sender.post(assigneeId, { text: `:raising_hand: ${who} ticket <${link}|#${ticket.number} ${escapeMrkdwn(ticket.subject)}>.` });
    }),

    /** Tells the ticket's followers that the customer wrote (a DM each, with a link to the card). */
    notifyFollowers: queued('follower notice', async (ticket, message: TicketMessage) => {
      const followers = (await tickets.followers(ticket.id)).filter((id) => id !== message.userId);
      if (followers.length === 0) return;
      const link = await sender.permalink(ticket.triageChannelId, await ensureCard(ticket));
      const excerpt = truncate(inertMrkdwn(message.text).replace(/\s+/g, ' '), 300);
      for (const follower of followers) {
        await sender.post(follower, { text: `:speech_balloon: <@${message.userId}> wrote on <${link}|#${ticket.number} ${escapeMrkdwn(ticket.subject)}>: ${excerpt}` });
      }
    }),

    /** Posts an automatic reply (no agent's signature) in the origin thread; returns where it landed. */
    postAutomatedReply: queued('automatic reply', async (ticket, text: string) => {
      const ts = await sender.post(ticket.originChannelId, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }] }, ticket.originTs);
      return { channelId: ticket.originChannelId, ts };
    }),

    /** Posts a bot message (a survey, say) in the origin thread, in order with the ticket's other posts. */
    postInOrigin: queued('origin post', async (ticket, post: Parameters<SlackSender['post']>[1]) => sender.post(ticket.originChannelId, post, ticket.originTs)),

    confirmReplySent: queued('reply record', async (ticket, agentId: string, text: string) => {
      await inTriageThread(ticket, buildReplySent(ticket, agentId, text));
    }),
  };
}
