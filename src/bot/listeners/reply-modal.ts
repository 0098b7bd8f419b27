import { runTicketAction } from '../run-ticket-action.js';
import { replyProblem } from '../../domain/channel-rules.js';
import { replyTarget } from '../reply-target.js';
import type { App, BlockAction, ButtonAction, ExternalSelectAction } from '@slack/bolt';
import { isDomainError } from '../../domain/errors.js';
import { renderTemplate } from '../../domain/template.js';
import type { Ticket } from '../../domain/ticket.js';
import { slackToPlain } from '../../ingest/slack-text.js';
import { markPending, solveTicket } from '../../tickets/change-status.js';
import { askForRating } from './satisfaction.js';
import { shown } from '../run-ticket-action.js';
import { requireAgent } from '../../tickets/ticket-action.js';
import type { BotContext } from '../bot-context.js';
import { buildReplyModal, templateOption } from '../blocks/ticket-views.js';
import { withSubjectNames } from '../mention-names.js';
import { ACTIONS, REPLY_AFTER, REPLY_INPUT, VIEWS, type ReplyAfter } from '../ids.js';
import { escapeMrkdwn } from '../slack-text.js';
import { noteTemplateUse, templateView } from '../template-reply.js';
import { HOLE } from '../../suggest/render-suggestion.js';
import { answerErrors, respondAnswer } from '../answers.js';
import { sentSuggestion, suggestionState, suggestionsFor, suggestReply } from '../suggest-reply.js';

interface ModalMetadata {
  ticketId?: number;
  version?: number;
  /** The suggestion put in the box (suggest-reply.ts), by its short id. */
  picked?: string;
  /** The template put in the box by the picker. */
  template?: string;
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/** The reply text: the versioned input block (see REPLY_INPUT) holds it. */
const replyText = (values: StateValues) =>
  Object.entries(values).find(([blockId]) => blockId.startsWith(REPLY_INPUT.block))?.[1]?.[REPLY_INPUT.action]?.value?.trim() ?? '';

/** The Reply modal: a template picked fills the box; Send posts the text in the origin thread, then maybe pending/close. */
export function registerReplyModal(app: App, ctx: BotContext): void {
  // The template picker's search: names containing what the agent typed, most used first. Only for the ticket's
  // agents (the modal may outlive its opener's membership): anyone else is offered nothing.
  app.options(ACTIONS.templatePick, async ({ ack, options, body }) => {
    const metadata = JSON.parse(body.view?.private_metadata || '{}') as ModalMetadata;
    const ticket = Number.isInteger(metadata.ticketId) ? await ctx.tickets.byId(metadata.ticketId!) : null;
    if (!ticket || (await agentProblem(body.user.id, ctx, ticket))) return ack({ options: [] });
    await ack({ options: (await ctx.templates.names(ticket.teamId, options.value ?? '')).map(templateOption) as never });
  });

  app.action<BlockAction<ExternalSelectAction>>(ACTIONS.templatePick, async ({ ack, body, action }) => {
    await ack();
    const view = body.view;
    const name = action.selected_option?.value;
    if (!view || !name) return;
    const metadata = JSON.parse(view.private_metadata || '{}') as ModalMetadata;
    const ticket = await ctx.tickets.byId(Number(metadata.ticketId));
    if (!ticket || (await agentProblem(body.user.id, ctx, ticket))) return;
    const templates = true;
    const template = await ctx.templates.get(ticket.teamId, name);
    // In the box the text is plain (the agent may edit it); it is escaped for Slack when sent.
    const rendered = template ? renderTemplate(template.body, await templateView(ticket, body.user.id, ctx), (value) => value) : null;
    const version = (metadata.version ?? 0) + 1;
    const state =
      rendered?.ok === true
        ? { templates, selected: name, text: slackToPlain(rendered.text), version }
        : {
            templates,
            selected: name,
            version: metadata.version ?? 0,
            notice: rendered && 'missing' in rendered
              ? `:warning: \`${name}\` needs a value for ${rendered.missing.map((m) => `\`${m}\``).join(', ')}. Set ticket fields with \`!set …\` in the ticket's thread, or write the reply by hand.`
              : `:warning: Template \`${name}\` ${template ? 'does not compile' : 'no longer exists'}.`,
          };
    await ctx.sender.updateView(view.id, view.hash, buildReplyModal(await withSubjectNames(ticket, ctx.directory), state));
  });

  // "Use this one" beside a suggestion: it goes into the box (a new version of the input, as for a template).
  app.action<BlockAction<ButtonAction>>(ACTIONS.suggestionPick, async ({ ack, body, action }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const metadata = JSON.parse(view.private_metadata || '{}') as ModalMetadata;
    const ticket = await ctx.tickets.byId(Number(metadata.ticketId));
    if (!ticket || (await agentProblem(body.user.id, ctx, ticket))) return;
    const { shown, complete } = await suggestionsFor(ticket, body.user.id, ctx);
    const pick = Number(action.value);
    if (!Number.isInteger(pick) || !shown[pick]) return;
    const templates = (await ctx.templates.names(ticket.teamId, '', 1)).length > 0;
    await ctx.sender.updateView(view.id, view.hash, buildReplyModal(await withSubjectNames(ticket, ctx.directory), suggestionState(shown, pick, (metadata.version ?? 0) + 1, templates, complete)));
  });

  // "Open in Reply" under `!suggest`'s answer: the click brings the trigger a thread command lacks.
  app.action<BlockAction<ButtonAction>>(ACTIONS.suggestOpen, async ({ ack, body, action, respond }) => {
    await ack();
    const ticket = await ctx.tickets.byId(Number(action.value));
    if (!ticket) return;
    const answer = respondAnswer(respond, body.trigger_id);
    await answerErrors(answer, ctx.logger, { action: ACTIONS.suggestOpen, ticket: ticket.number }, async () => {
      await requireAgent(body.user.id, ticket, ctx.useCaseDeps);
      await suggestReply(ticket, body.user.id, answer, ctx);
    });
  });

  // "Open Reply" under `!reply` typed without text.
  app.action<BlockAction<ButtonAction>>(ACTIONS.replyOpen, async ({ ack, body, action, respond }) => {
    await ack();
    const ticket = await ctx.tickets.byId(Number(action.value));
    if (!ticket) return;
    const answer = respondAnswer(respond, body.trigger_id);
    await answerErrors(answer, ctx.logger, { action: ACTIONS.replyOpen, ticket: ticket.number }, () => runTicketAction(ticket, { kind: 'reply', text: '' }, body.user.id, answer, ctx));
  });

  app.view(VIEWS.replyModal, async ({ ack, view, body }) => {
    const values = view.state.values as StateValues;
    const inputBlock = Object.keys(values).find((blockId) => blockId.startsWith(REPLY_INPUT.block)) ?? REPLY_INPUT.block;
    // Modal input arrives as typed; Slack's own composer would have escaped &, < and >, so we do too.
    const text = escapeMrkdwn(replyText(values));
    const after = (values[REPLY_AFTER.block]?.[REPLY_AFTER.action]?.selected_option?.value ?? 'nothing') as ReplyAfter;
    const metadata = JSON.parse(view.private_metadata || '{}') as ModalMetadata;
    const ticket = Number.isInteger(metadata.ticketId) ? await ctx.tickets.byId(metadata.ticketId!) : null;
    const hole = HOLE.exec(text)?.[0];
    const problem = !ticket
      ? 'This ticket no longer exists.'
      : text.length === 0
        ? 'Write a reply first.'
        : hole
          ? `Fill in ${hole} first: the customer would see it as it is.`
          : ((await agentProblem(body.user.id, ctx, ticket)) ?? replyProblem(await replyTarget(ticket, ctx.tickets), text));
    if (problem) return ack({ response_action: 'errors', errors: { [inputBlock]: problem } });
    await ack();
    ctx.replying.stop(ticket!.id, body.user.id);
    // Which suggestion was in the box, found before the reply changes the conversation it was suggested for.
    const chosen = metadata.picked ? await pickedSuggestion(ticket!, body.user.id, metadata.picked, ctx) : null;
    if (!(await sendFromModal(ticket!, body.user.id, text, after, ctx))) return;
    const suggestionSent = chosen !== null && sentSuggestion(chosen.text, replyText(values));
    if (suggestionSent) {
      await ctx.suggestions.recordSent(ticket!.teamId, chosen.key, ctx.clock.now()).catch((err: unknown) => ctx.logger.warn({ err }, 'suggested reply: what was sent could not be learned'));
    }
    const template = suggestionSent ? chosen.template : metadata.picked ? undefined : metadata.template;
    if (template) await noteTemplateUse(ticket!, template, body.user.id, ctx);
  });

  // notify_on_close: an agent who cancels is no longer replying.
  app.view({ callback_id: VIEWS.replyModal, type: 'view_closed' }, async ({ ack, view, body }) => {
    await ack();
    const ticket = await ctx.tickets.byId(Number((JSON.parse(view.private_metadata || '{}') as ModalMetadata).ticketId));
    if (!ticket) return;
    ctx.replying.stop(ticket.id, body.user.id);
    await ctx.publisher.refreshCard(ticket);
  });
}

/** The suggestion the modal put in its box, if it is still among the ticket's suggestions. */
async function pickedSuggestion(ticket: Ticket, agentId: string, picked: string, ctx: BotContext) {
  try {
    return (await suggestionsFor(ticket, agentId, ctx)).shown.find((s) => s.id === picked) ?? null;
  } catch (err) {
    ctx.logger.warn({ err, ticket: ticket.number }, 'suggested reply: the suggestions could not be read again');
    return null;
  }
}

/** Records the reply for delivery; false (and the agent told, their text given back) when it could not be. */
async function sendFromModal(ticket: Ticket, agentId: string, text: string, after: ReplyAfter, ctx: BotContext): Promise<boolean> {
  try {
    await ctx.publisher.postPublicReply(ticket, agentId, text, after === 'pending' || after === 'close' ? after : undefined);
    return true;
  } catch (err) {
    ctx.logger.error({ err, ticket: ticket.number }, 'reply from modal failed');
    await ctx.sender.ephemeral(ticket.triageChannelId, agentId, `Sorry, your reply to #${ticket.number} could not be sent. Your text was:\n${text}`, ticket.cardTs ?? undefined).catch(() => undefined);
    return false;
  }
}

/**
 * "Send and set pending / close": the status changes once the reply is posted and recorded, so the ticket's
 * history reads reply, then status (the delivery worker calls this).
 */
export async function applyAfterReply(ticketId: number, agentId: string, after: 'pending' | 'close', ctx: BotContext): Promise<void> {
  const line = (number: number) => (after === 'pending' ? `:hourglass_flowing_sand: <@${agentId}> set #${number} pending.` : `:white_check_mark: <@${agentId}> solved #${number}.`);
  const input = { ticketId, actorId: agentId, show: (t: Ticket) => shown(line(t.number))(t) };
  const change = after === 'pending' ? await markPending(input, ctx.useCaseDeps) : await solveTicket(input, ctx.useCaseDeps);
  if (change.changed && after === 'close') await askForRating(change.ticket, ctx);
}

async function agentProblem(userId: string, ctx: BotContext, ticket: Ticket): Promise<string | null> {
  try {
    await requireAgent(userId, ticket, ctx.useCaseDeps);
    return null;
  } catch (err) {
    if (isDomainError(err)) return err.message;
    throw err;
  }
}
