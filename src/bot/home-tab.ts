import type { BotContext } from './bot-context.js';
import { buildHomeView, buildRequesterHomeView } from './blocks/home-view.js';
import { requireAgentSomewhere } from './permissions.js';
import { parsePeriod } from '../reports/period.js';
import { withSubjectsNamed } from './mention-names.js';

/** Publishes a user's Home tab: the agent's view, or a short note for everyone else. */
export async function publishHome(teamId: string, userId: string, ctx: BotContext): Promise<void> {
  const isAgent = await requireAgentSomewhere(userId, teamId, ctx).then(() => true, () => false);
  if (!isAgent) return ctx.sender.publishHome(userId, buildRequesterHomeView());
  const now = ctx.clock.now();
  const timeZone = await ctx.channels.timeZone(teamId);
  const dayStart = parsePeriod('today', timeZone, now)!.from;
  const [mine, unassigned, waiting, today, failedCount] = await Promise.all([
    ctx.tickets.list(teamId, 'mine', userId, 10).then((t) => withSubjectsNamed(t, ctx.directory)),
    ctx.tickets.list(teamId, 'unassigned', userId, 10).then((t) => withSubjectsNamed(t, ctx.directory)),
    ctx.tickets.waitingLongest(teamId, 5).then((t) => withSubjectsNamed(t, ctx.directory)),
    ctx.tickets.figuresSince(teamId, dayStart),
    ctx.outbox.failedCount(teamId),
  ]);
  const failedDeliveries = failedCount > 0 ? { count: failedCount, latest: await describeFailures(teamId, ctx) } : undefined;
  const links = new Map<number, string>();
  for (const ticket of [...mine, ...unassigned, ...waiting]) {
    if (ticket.cardTs && !links.has(ticket.id)) links.set(ticket.id, await ctx.sender.permalink(ticket.triageChannelId, ticket.cardTs));
  }
  await ctx.sender.publishHome(userId, buildHomeView({ mine, unassigned, waiting, today, links, now, timeZone, failedDeliveries }));
}

/** "card of #12: channel_not_found", latest first. */
async function describeFailures(teamId: string, ctx: BotContext): Promise<string[]> {
  return Promise.all(
    (await ctx.outbox.failures(teamId, 3)).map(async (f) => {
      const ticketId = /^ticket:(\d+)$/.exec(f.lane)?.[1];
      const ticket = ticketId ? await ctx.tickets.byId(Number(ticketId)) : null;
      return `${f.kind.replace(/_/g, ' ')}${ticket ? ` of #${ticket.number}` : ''}: \`${f.error}\``;
    }),
  );
}
