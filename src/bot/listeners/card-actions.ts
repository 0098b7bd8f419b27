import type { App, BlockAction, BlockElementAction, SlackActionMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import { DomainError } from '../../domain/errors.js';
import type { Ticket } from '../../domain/ticket.js';
import { answerErrors, respondAnswer, type Answer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import type { TicketAction } from '../commands/grammar.js';
import { ACTIONS, MERGE_INPUT, VIEWS } from '../ids.js';
import { buildMergeModal } from '../blocks/ticket-views.js';
import { withSubjectNames } from '../mention-names.js';
import { isDomainError } from '../../domain/errors.js';
import { runTicketAction } from '../run-ticket-action.js';
import { showCustomer } from '../show-customer.js';
import { requireAgent } from '../../tickets/ticket-action.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction<BlockElementAction>> & AllMiddlewareArgs;

/** The card's buttons and assignee picker: the same actions as the commands, one click away. */
export function registerCardActions(app: App, ctx: BotContext): void {
  const on = (actionId: string, toAction: (args: ActionArgs) => TicketAction) => {
    app.action<BlockAction<BlockElementAction>>(actionId, async (args) => {
      await args.ack();
      const { body, respond } = args;
      const answer = respondAnswer(respond, body.trigger_id);
      await answerErrors(answer, ctx.logger, { action: actionId, user: body.user.id }, async () => {
        const ticket = await ticketOfCard(args, ctx);
        await runTicketAction(ticket, toAction(args), body.user.id, answer, ctx);
      });
    });
  };
  on(ACTIONS.assignMe, () => ({ kind: 'assign', assignee: 'me' }));
  on(ACTIONS.assignPick, ({ action }) => ({ kind: 'assign', assignee: (action as { selected_user?: string }).selected_user ?? 'me' }));
  on(ACTIONS.reply, () => ({ kind: 'reply', text: '' }));
  on(ACTIONS.suggest, () => ({ kind: 'suggest' }));
  on(ACTIONS.close, () => ({ kind: 'close' }));
  on(ACTIONS.reopen, () => ({ kind: 'reopen' }));

  // Card buttons that are not ticket changes: agents only, answered ephemerally when something is wrong.
  const onAgentButton = (actionId: string, work: (ticket: Ticket, args: ActionArgs, answer: Answer) => Promise<void>) => {
    app.action<BlockAction<BlockElementAction>>(actionId, async (args) => {
      await args.ack();
      const answer = respondAnswer(args.respond, args.body.trigger_id);
      await answerErrors(answer, ctx.logger, { action: actionId, user: args.body.user.id }, async () => {
        const ticket = await ticketOfCard(args, ctx);
        await requireAgent(args.body.user.id, ticket, ctx.useCaseDeps);
        await work(ticket, args, answer);
      });
    });
  };
  onAgentButton(ACTIONS.follow, async (ticket, { body }, answer) => {
    const added = await ctx.tickets.follow(ticket.id, [body.user.id], ctx.clock.now());
    await answer.ephemeral(added.length > 0 ? `:bell: You follow #${ticket.number}: I will DM you when the customer answers.` : `You already follow #${ticket.number}.`);
  });
  onAgentButton(ACTIONS.merge, async (ticket, { body }) => ctx.sender.openView(body.trigger_id, buildMergeModal(await withSubjectNames(ticket, ctx.directory))));
  onAgentButton(ACTIONS.customer, (ticket, { body }) => showCustomer(ticket.teamId, ticket.requesterId, body.trigger_id, ctx));

  // Apply under learned routing's suggestion (a line in the ticket's triage thread, found by that thread).
  app.action<BlockAction<BlockElementAction>>(ACTIONS.learnedApply, async (args) => {
    await args.ack();
    const { body, action } = args;
    const answer = respondAnswer(args.respond, body.trigger_id);
    await answerErrors(answer, ctx.logger, { action: ACTIONS.learnedApply, user: body.user.id }, async () => {
      const channel = body.container?.channel_id ?? body.channel?.id;
      const thread = (body.message as { thread_ts?: string } | undefined)?.thread_ts;
      const ticket = channel && thread ? await ctx.tickets.byCard(channel, thread) : null;
      if (!ticket) throw new DomainError('ticket_not_found', 'This suggestion does not belong to a ticket I know.');
      await requireAgent(body.user.id, ticket, ctx.useCaseDeps);
      const hint = JSON.parse((action as { value?: string }).value ?? '{}') as { agent?: string | null; tags?: string[] };
      if (hint.agent && !ticket.assigneeId) await runTicketAction(ticket, { kind: 'assign', assignee: hint.agent }, body.user.id, answer, ctx);
      for (const tag of (hint.tags ?? []).filter((t) => /^[a-z0-9][a-z0-9_.-]{0,39}$/.test(t))) await runTicketAction((await ctx.tickets.byId(ticket.id))!, { kind: 'tag', tag }, body.user.id, answer, ctx);
      // Done: the suggestion says who applied it and loses its button (a second click has nothing to do).
      const applied = `${(body.message as { text?: string } | undefined)?.text ?? ':bulb: Suggestion'} Applied by <@${body.user.id}>.`;
      await args.respond({ replace_original: true, text: applied, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: applied } }] });
    });
  });

  // The merge modal's submit: the same action as `!merge N`; a wrong number stays in the modal with the reason.
  app.view(VIEWS.mergeModal, async ({ ack, view, body }) => {
    const ticketId = Number((JSON.parse(view.private_metadata || '{}') as { ticketId?: number }).ticketId);
    const raw = view.state.values[MERGE_INPUT.block]?.[MERGE_INPUT.action]?.value?.trim() ?? '';
    const into = /^#?(\d{1,9})$/.exec(raw)?.[1];
    const ticket = await ctx.tickets.byId(ticketId);
    if (!into || !ticket) return ack({ response_action: 'errors', errors: { [MERGE_INPUT.block]: 'Give a ticket number, like 41.' } });
    const failure = await runTicketAction(ticket, { kind: 'merge', into: Number(into) }, body.user.id, { ephemeral: async () => undefined }, ctx).then(
      () => null,
      (err: unknown) => (isDomainError(err) ? err.message : 'That did not work; please try again.'),
    );
    await ack(failure ? { response_action: 'errors', errors: { [MERGE_INPUT.block]: failure } } : undefined);
  });
}

/** The ticket a card belongs to: found by the card message itself, so a stale or forged value cannot redirect it. */
async function ticketOfCard({ body }: ActionArgs, ctx: BotContext): Promise<Ticket> {
  const channel = body.container?.channel_id ?? body.channel?.id;
  const ts = body.container?.message_ts ?? body.message?.ts;
  const ticket = channel && ts ? await ctx.tickets.byCard(channel, ts) : null;
  if (!ticket) throw new DomainError('ticket_not_found', 'This card does not belong to a ticket I know.');
  return ticket;
}
