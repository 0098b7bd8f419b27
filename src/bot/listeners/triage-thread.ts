import type { Ticket } from '../../domain/ticket.js';
import { recordNote } from '../../ingest/record-note.js';
import type { InboundMessage } from '../../ingest/inbound-message.js';
import { requireAgent } from '../../tickets/ticket-action.js';
import { answerErrors, type Answer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import { presentTicketList } from '../blocks/ticket-views.js';
import { withSubjectsNamed } from '../mention-names.js';
import { isThreadCommand, parseThreadCommand, THREAD_COMMAND_USAGE } from '../commands/parse-thread-command.js';
import { runTicketAction } from '../run-ticket-action.js';

/** Agents mentioned in a ticket's triage thread are pulled in: they follow the ticket from then on. */
async function followMentionedAgents(ticket: Ticket, text: string, ctx: BotContext): Promise<void> {
  const mentioned = [...new Set([...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1]!))];
  const agents = [];
  for (const userId of mentioned) if (await ctx.directory.isAgent(userId, ticket.triageChannelId)) agents.push(userId);
  await ctx.tickets.follow(ticket.id, agents, ctx.clock.now());
}

/** A message in a ticket's triage thread: a `!` command, or else an internal note. */
export async function handleTriageThreadMessage(message: InboundMessage, ctx: BotContext): Promise<void> {
  if (!message.threadTs || message.threadTs === message.ts) return; // top-level chatter in the triage channel
  const ticket = await ctx.tickets.byCard(message.channelId, message.threadTs);
  if (!ticket) return;
  if (!isThreadCommand(message.text)) {
    // Notes are agents' words. With THREADDESK_AGENTS set, a channel member who is not on it is not an agent: their
    // message stays in Slack, but is not kept as an agent's note on the ticket.
    if (!(await ctx.directory.isAgent(message.userId, ticket.triageChannelId))) {
      return ctx.logger.info({ ticket: ticket.number, user: message.userId, ts: message.ts }, 'a triage thread message from someone who is not an agent was not kept as a note');
    }
    await recordNote(ticket, message, ctx.useCaseDeps);
    await followMentionedAgents(ticket, message.text, ctx);
    return;
  }
  // Slack does not allow slash commands in threads, so answers go back as ephemeral messages in the thread.
  const answer: Answer = {
    ephemeral: (text) => ctx.sender.ephemeral(message.channelId, message.userId, text, message.threadTs!),
    offer: (text, button) =>
      ctx.sender.ephemeral(message.channelId, message.userId, text, message.threadTs!, [
        { type: 'section', text: { type: 'mrkdwn', text } },
        { type: 'actions', elements: [{ type: 'button', action_id: button.actionId, text: { type: 'plain_text', text: button.label }, value: button.value, style: 'primary' }] },
      ]),
  };
  await answerErrors(answer, ctx.logger, { ticket: ticket.number, command: message.text.slice(0, 80) }, async () => {
    const parsed = parseThreadCommand(message.text);
    if (!parsed.ok) return answer.ephemeral(`${parsed.error}\nThread commands:\n${THREAD_COMMAND_USAGE}`);
    const command = parsed.value;
    if (command.kind === 'help') return answer.ephemeral(`Thread commands:\n${THREAD_COMMAND_USAGE}`);
    if (command.kind === 'list') {
      await requireAgent(message.userId, ticket, ctx.useCaseDeps);
      return answer.ephemeral(presentTicketList(await withSubjectsNamed(await ctx.tickets.list(ticket.teamId, command.filter, message.userId), ctx.directory), command.filter));
    }
    await runTicketAction(ticket, command.action, message.userId, answer, ctx);
  });
}
