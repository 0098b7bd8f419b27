import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { requireAgent } from '../../tickets/ticket-action.js';
import { answerErrors, respondAnswer } from '../answers.js';
import { isDomainError } from '../../domain/errors.js';
import { setField } from '../../tickets/set-field.js';
import { FIELD_BLOCK_PREFIX } from '../blocks/ticket-views.js';
import type { BotContext } from '../bot-context.js';
import { ACTIONS, VIEWS } from '../ids.js';
import { sendTemplateReply } from '../template-reply.js';

/** The fields modal's submit: the values are saved on the ticket (as by `!set`), then the template is sent. */
export function registerTemplateFields(app: App, ctx: BotContext): void {
  // "Fill in and send" under a thread command's answer: the click brings the trigger_id to open the modal.
  app.action<BlockAction<ButtonAction>>(ACTIONS.fillFields, async ({ ack, body, action, respond }) => {
    await ack();
    const { ticketId, template, extra } = JSON.parse(action.value ?? '{}') as { ticketId?: number; template?: string; extra?: string };
    const ticket = await ctx.tickets.byId(Number(ticketId));
    if (!ticket || !template) return;
    const answer = { ...respondAnswer(respond, body.trigger_id) };
    await answerErrors(answer, ctx.logger, { action: ACTIONS.fillFields, ticket: ticket.number }, async () => {
      await requireAgent(body.user.id, ticket, ctx.useCaseDeps);
      await sendTemplateReply(ticket, template, extra ?? '', body.user.id, answer, ctx);
    });
  });

  app.view(VIEWS.templateFields, async ({ ack, view, body }) => {
    const { ticketId, template, extra } = JSON.parse(view.private_metadata || '{}') as { ticketId?: number; template?: string; extra?: string };
    const ticket = await ctx.tickets.byId(Number(ticketId));
    const values = Object.entries(view.state.values)
      .filter(([blockId]) => blockId.startsWith(FIELD_BLOCK_PREFIX))
      .map(([blockId, input]) => [blockId.slice(FIELD_BLOCK_PREFIX.length), input.value?.value?.trim() ?? ''] as const);
    const empty = values.find(([, value]) => value === '');
    if (!ticket || !template || empty) return ack({ response_action: 'errors', errors: empty ? { [`${FIELD_BLOCK_PREFIX}${empty[0]}`]: 'Give it a value.' } : {} });
    try {
      for (const [name, value] of values) await setField({ ticketId: ticket.id, actorId: body.user.id, name, value }, ctx.useCaseDeps);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return ack({ response_action: 'errors', errors: { [`${FIELD_BLOCK_PREFIX}${values[0]![0]}`]: err.message } });
    }
    await ack();
    await ctx.publisher.refreshCard(ticket);
    const quiet = { ephemeral: (text: string) => ctx.sender.ephemeral(ticket.triageChannelId, body.user.id, text, ticket.cardTs ?? undefined) };
    await sendTemplateReply(ticket, template, extra ?? '', body.user.id, quiet, ctx).catch(async (err: unknown) => {
      if (isDomainError(err)) return quiet.ephemeral(err.message);
      ctx.logger.error({ err, ticket: ticket.number }, 'template reply from the fields modal failed');
    });
  });
}
