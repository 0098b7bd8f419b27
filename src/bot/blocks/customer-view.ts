import type { Ticket } from '../../domain/ticket.js';
import type { SlackUser } from '../directory.js';
import { escapeMrkdwn, person, truncate } from '../slack-text.js';
import { originLabel } from './ticket-card.js';
import { LIMITS } from './limits.js';
import { formatMoney } from '../../domain/order.js';
import type { StoredOrder } from '../../store/order-store.js';
import { orderCardText } from '../ticket-order.js';

export interface CustomerViewInput {
  customer: SlackUser;
  /** The installed workspace, to tell a Slack Connect customer from a colleague. */
  teamId: string;
  tickets: Ticket[];
  byStatus: Record<string, number>;
  /** The customer's orders (newest first, a few) and lifetime totals; none when the shop knows them not. */
  orders?: StoredOrder[];
  orderTotals?: { orders: number; spent: { currency: string; amountMinor: number }[] } | null;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The single customer view: who they are, every ticket they opened (newest first) and the totals. */
export function buildCustomerModal({ customer, teamId, tickets, byStatus, orders = [], orderTotals = null }: CustomerViewInput): object {
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const open = (byStatus.new ?? 0) + (byStatus.open ?? 0) + (byStatus.pending ?? 0);
  const solved = (byStatus.solved ?? 0) + (byStatus.closed ?? 0);
  const profile = [
    `*${escapeMrkdwn(customer.name)}* ${person(customer.id)}${customer.teamId && customer.teamId !== teamId ? ' · external (Slack Connect)' : ''}`,
    customer.email ? escapeMrkdwn(customer.email) : null,
    `${total} ticket${total === 1 ? '' : 's'}: ${open} open, ${solved} solved`,
    orderTotals && orderTotals.orders > 0 ? `${orderTotals.orders} order${orderTotals.orders === 1 ? '' : 's'} · spent ${orderTotals.spent.map((s) => formatMoney(s.amountMinor, s.currency)).join(' + ')} in all` : null,
  ].filter(Boolean).join('\n');
  const orderLines = orders.map((o) => `• ${orderCardText(o).replace('\n', ' · ')}`);
  const lines = tickets.map((t) => {
    const solvedOn = t.solvedAt && (t.status === 'solved' || t.status === 'closed') ? ` · solved ${day(t.solvedAt)}` : '';
    const via = t.originKind === 'slack' ? '' : ` · ${originLabel(t)}`;
    return `*#${t.number}* ${escapeMrkdwn(truncate(t.subject, 80))}\n${t.status}${via} · opened ${day(t.createdAt)}${solvedOn}${t.assigneeId ? ` · <@${t.assigneeId}>` : ''}`;
  });
  return {
    type: 'modal',
    title: { type: 'plain_text', text: truncate(`Customer: ${customer.name}`, LIMITS.modalTitle) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(profile, LIMITS.sectionText) } },
      ...(orderLines.length > 0 ? [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Orders*\n${orderLines.join('\n')}`, LIMITS.sectionText) } }] : []),
      { type: 'divider' },
      ...lines.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } })),
      ...(total > tickets.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `The ${tickets.length} newest of ${total} tickets.` }] }] : []),
    ],
  };
}
