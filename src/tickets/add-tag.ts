import { changeTicket, type ActionInput, type ActionResult, type TicketDeps } from './ticket-action.js';

export async function addTag(input: ActionInput & { tag: string }, deps: TicketDeps): Promise<ActionResult> {
  return changeTicket(input, deps, (current) =>
    current.tags.includes(input.tag) ? null : { events: [{ kind: 'tagged', fromValue: null, toValue: input.tag }], after: (tx) => tx.addTag(current.id, input.tag) },
  );
}
