import { ACTIONS } from './ids.js';
import { person } from './slack-text.js';
import { DomainError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';
import { addTag } from '../tickets/add-tag.js';
import { assignTicket } from '../tickets/assign-ticket.js';
import { closeTicket, markPending, markSpam, reopenTicket, solveTicket } from '../tickets/change-status.js';
import { setPriority } from '../tickets/set-priority.js';
import { requireAgent, type ActionResult } from '../tickets/ticket-action.js';
import type { Answer } from './answers.js';
import type { BotContext } from './bot-context.js';
import { buildReplyModal, presentTicket } from './blocks/ticket-views.js';
import { withSubjectNames } from './mention-names.js';
import { sendPublicReply } from './public-reply.js';
import { firstWord, type TicketAction } from './commands/grammar.js';
import { sendTemplateReply } from './template-reply.js';
import { suggestReply } from './suggest-reply.js';
import { publishHome } from './home-tab.js';
import { setField } from '../tickets/set-field.js';
import { mergeTickets } from '../tickets/merge-tickets.js';
import { askForRating } from './listeners/satisfaction.js';
import { deliver } from './delivery-intents.js';
import { buildStatusLine } from './blocks/thread-messages.js';

/**
 * Runs one agent action on a ticket, whichever door it came through (button, /ticket, !command),
 * and shows the outcome: the card is updated, the triage thread gets a line, the actor an ephemeral note
 * when nothing else would tell them.
 */
export async function runTicketAction(ticket: Ticket, action: TicketAction, actorId: string, answer: Answer, ctx: BotContext): Promise<void> {
  await dispatch(ticket, action, actorId, answer, ctx);
  // The agent's Home tab lists their tickets: keep it current (a failure here is not the action's).
  if (action.kind !== 'show') await publishHome(ticket.teamId, actorId, ctx).catch((err) => ctx.logger.warn({ err }, 'home tab not refreshed'));
}

async function dispatch(ticket: Ticket, action: TicketAction, actorId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const input = { ticketId: ticket.id, actorId };
  const deps = ctx.useCaseDeps;
  switch (action.kind) {
    case 'show':
      await requireAgent(actorId, ticket, deps);
      return answer.ephemeral(presentTicket(await withSubjectNames(ticket, ctx.directory)));
    case 'reply':
      return reply(ticket, action.text, actorId, answer, ctx);
    case 'assign': {
      const assigneeId = action.assignee === 'me' ? actorId : action.assignee;
      const who = assigneeId === actorId ? 'themself' : `<@${assigneeId}>`;
      const line = `:raising_hand: <@${actorId}> assigned #${ticket.number} to ${who}.`;
      const notice = (t: Ticket) => (assigneeId !== actorId ? [deliver.assignmentNotice(t, assigneeId, actorId)] : []);
      const result = await assignTicket({ ...input, assigneeId, show: (t) => [...shown(line)(t), ...notice(t)] }, deps);
      return outcome(result, line, `#${ticket.number} is already assigned to <@${assigneeId}>.`, answer);
    }
    case 'close': {
      if (ticket.status === 'solved') {
        const closed = `:lock: <@${actorId}> closed #${ticket.number}.`;
        return outcome(await closeTicket({ ...input, show: shown(closed) }, deps), closed, '', answer);
      }
      const line = `:white_check_mark: <@${actorId}> solved #${ticket.number}${action.survey === false ? ' (no survey)' : ''}.`;
      const result = await solveTicket({ ...input, show: shown(line) }, deps);
      await outcome(result, line, '', answer);
      if (result.changed && action.survey !== false) await askForRating(result.ticket, ctx);
      return;
    }
    case 'pending': {
      const line = `:hourglass_flowing_sand: <@${actorId}> set #${ticket.number} pending: waiting on the requester.`;
      return outcome(await markPending({ ...input, show: shown(line) }, deps), line, `#${ticket.number} is already pending.`, answer);
    }
    case 'spam': {
      const line = `:no_entry_sign: <@${actorId}> marked #${ticket.number} as spam: closed and left out of reports (\`!reopen\` undoes it).`;
      return outcome(await markSpam({ ...input, show: shown(line) }, deps), line, `#${ticket.number} is already marked as spam.`, answer);
    }
    case 'reopen': {
      const line = `:leftwards_arrow_with_hook: <@${actorId}> reopened #${ticket.number}.`;
      return outcome(await reopenTicket({ ...input, show: shown(line) }, deps), line, '', answer);
    }
    case 'priority': {
      const line = `:arrow_up_down: <@${actorId}> set the priority of #${ticket.number} to ${action.priority}.`;
      const result = await setPriority({ ...input, priority: action.priority, show: shown(line) }, deps);
      return outcome(result, line, `#${ticket.number} already has priority ${action.priority}.`, answer);
    }
    case 'set': {
      const line = `:pencil2: <@${actorId}> set \`${action.name.toLowerCase()}\` on #${ticket.number}.`;
      return outcome(await setField({ ...input, name: action.name, value: action.value, show: shown(line) }, deps), line, '', answer);
    }
    case 'merge': {
      const { duplicate, survivor } = await mergeTickets({ duplicateId: ticket.id, survivorNumber: action.into, actorId }, deps);
      await ctx.publisher.refreshCard(duplicate);
      await ctx.publisher.announce(duplicate, `:link: <@${actorId}> merged #${duplicate.number} into #${survivor.number}: its messages are there now.`);
      await ctx.publisher.refreshCard(survivor);
      await ctx.publisher.announce(survivor, `:link: <@${actorId}> merged #${duplicate.number} into this ticket.`);
      return answer.confirm?.(`:link: #${duplicate.number} merged into #${survivor.number}.`);
    }
    case 'suggest':
      await requireAgent(actorId, ticket, deps);
      return suggestReply(ticket, actorId, answer, ctx);
    case 'template':
      await requireAgent(actorId, ticket, deps);
      return sendTemplateReply(ticket, action.name, '', actorId, answer, ctx);
    case 'tag': {
      const line = `:label: <@${actorId}> tagged #${ticket.number} \`${action.tag}\`.`;
      return outcome(await addTag({ ...input, tag: action.tag, show: shown(line) }, deps), line, `#${ticket.number} is already tagged \`${action.tag}\`.`, answer);
    }
  }
}

/** What Slack shows for an action that changed the ticket: the card, its status reactions, a line in the thread. */
export const shown = (line: string) => (ticket: Ticket) => [deliver.card(ticket), deliver.statusReactions(ticket), deliver.triagePost(ticket, buildStatusLine(line))];

/** The actor's answer; what Slack shows was recorded with the change itself (`shown`). */
async function outcome(result: ActionResult, line: string, unchanged: string, answer: Answer): Promise<void> {
  if (!result.changed) return answer.ephemeral(unchanged);
  await answer.confirm?.(line);
}

/** A public reply: with text it goes straight to the origin thread; without, the Reply modal opens. */
async function reply(ticket: Ticket, text: string, actorId: string, answer: Answer, ctx: BotContext): Promise<void> {
  await requireAgent(actorId, ticket, ctx.useCaseDeps);
  // `reply NAME [text]`: a first word naming a template sends the template (the rest follows it).
  const [first, rest] = firstWord(text);
  if (first && (await ctx.templates.get(ticket.teamId, first.toLowerCase()))) return sendTemplateReply(ticket, first.toLowerCase(), rest.trim(), actorId, answer, ctx);
  if (text.length === 0) {
    if (!answer.triggerId) {
      // A thread command has no trigger to open the modal with: a button brings one.
      if (answer.offer) return answer.offer(`:pencil2: Reply to #${ticket.number}: open the Reply box, or write the reply after the command (\`!reply Your refund is on its way.\`).`, { actionId: ACTIONS.replyOpen, label: 'Open Reply', value: String(ticket.id) });
      throw new DomainError('empty_reply', 'Write the reply after the command, like `!reply Your refund is on its way.`, or click *Reply* on the card.');
    }
    const templates = (await ctx.templates.names(ticket.teamId, '', 1)).length > 0;
    const others = ctx.replying.of(ticket.id).filter((r) => r.agentId !== actorId);
    const notice = others.length > 0 ? `:warning: ${others.map((r) => `<@${r.agentId}>`).join(', ')} ${others.length === 1 ? 'is' : 'are'} already replying to this ticket (since ${Math.max(1, Math.round((ctx.clock.now() - others[0]!.since) / 60_000))} min).` : undefined;
    await ctx.sender.openView(answer.triggerId, buildReplyModal(await withSubjectNames(ticket, ctx.directory), { templates, notice }));
    ctx.replying.start(ticket.id, actorId);
    return ctx.publisher.refreshCard(ticket);
  }
  const target = await sendPublicReply(ticket, actorId, text, ctx);
  await answer.confirm?.(`:outbox_tray: Reply sent to ${person(target.requesterId)} on #${ticket.number}.`);
}
