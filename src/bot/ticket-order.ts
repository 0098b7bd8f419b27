import { DateTime } from 'luxon';
import { formatMoney, normalizeOrderNumber } from '../domain/order.js';
import type { Ticket } from '../domain/ticket.js';
import type { OrderStore, StoredOrder } from '../store/order-store.js';
import { escapeMrkdwn } from './slack-text.js';

type Orders = Pick<OrderStore, 'byNumber' | 'ofCustomer'>;

/** A number written as a word of its own ("order 1021", "#1021"), not inside a longer one. */
const mentions = (text: string, number: string) => new RegExp(`(^|[^\\p{L}\\p{N}])#?${number.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u').test(text);

/**
 * The order a ticket is about: the one an agent named (`!order 1021`, the order.number field, or Amazon's order
 * id), else one of the customer's recent orders their message names, else the customer's latest. Null when the
 * customer has no order (or is not known to the shop).
 */
export async function orderOfTicket(ticket: Pick<Ticket, 'teamId' | 'customerId' | 'subject'>, fields: Record<string, string>, text: string, orders: Orders): Promise<StoredOrder | null> {
  const named = normalizeOrderNumber(fields['order.number']);
  if (named) return orders.byNumber(ticket.teamId, named, ticket.customerId);
  if (ticket.customerId === null) return null;
  const recent = await orders.ofCustomer(ticket.customerId, 20);
  return recent.find((o) => mentions(`${ticket.subject}\n${text}`, o.number)) ?? recent[0] ?? null;
}

/** The order.* snippets of templates, formatted for the team's time zone (and English, as the bot writes). */
export function orderSnippets(order: StoredOrder, timeZone: string): Record<string, string> {
  return {
    number: order.number,
    total: formatMoney(order.totalMinor, order.currency),
    status: order.cancelledAt !== null ? 'cancelled' : order.refundedMinor >= order.totalMinor && order.totalMinor > 0 ? 'refunded' : order.status,
    created: DateTime.fromMillis(order.createdAt, { zone: timeZone }).setLocale('en-GB').toLocaleString(DateTime.DATE_FULL),
  };
}

/** The card's Order field: number, date (in the reader's own time zone), total, status, a few items. */
export function orderCardText(order: StoredOrder): string {
  const snippets = orderSnippets(order, 'UTC');
  const refunded = order.refundedMinor > 0 && order.refundedMinor < order.totalMinor ? ` (${formatMoney(order.refundedMinor, order.currency)} refunded)` : '';
  const date = `<!date^${Math.floor(order.createdAt / 1000)}^{date_short}|${new Date(order.createdAt).toISOString().slice(0, 10)}>`;
  const items = order.items.slice(0, 3).map((i) => `${escapeMrkdwn(i.title)} ×${i.quantity}`).join(', ');
  const more = order.items.length > 3 ? ` and ${order.items.length - 3} more` : '';
  return `#${escapeMrkdwn(order.number)} · ${date} · ${snippets.total} · ${escapeMrkdwn(snippets.status)}${refunded}${items ? `\n${items}${more}` : ''}`;
}
