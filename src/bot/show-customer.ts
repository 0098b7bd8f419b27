import { DomainError } from '../domain/errors.js';
import type { BotContext } from './bot-context.js';
import { buildCustomerModal } from './blocks/customer-view.js';

/** Opens the single customer view for an agent: profile, all the customer's tickets, totals. */
export async function showCustomer(teamId: string, customerId: string, triggerId: string, ctx: BotContext): Promise<void> {
  const [customer, history] = await Promise.all([ctx.directory.user(customerId), ctx.tickets.ofRequester(teamId, customerId)]);
  await ctx.sender.openView(triggerId, buildCustomerModal({ customer, teamId, ...history }));
}

/** Who may look: agents of any triage channel of the workspace. */
export async function requireAgentSomewhere(userId: string, teamId: string, ctx: BotContext): Promise<void> {
  const triage = new Set((await ctx.channels.intakeChannels(teamId)).map((c) => c.triageChannelId));
  const fallback = await ctx.channels.defaultTriage(teamId);
  if (fallback) triage.add(fallback);
  for (const channel of triage) if (await ctx.directory.isAgent(userId, channel)) return;
  throw new DomainError('not_agent', 'Only agents (members of a triage channel) can do that.');
}
