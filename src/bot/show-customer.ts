import { emailOfRequester, emailRequester, externalOfRequester, requesterOfIdentity } from '../domain/customer.js';
import type { BotContext } from './bot-context.js';
import { buildCustomerModal } from './blocks/customer-view.js';
import type { SlackUser } from './directory.js';
import { withSubjectsNamed } from './mention-names.js';

/**
 * Opens the single customer view for an agent: profile, the customer's tickets from every channel, totals. A
 * Slack user and the mail sender with their profile's address are one customer: found by that address, and
 * remembered as one of the customer's identities once seen.
 */
export async function showCustomer(teamId: string, requesterId: string, triggerId: string, ctx: BotContext): Promise<void> {
  const { profile, requesterIds, customerId } = await whoIs(teamId, requesterId, ctx);
  const history = await ctx.tickets.ofRequester(teamId, requesterIds);
  const tickets = await withSubjectsNamed(history.tickets, ctx.directory);
  // The shop's orders of the customer (by any of their identities), newest first, and what they spent in all.
  const [orders, orderTotals] = customerId !== null ? await Promise.all([ctx.orders.ofCustomer(customerId, 10), ctx.orders.totalsOf(customerId)]) : [[], null];
  await ctx.sender.openView(triggerId, buildCustomerModal({ customer: profile, teamId, ...history, tickets, orders, orderTotals }));
}

async function whoIs(teamId: string, requesterId: string, ctx: BotContext): Promise<{ profile: SlackUser; requesterIds: string[]; customerId: number | null }> {
  const address = emailOfRequester(requesterId);
  const external = externalOfRequester(requesterId);
  // A mail sender may be a member of the workspace: their profile address says so. A customer known only by an
  // API source's id is nobody in Slack.
  const slackUser = address !== null ? await ctx.directory.userByEmail(address).catch(() => null) : external !== null ? null : await ctx.directory.user(requesterId);
  const email = address ?? slackUser?.email?.toLowerCase() ?? null;
  const customerId = (external && (await ctx.customers.find(teamId, 'external', external))) || (email && (await ctx.customers.find(teamId, 'email', email))) || (slackUser && (await ctx.customers.find(teamId, 'slack', slackUser.id))) || null;
  if (customerId !== null && slackUser) await ctx.customers.link(customerId, teamId, 'slack', slackUser.id);
  const identities = customerId !== null ? await ctx.customers.identities(customerId) : [];
  const requesterIds = new Set([requesterId, ...(slackUser ? [slackUser.id] : []), ...(email ? [emailRequester(email)] : []), ...identities.map((i) => requesterOfIdentity(i.kind, i.value))]);
  const name = slackUser?.name ?? (customerId !== null ? await ctx.customers.name(customerId) : null) ?? address ?? requesterId;
  const profile: SlackUser = slackUser ? { ...slackUser, id: requesterId } : { id: requesterId, name, firstName: name.split(/\s+/)[0] ?? name, email, isAdmin: false, isBot: false, teamId: null };
  return { profile, requesterIds: [...requesterIds], customerId };
}
