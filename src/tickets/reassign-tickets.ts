import { pickAssignee } from '../domain/routing.js';
import type { Ticket } from '../domain/ticket.js';
import type { RoutingDeps } from './route-new-ticket.js';
import { changeTicket } from './ticket-action.js';

export interface Handover {
  ticket: Ticket;
  to: string | null;
}

/**
 * Hands an agent's open tickets on (they are away, or leaving): each goes to the next agent its channel's
 * policy picks, never back to them; with manual routing (or nobody available) it returns to the queue.
 */
export async function reassignTickets(teamId: string, fromAgentId: string, actorId: string, deps: RoutingDeps): Promise<Handover[]> {
  const handovers: Handover[] = [];
  const away = await deps.routing.awayAgents(teamId);
  away.add(fromAgentId);
  for (const ticket of await deps.tickets.list(teamId, 'mine', fromAgentId, 500)) {
    const settings = await deps.routing.channelRouting(ticket.originChannelId);
    const pool = settings?.groupName ? await deps.routing.groupMembers(teamId, settings.groupName) : await deps.agentPool(ticket.triageChannelId);
    const policy = settings?.policy ?? 'manual';
    const to = pickAssignee({ policy, pool, away, lastAssignee: settings?.lastAssignee ?? null, openCounts: policy === 'fewest-open' ? await deps.routing.openCounts(teamId, pool) : {} });
    const result = await changeTicket({ ticketId: ticket.id, actorId }, deps, (current) =>
      current.assigneeId !== fromAgentId ? null : { patch: { assigneeId: to }, events: [{ kind: 'assigned', fromValue: fromAgentId, toValue: to }] },
    );
    if (!result.changed) continue;
    if (to) await deps.routing.setLastAssignee(ticket.originChannelId, to);
    handovers.push({ ticket: result.ticket, to });
  }
  return handovers;
}
