import { matchRules, pickAssignee } from '../domain/routing.js';
import { statusAfterAgentTouch, type Ticket } from '../domain/ticket.js';
import type { TicketDeps } from './ticket-action.js';
import { slackToPlain } from '../ingest/slack-text.js';
import type { RoutingStore } from '../store/routing-store.js';

export interface RoutingDeps extends TicketDeps {
  routing: RoutingStore;
  /** Everyone who may get tickets worked in a triage channel (its human members, or the agent list). */
  agentPool(triageChannelId: string): Promise<string[]>;
}

export interface Routed {
  ticket: Ticket;
  tags: string[];
  assigneeId: string | null;
  policy: string;
}

/**
 * Applies the intake channel's routing to a new ticket: keyword rules add tags and may choose a group;
 * the policy (round-robin or fewest open tickets, over available agents) may choose an assignee.
 * Runs one at a time per channel (the caller locks), so round-robin turns are not taken twice.
 */
export async function routeNewTicket(ticket: Ticket, slackText: string, deps: RoutingDeps): Promise<Routed | null> {
  const settings = await deps.routing.channelRouting(ticket.originChannelId);
  if (!settings) return null;
  const match = matchRules(slackToPlain(slackText), await deps.routing.rules(ticket.originChannelId));
  const groupName = match.groupName ?? settings.groupName;
  const pool = groupName ? await deps.routing.groupMembers(ticket.teamId, groupName) : await deps.agentPool(ticket.triageChannelId);
  const assigneeId = pickAssignee({
    policy: settings.policy,
    pool,
    away: await deps.routing.awayAgents(ticket.teamId),
    lastAssignee: settings.lastAssignee,
    openCounts: settings.policy === 'fewest-open' ? await deps.routing.openCounts(ticket.teamId, pool) : {},
  });
  if (match.tags.length === 0 && !assigneeId) return null;
  const at = deps.clock.now();
  await deps.tickets.transaction(async (tx) => {
    for (const tag of match.tags) {
      if (await tx.addTag(ticket.id, tag)) await tx.addEvent(ticket.id, { kind: 'tagged', actorId: null, fromValue: null, toValue: tag, messageId: null, at });
    }
    if (!assigneeId) return;
    const status = statusAfterAgentTouch(ticket.status);
    await tx.updateTicket(ticket.id, { assigneeId, status, updatedAt: at });
    await tx.addEvent(ticket.id, { kind: 'assigned', actorId: null, fromValue: null, toValue: assigneeId, messageId: null, at });
    if (status !== ticket.status) await tx.addEvent(ticket.id, { kind: 'status_changed', actorId: null, fromValue: ticket.status, toValue: status, messageId: null, at });
  });
  if (assigneeId) await deps.routing.setLastAssignee(ticket.originChannelId, assigneeId);
  return { ticket: (await deps.tickets.byId(ticket.id))!, tags: match.tags, assigneeId, policy: settings.policy };
}
