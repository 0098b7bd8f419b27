import type { BotContext } from './bot-context.js';
import { buildCustomerModal } from './blocks/customer-view.js';

/** Opens the single customer view for an agent: profile, all the customer's tickets, totals. */
export async function showCustomer(teamId: string, customerId: string, triggerId: string, ctx: BotContext): Promise<void> {
  const [customer, history] = await Promise.all([ctx.directory.user(customerId), ctx.tickets.ofRequester(teamId, customerId)]);
  await ctx.sender.openView(triggerId, buildCustomerModal({ customer, teamId, ...history }));
}
