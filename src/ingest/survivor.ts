import type { Ticket } from '../domain/ticket.js';
import type { TicketPort } from './ports.js';

/** A merged ticket's conversation goes on in the ticket it was merged into (following a chain A → B → C to its end). */
export async function survivor(ticket: Ticket, deps: { tickets: Pick<TicketPort, 'byId'> }): Promise<Ticket> {
  let current = ticket;
  for (let hops = 0; current.mergedIntoId !== null && hops < 20; hops++) current = (await deps.tickets.byId(current.mergedIntoId)) ?? current;
  return current;
}
