import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Ticket } from '../../domain/ticket.js';
import { answerErrors, respondAnswer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import { mintReplyToken } from '../../ingest/email/email-threading.js';
import { replyTarget } from '../reply-target.js';
import { LOW_RATING, lowRatingLine, ratingCommentLine } from '../survey-page.js';

export const CSAT_ACTION = /^csat_rate_[1-5]$/;
const CSAT_COMMENT_VIEW = 'csat_comment';
const COMMENT_INPUT = { block: 'csat_comment_block', action: 'csat_comment_input' };
const STARS = (n: number) => '⭐'.repeat(n);

function surveyBlocks(ticket: Ticket, rated: number | null) {
  const question = rated
    ? `Thanks for rating #${ticket.number}: ${STARS(rated)} ${rated}/5. You can change your rating below.`
    : `Your request #${ticket.number} is solved. How did we do? Rate us from 1 (poor) to 5 (great).`;
  return [
    { type: 'section', text: { type: 'mrkdwn', text: question } },
    {
      type: 'actions',
      block_id: 'csat',
      elements: [1, 2, 3, 4, 5].map((n) => ({
        type: 'button',
        action_id: `csat_rate_${n}`,
        text: { type: 'plain_text', text: `${n} ${n === 1 ? '😞' : n === 5 ? '😄' : ''}`.trim() },
        value: `${ticket.id}:${n}`,
        ...(rated === n ? { style: 'primary' } : {}),
      })),
    },
  ];
}

/**
 * After a solve: ask the requester to rate 1-5 (unless the channel switched surveys off), where they wrote last:
 * buttons in the Slack thread, a link by email or in the chat widget (survey-page.ts). Not asked, and not counted
 * as sent: an intake API conversation (the source's own system talks to the customer), an Amazon buyer (Amazon
 * forbids links and survey requests in buyer messages), a Slack thread merged into an email or chat ticket.
 */
export async function askForRating(ticket: Ticket, ctx: BotContext): Promise<void> {
  const intake = await ctx.channels.intake(ticket.originChannelId);
  if (intake && !intake.csatEnabled) return;
  const target = await replyTarget(ticket, ctx.tickets);
  const byLink = (target.originKind === 'email' && target.originSource !== 'amazon') || target.originKind === 'chat';
  const byButtons = target.originKind === 'slack' && ticket.originKind === 'slack';
  if (!byLink && !byButtons) return;
  const ask = { channelId: target.originChannelId, token: byLink ? mintReplyToken() : null, agentId: ticket.assigneeId, solvedAt: ticket.solvedAt };
  await ctx.publisher.postSurvey(ticket, { text: `How did we do on #${ticket.number}? Rate 1-5.`, blocks: surveyBlocks(ticket, null) }, ask, (intake?.csatDelayMinutes ?? 0) * 60_000);
}

/** The survey's buttons (only the requester's answer counts) and the optional comment modal. */
export function registerSatisfaction(app: App, ctx: BotContext): void {
  app.action<BlockAction<ButtonAction>>(CSAT_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const answer = respondAnswer(respond, body.trigger_id);
    await answerErrors(answer, ctx.logger, { action: 'csat', user: body.user.id }, async () => {
      const [ticketId, rating] = action.value!.split(':').map(Number) as [number, number];
      const ticket = await ctx.tickets.byId(ticketId);
      const survey = ticket && (await ctx.csat.get(ticketId));
      if (!ticket || !survey) return answer.ephemeral('This survey is no longer open.');
      if (body.user.id !== ticket.requesterId) return answer.ephemeral(`Only <@${ticket.requesterId}>, who asked, can rate #${ticket.number}. Thanks all the same!`);
      await ctx.csat.rate(ticketId, rating, ctx.clock.now());
      if (survey.messageTs) await ctx.publisher.updateMessage(ticket, survey.channelId, survey.messageTs, { text: `Thanks for rating #${ticket.number}: ${rating}/5.`, blocks: surveyBlocks(ticket, rating) });
      if (rating <= LOW_RATING) await ctx.publisher.announce(ticket, lowRatingLine(`<@${ticket.requesterId}>`, ticket, rating));
      await ctx.sender.openView(body.trigger_id, commentModal(ticket, rating));
    });
  });

  app.view(CSAT_COMMENT_VIEW, async ({ ack, view, body }) => {
    await ack();
    const { ticketId, rating } = JSON.parse(view.private_metadata || '{}') as { ticketId?: number; rating: number }; // both set by commentModal
    const comment = view.state.values[COMMENT_INPUT.block]?.[COMMENT_INPUT.action]?.value?.trim() ?? '';
    const ticket = ticketId ? await ctx.tickets.byId(ticketId) : null;
    if (!ticket || !comment || body.user.id !== ticket.requesterId) return;
    await ctx.csat.comment(ticket.id, comment);
    await ctx.publisher.announce(ticket, ratingCommentLine(`<@${ticket.requesterId}>`, ticket, rating, comment));
  });
}

function commentModal(ticket: Ticket, rating: number) {
  return {
    type: 'modal',
    callback_id: CSAT_COMMENT_VIEW,
    private_metadata: JSON.stringify({ ticketId: ticket.id, rating }),
    title: { type: 'plain_text', text: 'Thanks for rating' },
    submit: { type: 'plain_text', text: 'Send comment' },
    close: { type: 'plain_text', text: 'Skip' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `You rated #${ticket.number} ${STARS(rating)} ${rating}/5.` } },
      {
        type: 'input',
        block_id: COMMENT_INPUT.block,
        optional: true,
        label: { type: 'plain_text', text: 'Anything you want to tell us? (optional)' },
        element: { type: 'plain_text_input', action_id: COMMENT_INPUT.action, multiline: true, max_length: 2000 },
      },
    ],
  };
}
