import { renderTemplate } from '../domain/template.js';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import { pickFields } from '../tickets/pick-fields.js';
import { recordAutomatedReply } from '../tickets/record-automated-reply.js';
import { routeNewTicket } from '../tickets/route-new-ticket.js';
import type { BotContext } from './bot-context.js';
import { templateView } from './template-reply.js';
import { escapeMrkdwn } from './slack-text.js';

/**
 * A ticket was just opened: pick its fields out of the message, route it (rules and policy of its intake
 * channel, one ticket at a time per channel), then queue what Slack shows: the card (with any assignee, tags
 * and fields), a routing line, a DM to the assignee, and the channel's automatic acknowledgement.
 * Returns the queued deliveries; failures are logged by the delivery queue.
 */
export async function routeAndPublish(ticket: Ticket, message: TicketMessage, ctx: BotContext): Promise<Promise<unknown>[]> {
  const fields = await pickFields(ticket, message, ctx.useCaseDeps);
  const routed = await ctx.ingestLock([`route:${ticket.originChannelId}`], () => routeNewTicket(ticket, message.text, ctx.useCaseDeps));
  const shown = routed?.ticket ?? ticket;
  const deliveries: Promise<unknown>[] = [ctx.publisher.publishNewTicket(shown, message, fields)];
  if (routed) {
    const parts = [
      routed.assigneeId ? `assigned to <@${routed.assigneeId}> (${routed.policy})` : null,
      routed.tags.length > 0 ? `tagged ${routed.tags.map((t) => `\`${t}\``).join(' ')}` : null,
    ].filter(Boolean);
    deliveries.push(ctx.publisher.announce(shown, `:twisted_rightwards_arrows: Routing ${parts.join(', ')}.`));
    if (routed.assigneeId) deliveries.push(ctx.publisher.notifyAssignee(shown, routed.assigneeId, null));
  }
  deliveries.push(acknowledge(shown, ctx));
  return deliveries;
}

/** The intake channel's acknowledgement template, sent as an automatic reply (agent snippets are not available). */
async function acknowledge(ticket: Ticket, ctx: BotContext): Promise<void> {
  const name = (await ctx.channels.intake(ticket.originChannelId))?.ackTemplate;
  if (!name) return;
  const template = await ctx.templates.get(ticket.teamId, name);
  const rendered = template ? renderTemplate(template.body, await templateView(ticket, null, ctx), escapeMrkdwn) : null;
  if (!rendered?.ok) {
    ctx.logger.warn({ ticket: ticket.number, template: name, missing: rendered && 'missing' in rendered ? rendered.missing : undefined }, 'acknowledgement template not sent');
    return;
  }
  const posted = await ctx.publisher.postAutomatedReply(ticket, rendered.text);
  await recordAutomatedReply(ticket, posted.channelId, posted.ts, rendered.text, ctx.useCaseDeps);
}
