import type { Ticket } from '../domain/ticket.js';
import { recordPublicReply } from '../tickets/record-public-reply.js';
import type { BotContext } from './bot-context.js';

/** Posts the reply in the origin thread, records it, and notes it in the triage thread. */
export async function sendPublicReply(ticket: Ticket, agentId: string, text: string, ctx: BotContext): Promise<void> {
  const posted = await ctx.publisher.postPublicReply(ticket, agentId, text);
  const { ticket: updated } = await recordPublicReply({ ticket, agentId, text, ...posted }, ctx.useCaseDeps);
  await ctx.publisher.confirmReplySent(updated, agentId, text);
  await ctx.publisher.refreshCard(updated);
}
