import { replyProblem } from '../domain/channel-rules.js';
import { DomainError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';
import type { BotContext } from './bot-context.js';

/**
 * Sends an agent's public reply: recorded for delivery at once; once posted in the origin thread it is stored as
 * the ticket's message, noted in the triage thread and shown on the card (delivery-executors.ts).
 */
export async function sendPublicReply(ticket: Ticket, agentId: string, text: string, ctx: BotContext): Promise<void> {
  const problem = replyProblem(ticket, text);
  if (problem) throw new DomainError('reply_not_allowed', problem);
  await ctx.publisher.postPublicReply(ticket, agentId, text);
}
