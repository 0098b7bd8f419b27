import { isSlackUser } from '../domain/customer.js';
import type { Ticket } from '../domain/ticket.js';
import type { CustomerStore } from '../store/customer-store.js';
import type { OrderStore } from '../store/order-store.js';
import type { TicketStore } from '../store/ticket-store.js';
import type { Directory } from './directory.js';

export interface SlackCustomerDeps {
  customers: Pick<CustomerStore, 'find' | 'identify' | 'link'>;
  orders: Pick<OrderStore, 'any'>;
  tickets: Pick<TicketStore, 'setCustomer'>;
  directory: Pick<Directory, 'user'>;
  now: () => number;
}

/** Whether a workspace has orders is asked once a minute at most (a shop is connected or it is not). */
const ORDERS_KNOWN_MS = 60_000;

/**
 * A ticket opened by a Slack user belongs to the customer with their profile's email address, so the shop's
 * orders (matched by email) find their tickets and converted tickets count them. Done when the ticket's card is
 * first posted (the directory is asked then anyway), and only in a workspace that has orders: a team without a
 * shop pays nothing for it.
 */
export function createSlackCustomerLink(deps: SlackCustomerDeps) {
  const ordersKnown = new Map<string, { known: boolean; at: number }>();
  async function hasOrders(teamId: string): Promise<boolean> {
    const cached = ordersKnown.get(teamId);
    if (cached && deps.now() - cached.at < ORDERS_KNOWN_MS) return cached.known;
    const known = await deps.orders.any(teamId);
    ordersKnown.set(teamId, { known, at: deps.now() });
    return known;
  }

  return async function withCustomer(ticket: Ticket): Promise<Ticket> {
    if (ticket.customerId !== null || !isSlackUser(ticket.requesterId) || !(await hasOrders(ticket.teamId))) return ticket;
    let customerId = await deps.customers.find(ticket.teamId, 'slack', ticket.requesterId);
    if (customerId === null) {
      const user = await deps.directory.user(ticket.requesterId).catch(() => null);
      const email = user?.email?.trim().toLowerCase() || null;
      customerId = email ? await deps.customers.identify(ticket.teamId, 'email', email, user?.name ?? null, deps.now()) : await deps.customers.identify(ticket.teamId, 'slack', ticket.requesterId, user?.name ?? null, deps.now());
      await deps.customers.link(customerId, ticket.teamId, 'slack', ticket.requesterId);
    }
    await deps.tickets.setCustomer(ticket.id, customerId);
    return { ...ticket, customerId };
  };
}
