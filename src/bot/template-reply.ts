import { DomainError } from '../domain/errors.js';
import { nestFields, renderTemplate } from '../domain/template.js';
import type { Ticket } from '../domain/ticket.js';
import type { Answer } from './answers.js';
import type { BotContext } from './bot-context.js';
import { sendPublicReply } from './public-reply.js';
import { escapeMrkdwn, person } from './slack-text.js';
import { buildFieldsModal } from './blocks/ticket-views.js';
import { ACTIONS } from './ids.js';
import { subjectWithNames } from './mention-names.js';
import { orderOfTicket, orderSnippets } from './ticket-order.js';

/** The snippets every template can use, plus the ticket's own fields (order.number …). */
export async function templateView(ticket: Ticket, agentId: string | null, ctx: BotContext): Promise<Record<string, unknown>> {
  const [customer, agent, fields, channelName, subject, firstMessage, timeZone] = await Promise.all([
    ctx.directory.user(ticket.requesterId),
    agentId ? ctx.directory.user(agentId) : null,
    ctx.tickets.fields(ticket.id),
    ctx.directory.channelName(ticket.originChannelId).catch(() => ''),
    subjectWithNames(ticket.subject, ctx.directory),
    ctx.tickets.firstMessage(ticket.id),
    ctx.channels.timeZone(ticket.teamId),
  ]);
  const order = await orderOfTicket(ticket, fields, firstMessage?.text ?? '', ctx.orders);
  const nested = nestFields(fields);
  return {
    ...nested,
    // The ticket's order (order.number, order.total, order.status, order.created); a field set by hand wins.
    ...(order ? { order: { ...orderSnippets(order, timeZone), ...((nested.order as Record<string, unknown> | undefined) ?? {}) } } : {}),
    customer: { name: customer.name, first_name: customer.firstName, email: customer.email },
    ticket: { number: String(ticket.number), subject, status: ticket.status },
    ...(agent ? { agent: { name: agent.name, first_name: agent.firstName } } : {}),
    channel: { name: channelName },
  };
}

/**
 * Renders a template for a ticket and sends it as a public reply. A snippet without a value stops the send and
 * the agent is told which, and how to give it one. `extra` is the agent's own text, added after the template.
 */
export async function sendTemplateReply(ticket: Ticket, name: string, extra: string, agentId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const template = await ctx.templates.get(ticket.teamId, name);
  if (!template) throw new DomainError('template_not_found', `There is no template \`${name}\`. \`/helpdesk template list\` shows them.`);
  const rendered = renderTemplate(template.body, await templateView(ticket, agentId, ctx), escapeMrkdwn);
  if (!rendered.ok) {
    if ('error' in rendered) throw new DomainError('bad_template', `Template \`${name}\` does not compile: ${rendered.error}`);
    const fields = rendered.missing.filter((m) => !/^(customer|agent|ticket|channel)\./.test(m));
    // A door with a trigger (a slash command) asks for the missing fields in a modal and sends from there;
    // a thread command offers a button that opens the same modal (a click brings the trigger a message lacks).
    if (fields.length === rendered.missing.length) {
      if (answer.triggerId) return ctx.sender.openView(answer.triggerId, buildFieldsModal(ticket, name, extra, fields));
      if (answer.offer) {
        return answer.offer(`Template \`${name}\` needs ${fields.map((f) => `\`${f}\``).join(', ')} first.`, {
          actionId: ACTIONS.fillFields,
          label: 'Fill in and send',
          value: JSON.stringify({ ticketId: ticket.id, template: name, extra: Array.from(extra).slice(0, 1500).join('') }),
        });
      }
    }
    const how = fields.length > 0 ? ` Set ${fields.length === 1 ? 'it' : 'them'} with ${fields.map((f) => `\`!set ${f} …\``).join(', ')} in the ticket's thread (or \`/ticket ${ticket.number} set ${fields[0]} …\`), then send again.` : ' It comes from a Slack profile that has no value for it: write the reply by hand.';
    throw new DomainError('missing_snippets', `Not sent: template \`${name}\` needs a value for ${rendered.missing.map((m) => `\`${m}\``).join(', ')}.${how}`);
  }
  const target = await sendPublicReply(ticket, agentId, extra ? `${rendered.text}\n\n${extra}` : rendered.text, ctx);
  await noteTemplateUse(ticket, name, agentId, ctx);
  await answer.confirm?.(`:outbox_tray: Template \`${name}\` sent to ${person(target.requesterId)} on #${ticket.number}.`);
}

/** A template was sent on a ticket: its use is counted (the picker ranks by it) and kept in the ticket's history. */
export async function noteTemplateUse(ticket: Ticket, name: string, agentId: string, ctx: BotContext): Promise<void> {
  await ctx.templates.countUse(ticket.teamId, name);
  await ctx.tickets.addEvent(ticket.id, { kind: 'template_used', actorId: agentId, fromValue: null, toValue: name, messageId: null, at: ctx.clock.now() });
}
