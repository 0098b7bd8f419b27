import { replyProblem } from '../domain/channel-rules.js';
import { DomainError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';
import type { BotContext } from './bot-context.js';
import { replyTarget } from './reply-target.js';

/**
 * Sends an agent's public reply: recorded for delivery at once; once posted in the origin thread it is stored as
 * the ticket's message, noted in the triage thread and shown on the card (delivery-executors.ts). Returns whom it
 * goes to: the ticket as the reply sees it (reply-target.ts).
 */
export async function sendPublicReply(ticket: Ticket, agentId: string, text: string, ctx: BotContext): Promise<Ticket> {
  // The rules of the channel the reply goes out by (on a merged ticket, maybe not its own origin).
  const target = await replyTarget(ticket, ctx.tickets);
  const problem = replyProblem(target, text);
  if (problem) throw new DomainError('reply_not_allowed', problem);
  await ctx.publisher.postPublicReply(ticket, agentId, text);
  return target;
}
