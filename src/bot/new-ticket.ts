import { renderTemplate } from '../domain/template.js';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import { pickFields } from '../tickets/pick-fields.js';
import { routeNewTicket } from '../tickets/route-new-ticket.js';
import type { BotContext } from './bot-context.js';
import { templateView } from './template-reply.js';
import { escapeMrkdwn } from './slack-text.js';
import { learnedChoice } from '../suggest/learned-routing.js';
import { slackToPlain } from '../ingest/slack-text.js';
import { deliver } from './delivery-intents.js';
import { buildLearnedHint } from './blocks/thread-messages.js';

/**
 * A ticket was just opened (its card and 🎫 are already recorded with it): pick its fields out of the message,
 * route it (rules and policy of its intake channel, one ticket at a time per channel), then record what else
 * Slack shows: the card again if routing or fields changed it, a routing line, a DM to the assignee, and the
 * channel's automatic acknowledgement. The delivery worker sends them in this order.
 */
export async function routeAndPublish(ticket: Ticket, message: TicketMessage, ctx: BotContext): Promise<void> {
  const fields = await pickFields(ticket, message, ctx.useCaseDeps);
  const routed = await ctx.ingestLock([`route:${ticket.originChannelId}`], () => routeNewTicket(ticket, message.text, ctx.useCaseDeps));
  const shown = routed?.ticket ?? ticket;
  if (routed || Object.keys(fields).length > 0) await ctx.publisher.refreshCard(shown);
  if (routed) {
    const parts = [
      routed.assigneeId ? `assigned to <@${routed.assigneeId}> (${routed.policy})` : null,
      routed.tags.length > 0 ? `tagged ${routed.tags.map((t) => `\`${t}\``).join(' ')}` : null,
    ].filter(Boolean);
    await ctx.publisher.announce(shown, `:twisted_rightwards_arrows: Routing ${parts.join(', ')}.`);
    if (routed.assigneeId) await ctx.publisher.notifyAssignee(shown, routed.assigneeId, null);
  }
  await offerLearned(shown, message.text, ctx).catch((err: unknown) => ctx.logger.warn({ err, ticket: ticket.number }, 'learned routing: no suggestion'));
  await acknowledge(shown, ctx);
}

/**
 * Where the intake channel does not route by what was learned, the learned choice is offered in the ticket's
 * thread (Apply). It answers from what is learned already: a new ticket never waits for the history.
 */
async function offerLearned(ticket: Ticket, text: string, ctx: BotContext): Promise<void> {
  const learnedLabels = ctx.useCaseDeps.learnedLabels;
  if (!learnedLabels || (await ctx.routing.channelRouting(ticket.originChannelId))?.policy === 'learned') return;
  const labels = await learnedLabels(ticket.teamId, slackToPlain(text), 0);
  if (labels.length === 0) return; // nothing similar was solved yet: no need to read the groups
  const choice = learnedChoice(labels, await ctx.routing.groups(ticket.teamId));
  const hint = { agentId: ticket.assigneeId ? null : choice.agentId, groupName: choice.groupName, tags: choice.tags.filter((t) => !ticket.tags.includes(t)) };
  if (!hint.agentId && hint.tags.length === 0) return;
  await ctx.tickets.enqueue([deliver.triagePost(ticket, buildLearnedHint(ticket, hint))]);
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
  await ctx.publisher.postAutomatedReply(ticket, rendered.text);
}
