import { DomainError } from '../domain/errors.js';
import { isActive } from '../domain/ticket.js';
import { changeTicket, type ActionInput, type ActionResult, type TicketDeps } from './ticket-action.js';

/** Solves a ticket ("close" in the commands): the requester's next real message reopens it. */
export async function solveTicket(input: ActionInput, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) => {
    if (!isActive(current.status)) throw new DomainError('already_solved', `Ticket #${current.number} is already ${current.status}.`);
    return {
      patch: { status: 'solved', solvedAt: deps.clock.now() },
      events: [{ kind: 'status_changed', fromValue: current.status, toValue: 'solved' }],
    };
  });
}

/** Sets an active ticket pending: the team waits for the requester (their next message opens it again). */
export async function markPending(input: ActionInput, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) => {
    if (current.status === 'pending') return null;
    if (!isActive(current.status)) throw new DomainError('already_solved', `Ticket #${current.number} is ${current.status}: reopen it first.`);
    return { patch: { status: 'pending' }, events: [{ kind: 'status_changed', fromValue: current.status, toValue: 'pending' }] };
  });
}

/** Reopens a solved or closed ticket. */
export async function reopenTicket(input: ActionInput, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) => {
    if (isActive(current.status)) throw new DomainError('not_solved', `Ticket #${current.number} is ${current.status}, not solved: nothing to reopen.`);
    return {
      patch: { status: 'open' },
      events: [{ kind: 'status_changed', fromValue: current.status, toValue: 'open' }],
    };
  });
}
