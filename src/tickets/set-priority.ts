import type { Priority } from '../domain/ticket.js';
import { changeTicket, type ActionInput, type ActionResult, type TicketDeps } from './ticket-action.js';

export async function setPriority(input: ActionInput & { priority: Priority }, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) =>
    current.priority === input.priority
      ? null
      : { patch: { priority: input.priority }, events: [{ kind: 'priority_changed', fromValue: current.priority, toValue: input.priority }] },
  );
}
