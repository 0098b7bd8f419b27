import type { App } from '@slack/bolt';
import { requireAgent } from '../../tickets/ticket-action.js';
import { isDomainError } from '../../domain/errors.js';
import type { BotContext } from '../bot-context.js';
import { REPLY_INPUT, VIEWS } from '../ids.js';
import { sendPublicReply } from '../public-reply.js';
import { escapeMrkdwn } from '../slack-text.js';

/** The Reply modal's Send: the text goes to the requester in the origin thread. */
export function registerReplyModal(app: App, ctx: BotContext): void {
  app.view(VIEWS.replyModal, async ({ ack, view, body }) => {
    // Modal input arrives as typed; Slack's own composer would have escaped &, < and >, so we do too.
    const text = escapeMrkdwn(view.state.values[REPLY_INPUT.block]?.[REPLY_INPUT.action]?.value?.trim() ?? '');
    const ticketId = Number((JSON.parse(view.private_metadata || '{}') as { ticketId?: number }).ticketId);
    const ticket = Number.isInteger(ticketId) ? await ctx.tickets.byId(ticketId) : null;
    const problem = !ticket ? 'This ticket no longer exists.' : text.length === 0 ? 'Write a reply first.' : await agentProblem(body.user.id, ctx, ticket);
    if (problem) return ack({ response_action: 'errors', errors: { [REPLY_INPUT.block]: problem } });
    await ack();
    try {
      await sendPublicReply(ticket!, body.user.id, text, ctx);
    } catch (err) {
      ctx.logger.error({ err, ticket: ticket!.number }, 'reply from modal failed');
      await ctx.sender.ephemeral(ticket!.triageChannelId, body.user.id, `Sorry, your reply to #${ticket!.number} could not be sent. Your text was:\n${text}`, ticket!.cardTs ?? undefined).catch(() => undefined);
    }
  });
}

async function agentProblem(userId: string, ctx: BotContext, ticket: NonNullable<Awaited<ReturnType<BotContext['tickets']['byId']>>>): Promise<string | null> {
  try {
    await requireAgent(userId, ticket, ctx.useCaseDeps);
    return null;
  } catch (err) {
    if (isDomainError(err)) return err.message;
    throw err;
  }
}
