import type { Ticket, TicketMessage } from '../domain/ticket.js';
import { routeNewTicket } from '../tickets/route-new-ticket.js';
import type { BotContext } from './bot-context.js';

/**
 * A ticket was just opened: route it (rules and policy of its intake channel, one ticket at a time per
 * channel), then queue what Slack shows: the card (with any assignee and tags), a routing line, a DM to the
 * assignee. Returns the queued deliveries; failures are logged by the delivery queue.
 */
export async function routeAndPublish(ticket: Ticket, message: TicketMessage, ctx: BotContext): Promise<Promise<unknown>[]> {
  const routed = await ctx.ingestLock([`route:${ticket.originChannelId}`], () => routeNewTicket(ticket, message.text, ctx.useCaseDeps));
  const shown = routed?.ticket ?? ticket;
  const deliveries: Promise<unknown>[] = [ctx.publisher.publishNewTicket(shown, message)];
  if (routed) {
    const parts = [
      routed.assigneeId ? `assigned to <@${routed.assigneeId}> (${routed.policy})` : null,
      routed.tags.length > 0 ? `tagged ${routed.tags.map((t) => `\`${t}\``).join(' ')}` : null,
    ].filter(Boolean);
    deliveries.push(ctx.publisher.announce(shown, `:twisted_rightwards_arrows: Routing ${parts.join(', ')}.`));
    if (routed.assigneeId) deliveries.push(ctx.publisher.notifyAssignee(shown, routed.assigneeId, null));
  }
  return deliveries;
}
