import type { App } from '@slack/bolt';
import { DomainError } from '../../domain/errors.js';
import { answerErrors, respondAnswer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import { presentTicketList } from '../blocks/ticket-views.js';
import { withSubjectsNamed } from '../mention-names.js';
import { parseTicketCommand, TICKET_COMMAND_USAGE } from '../commands/parse-ticket-command.js';
import { runTicketAction } from '../run-ticket-action.js';
import { requireAgentSomewhere } from '../permissions.js';
import { showCustomer } from '../show-customer.js';

/** `/ticket N action…`, `/ticket list`, `/ticket help`: every answer is ephemeral. */
export function registerTicketCommand(app: App, ctx: BotContext): void {
  app.command('/ticket', async ({ command, ack, respond, context }) => {
    await ack();
    const answer = respondAnswer(respond, command.trigger_id);
    await answerErrors(answer, ctx.logger, { command: '/ticket', text: command.text.slice(0, 80) }, async () => {
      const parsed = parseTicketCommand(command.text);
      if (!parsed.ok) return answer.ephemeral(`${parsed.error}\nUsage:\n${TICKET_COMMAND_USAGE}`);
      const request = parsed.value;
      const teamId = context.teamId!; // the installation's workspace, not the user's (installation-team.ts)
      if (request.kind === 'help') return answer.ephemeral(`Usage:\n${TICKET_COMMAND_USAGE}`);
      // Everything else is agents' work. Non-agents are refused before any lookup, with one answer whatever they
      // name: `/ticket 1` and `/ticket 999` must not tell them which tickets (or templates) exist.
      await requireAgentSomewhere(command.user_id, teamId, ctx);
      if (request.kind === 'customer') return showCustomer(teamId, request.userId, command.trigger_id, ctx);
      if (request.kind === 'list') {
        return answer.ephemeral(presentTicketList(await withSubjectsNamed(await ctx.tickets.list(teamId, request.filter, command.user_id), ctx.directory), request.filter));
      }
      const ticket = await ctx.tickets.byNumber(teamId, request.number);
      if (!ticket) throw new DomainError('ticket_not_found', `There is no ticket #${request.number}.`);
      await runTicketAction(ticket, request.action, command.user_id, { ...answer, confirm: answer.ephemeral }, ctx);
    });
  });
}
