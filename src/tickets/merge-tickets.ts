import { DomainError } from '../domain/errors.js';
import { isActive, type Ticket } from '../domain/ticket.js';
import { requireAgent, type TicketDeps } from './ticket-action.js';

export interface Merged {
  duplicate: Ticket;
  survivor: Ticket;
}

/**
 * Folds a duplicate ticket into another: its messages move, it is closed with a pointer to the survivor, and
 * both keep the history. Reports count the pair once (a merged ticket is left out).
 */
export async function mergeTickets(input: { duplicateId: number; survivorNumber: number; actorId: string }, deps: TicketDeps): Promise<Merged> {
  const duplicate = await deps.tickets.byId(input.duplicateId);
  if (!duplicate) throw new DomainError('ticket_not_found', 'That ticket no longer exists.');
  await requireAgent(input.actorId, duplicate, deps);
  const survivor = await deps.tickets.byNumber(duplicate.teamId, input.survivorNumber);
  if (!survivor) throw new DomainError('ticket_not_found', `There is no ticket #${input.survivorNumber}.`);
  if (survivor.id === duplicate.id) throw new DomainError('bad_command', 'A ticket cannot be merged into itself.');
  if (duplicate.mergedIntoId !== null) throw new DomainError('bad_command', `#${duplicate.number} is already merged.`);
  if (survivor.mergedIntoId !== null) throw new DomainError('bad_command', `#${survivor.number} was itself merged into another ticket: merge into that one.`);
  const at = deps.clock.now();
  await deps.tickets.transaction(async (tx) => {
    await tx.mergeInto(duplicate.id, survivor.id);
    await tx.updateTicket(duplicate.id, { status: 'closed', updatedAt: at });
    const event = { actorId: input.actorId, messageId: null, at };
    await tx.addEvent(duplicate.id, { ...event, kind: 'merged', fromValue: String(duplicate.number), toValue: String(survivor.number) });
    if (isActive(duplicate.status)) await tx.addEvent(duplicate.id, { ...event, kind: 'status_changed', fromValue: duplicate.status, toValue: 'closed' });
    await tx.addEvent(survivor.id, { ...event, kind: 'merged', fromValue: String(duplicate.number), toValue: String(survivor.number) });
  });
  return { duplicate: (await deps.tickets.byId(duplicate.id))!, survivor: (await deps.tickets.byId(survivor.id))! };
}
