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

/** Reopens a solved or closed ticket (a spam or deleted one counts again). */
export async function reopenTicket(input: ActionInput, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) => {
    if (isActive(current.status)) throw new DomainError('not_solved', `Ticket #${current.number} is ${current.status}, not solved: nothing to reopen.`);
    return {
      patch: { status: 'open', discarded: null },
      events: [{ kind: 'status_changed', fromValue: current.status, toValue: 'open' }],
    };
  });
}

/**
 * Closes a solved ticket by hand (the quiet period does the same by itself, see auto-close.ts): the case is over.
 * A requester's next real message still opens it again.
 */
export async function closeTicket(input: ActionInput, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) => {
    if (current.status === 'closed') return null;
    if (current.status !== 'solved') throw new DomainError('not_solved', `Ticket #${current.number} is ${current.status}: solve it first.`);
    return { patch: { status: 'closed' }, events: [{ kind: 'status_changed', fromValue: 'solved', toValue: 'closed' }] };
  });
}

/** Marks a ticket as spam: closed, left out of every figure, and not opened again by its sender's follow-ups. */
export async function markSpam(input: ActionInput, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) => {
    if (current.discarded === 'spam') return null;
    return {
      patch: { status: 'closed', discarded: 'spam' },
      events: current.status === 'closed' ? [] : [{ kind: 'status_changed', fromValue: current.status, toValue: 'closed' }],
    };
  });
}
