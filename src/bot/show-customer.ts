import type { BotContext } from './bot-context.js';
import { buildCustomerModal } from './blocks/customer-view.js';
import { withSubjectsNamed } from './mention-names.js';

/** Opens the single customer view for an agent: profile, all the customer's tickets, totals. */
export async function showCustomer(teamId: string, customerId: string, triggerId: string, ctx: BotContext): Promise<void> {
  const [customer, history] = await Promise.all([ctx.directory.user(customerId), ctx.tickets.ofRequester(teamId, customerId)]);
  const tickets = await withSubjectsNamed(history.tickets, ctx.directory);
  await ctx.sender.openView(triggerId, buildCustomerModal({ customer, teamId, ...history, tickets }));
}
