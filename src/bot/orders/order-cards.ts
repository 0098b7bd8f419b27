import type { Ticket } from '../../domain/ticket.js';
import type { OrderStore } from '../../store/order-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TicketPublisher } from '../ticket-publisher.js';
import { orderOfTicket } from '../ticket-order.js';

export interface OrderCardsDeps {
  tickets: Pick<TicketStore, 'activeOfCustomer' | 'firstMessage' | 'fields'>;
  orders: Pick<OrderStore, 'byNumber' | 'ofCustomer'>;
  publisher: Pick<TicketPublisher, 'redrawCards'>;
}

/**
 * An order of a customer was recorded or changed: the cards of her open tickets that show that order now are
 * redrawn. A card showing another one (the order its ticket names, or a later one) stays as it is: chat.update is
 * rate-limited, and a sale's burst of orders should not queue updates that change nothing.
 */
export function createOrderCards(deps: OrderCardsDeps) {
  return async function orderChanged(customerId: number, orderId: number): Promise<void> {
    const showing: Ticket[] = [];
    for (const ticket of await deps.tickets.activeOfCustomer(customerId)) {
      if (!ticket.cardTs) continue;
      const [firstMessage, fields] = await Promise.all([deps.tickets.firstMessage(ticket.id), deps.tickets.fields(ticket.id)]);
      if ((await orderOfTicket(ticket, fields, firstMessage?.text ?? '', deps.orders))?.id === orderId) showing.push(ticket);
    }
    await deps.publisher.redrawCards(showing);
  };
}
