import type { Db } from '../store/db.js';
import { createOrderStore } from '../store/order-store.js';
import { createSuggestionStore } from '../store/suggestion-store.js';
import { createTemplateStore } from '../store/template-store.js';
import { createTicketStore } from '../store/ticket-store.js';
import { createSuggestionService } from '../suggest/suggestion-service.js';
import { renderSuggestion } from '../suggest/render-suggestion.js';
import { nestFields } from '../domain/template.js';
import { orderOfTicket, orderSnippets } from '../bot/ticket-order.js';
import { slackToPlain } from '../ingest/slack-text.js';

/**
 * `threaddesk suggest --ticket N`: the suggestions the Suggest button offers, from the same index (the tickets'
 * public replies, as stored) and the same ranking, rendered with what the database knows of the ticket (no
 * Slack: a snippet only Slack's profile holds, such as the agent's name, stays `{{agent.name}}`).
 */
export async function suggestCommand(db: Db, options: { teamId: string; ticket: number; format: string }): Promise<string> {
  const tickets = createTicketStore(db);
  const ticket = await tickets.byNumber(options.teamId, options.ticket);
  if (!ticket) throw new Error(`there is no ticket ${options.ticket} in workspace ${options.teamId}`);
  const templates = createTemplateStore(db);
  const service = createSuggestionService({ store: createSuggestionStore(db), templates: async (team) => (await templates.list(team)).map((t) => ({ name: t.name, body: t.body, uses: t.usageCount })) });
  await service.catchUp();
  const messages = await tickets.messages(ticket.id);
  const { suggestions } = await service.suggest({ teamId: ticket.teamId, messages: messages.map((m) => ({ role: m.authorRole, text: m.text, visibility: m.visibility })) });
  const fields = await tickets.fields(ticket.id);
  const customer = ticket.customerId === null ? null : ((await db('customers').where({ id: ticket.customerId }).first('name')) as { name: string | null } | undefined);
  const order = await orderOfTicket(ticket, fields, messages[0]?.text ?? '', createOrderStore(db));
  const nested = nestFields(fields);
  const name = customer?.name?.trim();
  const view = {
    ...nested,
    ...(order ? { order: { ...orderSnippets(order, 'UTC'), ...((nested.order as Record<string, unknown> | undefined) ?? {}) } } : {}),
    ...(name ? { customer: { name, first_name: name.split(/\s+/)[0] } } : {}),
    ticket: { number: String(ticket.number), subject: ticket.subject, status: ticket.status },
  };
  const rendered = suggestions.map((s) => ({ text: slackToPlain(renderSuggestion(s.text, view).text), source: s.source, ...(s.template ? { template: s.template } : {}), score: s.score }));
  if (options.format === 'json') return `${JSON.stringify({ ticket: ticket.number, suggestions: rendered }, null, 2)}\n`;
  if (rendered.length === 0) return `No suggestion for #${ticket.number}: nothing in the team's past replies or templates matches it yet.\n`;
  return `Suggested replies for #${ticket.number} (best first):\n${rendered.map((s, i) => `\n${i + 1}. [${s.source === 'template' ? `template ${s.template}` : 'past reply'} · score ${s.score}]\n${s.text.replace(/^/gm, '   ')}`).join('\n')}\n`;
}
