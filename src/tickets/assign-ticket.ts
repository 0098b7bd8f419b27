import { DomainError } from '../domain/errors.js';
import { statusAfterAgentTouch } from '../domain/ticket.js';
import { changeTicket, requireAgent, type ActionInput, type ActionResult, type TicketDeps } from './ticket-action.js';

/** Assigns a ticket to an agent (the actor themself, or a teammate). */
export async function assignTicket(input: ActionInput & { assigneeId: string }, deps: TicketDeps): Promise<ActionResult> {
  const ticket = await deps.tickets.byId(input.ticketId);
  // The actor first: a requester is refused as such, whoever they name.
  if (ticket) await requireAgent(input.actorId, ticket, deps);
  if (ticket && input.assigneeId !== input.actorId && !(await deps.isAgent(input.assigneeId, ticket.triageChannelId))) {
    throw new DomainError('not_an_agent_assignee', `<@${input.assigneeId}> is not an agent: only members of <#${ticket.triageChannelId}> can be assigned.`);
  }
  return changeTicket(input, deps, (current) => {
    if (current.assigneeId === input.assigneeId) return null;
    const status = statusAfterAgentTouch(current.status);
    return {
      patch: { assigneeId: input.assigneeId, status },
      events: [
        { kind: 'assigned', fromValue: current.assigneeId, toValue: input.assigneeId },
        ...(status !== current.status ? [{ kind: 'status_changed' as const, fromValue: current.status, toValue: status }] : []),
      ],
    };
  });
}
