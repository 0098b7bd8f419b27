import type { Knex } from 'knex';
import type { IdentityKind } from '../domain/customer.js';
import type { OrderItem, OrderSource, ParsedOrder, SnapshotRefund } from '../domain/order.js';
import { writeTransaction } from './db.js';

/** An order as stored: the shop's last description of it, its refunds added up, its customer once known. */
export interface StoredOrder {
  id: number;
  teamId: string;
  source: OrderSource;
  externalId: string;
  number: string;
  customerId: number | null;
  email: string | null;
  phone: string | null;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  status: string;
  cancelledAt: number | null;
  createdAt: number;
  items: OrderItem[];
}

interface OrderRow {
  id: number;
  team_id: string;
  source: OrderSource;
  external_id: string;
  number: string;
  customer_id: number | null;
  email: string | null;
  phone: string | null;
  currency: string;
  total_minor: number | string;
  refunded_minor: number | string;
  status: string;
  cancelled_at: number | string | null;
  created_at: number | string;
  items: string | null;
}

const COLUMNS = ['id', 'team_id', 'source', 'external_id', 'number', 'customer_id', 'email', 'phone', 'currency', 'total_minor', 'refunded_minor', 'status', 'cancelled_at', 'created_at', 'items'];

const toOrder = (r: OrderRow): StoredOrder => ({
  id: Number(r.id),
  teamId: r.team_id,
  source: r.source,
  externalId: r.external_id,
  number: r.number,
  customerId: r.customer_id === null ? null : Number(r.customer_id),
  email: r.email,
  phone: r.phone,
  currency: r.currency,
  totalMinor: Number(r.total_minor),
  refundedMinor: Number(r.refunded_minor),
  status: r.status,
  cancelledAt: r.cancelled_at === null ? null : Number(r.cancelled_at),
  createdAt: Number(r.created_at),
  items: r.items ? (JSON.parse(r.items) as OrderItem[]) : [],
});

/** Which order column an identity of a customer matches. */
const COLUMN_OF: Partial<Record<IdentityKind, string>> = { email: 'email', phone: 'phone', external: 'customer_ref' };

export type OrderStore = ReturnType<typeof createOrderStore>;

/**
 * A customer now has this identity (they wrote in, or gave an address): orders that were waiting for a customer
 * with it are theirs, and what those orders say of them (another address, a phone number, the shop's id) is
 * theirs too, which may claim further waiting orders. Returns how many orders were linked.
 */
export async function linkWaitingOrders(db: Knex | Knex.Transaction, teamId: string, customerId: number, kind: IdentityKind, value: string): Promise<number> {
  let keys: [IdentityKind, string][] = [[kind, value]];
  let linked = 0;
  for (let round = 0; round < 5; round++) {
    keys = keys.filter(([k]) => COLUMN_OF[k] !== undefined); // a chat visitor or a Slack user names no order
    if (keys.length === 0) break;
    const waiting = (await db('orders')
      .where({ team_id: teamId })
      .whereNull('customer_id')
      .where((q) => {
        for (const [k, v] of keys) void q.orWhere(COLUMN_OF[k]!, v);
      })
      .select('id', 'email', 'phone', 'customer_ref')) as { id: number; email: string | null; phone: string | null; customer_ref: string | null }[];
    if (waiting.length === 0) break;
    await db('orders').whereIn('id', waiting.map((o) => o.id)).update({ customer_id: customerId });
    linked += waiting.length;
    const learned = waiting.flatMap((o) => [['email', o.email], ['phone', o.phone], ['external', o.customer_ref]] as [IdentityKind, string | null][]).filter((k): k is [IdentityKind, string] => k[1] !== null);
    const fresh = [...new Map(learned.map((k) => [`${k[0]}\u0000${k[1]}`, k])).values()];
    if (fresh.length > 0) {
      const inserted = (await db('customer_identities').insert(fresh.map(([k, v]) => ({ customer_id: customerId, team_id: teamId, kind: k, value: v }))).onConflict(['team_id', 'kind', 'value']).ignore().returning(['kind', 'value'])) as { kind: IdentityKind; value: string }[];
      keys = inserted.map((r) => [r.kind, r.value]);
    } else keys = [];
  }
  return linked;
}

/** The shops' orders and their refunds, and which customer each belongs to. */
export function createOrderStore(db: Knex) {
  const postgres = db.client.config.client === 'pg';
  /** The customer an order's email, phone or shop customer id names, if any is known (the shop's id first): one query. */
  async function customerOf(trx: Knex | Knex.Transaction, teamId: string, order: { email: string | null; phone: string | null; customerRef: string | null }): Promise<number | null> {
    const keys = ([['external', order.customerRef], ['email', order.email], ['phone', order.phone]] as [IdentityKind, string | null][]).filter((k): k is [IdentityKind, string] => k[1] !== null);
    if (keys.length === 0) return null;
    const rows = (await trx('customer_identities')
      .where({ team_id: teamId })
      .where((q) => {
        for (const [kind, value] of keys) void q.orWhere({ kind, value });
      })
      .select('kind', 'customer_id')) as { kind: IdentityKind; customer_id: number }[];
    for (const [kind] of keys) {
      const row = rows.find((r) => r.kind === kind);
      if (row) return Number(row.customer_id);
    }
    return null;
  }

  /**
   * PostgreSQL: one writer at a time per order, whether or not its row exists yet. A row lock cannot do that for an
   * order not stored yet: a refund committed while the order's first insert was under way would be counted by
   * neither (the insert's sum did not see it, the refund's update found no row). SQLite's write lock does it already.
   */
  async function lockOrder(trx: Knex.Transaction, teamId: string, source: OrderSource, externalId: string): Promise<void> {
    if (postgres) await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`order:${teamId}:${source}:${externalId}`]);
  }

  /** The customer now knows the order's email, phone and shop id too: the next order with only one of them finds them. */
  async function learnIdentities(trx: Knex.Transaction, teamId: string, customerId: number, order: { email: string | null; phone: string | null; customerRef: string | null }): Promise<void> {
    const rows = ([['email', order.email], ['phone', order.phone], ['external', order.customerRef]] as const).filter(([, v]) => v !== null).map(([kind, value]) => ({ customer_id: customerId, team_id: teamId, kind, value }));
    if (rows.length > 0) await trx('customer_identities').insert(rows).onConflict(['team_id', 'kind', 'value']).ignore();
  }

  async function addRefunds(trx: Knex.Transaction, teamId: string, source: OrderSource, orderExternalId: string, refunds: SnapshotRefund[]): Promise<void> {
    if (refunds.length === 0) return;
    await trx('order_refunds')
      .insert(refunds.map((r) => ({ team_id: teamId, source, external_id: r.externalId, order_external_id: orderExternalId, amount_minor: r.amountMinor, created_at: r.createdAt })))
      .onConflict(['team_id', 'source', 'external_id'])
      .merge(['amount_minor']);
  }

  /** The sum of an order's refunds recorded so far, as a subquery of the statement that inserts the order. */
  const refundedSoFar = (trx: Knex.Transaction, teamId: string, source: OrderSource, externalId: string) =>
    trx.raw('(SELECT COALESCE(SUM(amount_minor), 0) FROM order_refunds WHERE team_id = ? AND source = ? AND order_external_id = ?)', [teamId, source, externalId]);

  /** The order's refunded amount: the sum of its refunds (those that came before it too). */
  async function sumRefunds(trx: Knex.Transaction, teamId: string, source: OrderSource, externalId: string): Promise<void> {
    const [row] = (await trx('order_refunds').where({ team_id: teamId, source, order_external_id: externalId }).sum({ total: 'amount_minor' })) as { total: number | string | null }[];
    await trx('orders').where({ team_id: teamId, source, external_id: externalId }).update({ refunded_minor: Number(row?.total ?? 0) });
  }

  return {
    /**
     * Records what a shop says an order is now (a later `updatedAt` replaces an earlier one; an older description
     * arriving late changes nothing but adds its refunds), linked to its customer when one is known.
     */
    async record(teamId: string, order: ParsedOrder, now: number): Promise<{ orderId: number; customerId: number | null; kind: 'created' | 'updated' | 'stale' }> {
      return writeTransaction(db, async (trx) => {
        // Two webhooks of one order may be recorded at once (8 at a time, several instances): one after the other,
        // so the later description always wins.
        await lockOrder(trx, teamId, order.source, order.externalId);
        const existing = (await trx('orders').where({ team_id: teamId, source: order.source, external_id: order.externalId }).first('id', 'customer_id', 'updated_at')) as
          | { id: number; customer_id: number | null; updated_at: number | string }
          | undefined;
        await addRefunds(trx, teamId, order.source, order.externalId, order.refunds);
        const customerId = existing?.customer_id != null ? Number(existing.customer_id) : await customerOf(trx, teamId, order);
        const values = { number: order.number, customer_id: customerId, email: order.email, phone: order.phone, customer_ref: order.customerRef, currency: order.currency, total_minor: order.totalMinor, status: order.status, cancelled_at: order.cancelledAt, created_at: order.createdAt, updated_at: order.updatedAt, items: JSON.stringify(order.items) };
        let kind: 'created' | 'updated' | 'stale';
        let orderId: number;
        if (!existing) {
          const [row] = (await trx('orders')
            // Refunds that came before the order (a refunds/create webhook first) count from the start.
            .insert({ team_id: teamId, source: order.source, external_id: order.externalId, ...values, refunded_minor: refundedSoFar(trx, teamId, order.source, order.externalId), received_at: now })
            .returning('id')) as ({ id: number } | number)[];
          orderId = Number(typeof row === 'object' ? row.id : row);
          kind = 'created';
        } else {
          orderId = Number(existing.id);
          kind = Number(existing.updated_at) > order.updatedAt ? 'stale' : 'updated';
          if (kind === 'updated') await trx('orders').where({ id: orderId }).update(values);
        }
        // A known order's refunded amount changes only with refunds (this description's, or a refund webhook's, which
        // adds itself up): one statement less per update.
        if (existing && order.refunds.length > 0) await sumRefunds(trx, teamId, order.source, order.externalId);
        if (customerId !== null && kind !== 'stale') await learnIdentities(trx, teamId, customerId, order);
        return { orderId, customerId, kind };
      }, 'orders');
    },

    /**
     * A refund sent apart from its order (Shopify's refunds/create); it counts once the order is there too. Answers
     * the order's customer (null while the order or its customer is unknown).
     */
    async refund(teamId: string, source: OrderSource, orderExternalId: string, refund: SnapshotRefund): Promise<{ customerId: number | null }> {
      return writeTransaction(db, async (trx) => {
        // One writer of the order at a time: two refunds recorded at once add up, not overwrite.
        await lockOrder(trx, teamId, source, orderExternalId);
        await addRefunds(trx, teamId, source, orderExternalId, [refund]);
        await sumRefunds(trx, teamId, source, orderExternalId);
        const order = (await trx('orders').where({ team_id: teamId, source, external_id: orderExternalId }).first('customer_id')) as { customer_id: number | null } | undefined;
        return { customerId: order?.customer_id != null ? Number(order.customer_id) : null };
      }, 'orders');
    },

    /** Whether the workspace has any order at all (a shop is connected and sent one). */
    async any(teamId: string): Promise<boolean> {
      return (await db('orders').where({ team_id: teamId }).first('id')) !== undefined;
    },

    /** A customer's orders, newest first. */
    async ofCustomer(customerId: number, limit = 10): Promise<StoredOrder[]> {
      const rows = (await db('orders').where({ customer_id: customerId }).orderBy('created_at', 'desc').limit(limit).select(COLUMNS)) as OrderRow[];
      return rows.map(toOrder);
    },

    /** A customer's orders in all, and what they spent by currency (cancelled and refunded amounts left out). */
    async totalsOf(customerId: number): Promise<{ orders: number; spent: { currency: string; amountMinor: number }[] }> {
      const rows = (await db('orders')
        .where({ customer_id: customerId })
        .groupBy('currency')
        .select('currency')
        .count({ n: '*' })
        .select(db.raw('SUM(CASE WHEN cancelled_at IS NULL THEN total_minor - refunded_minor ELSE 0 END) AS spent'))) as { currency: string; n: number | string; spent: number | string | null }[];
      return { orders: rows.reduce((n, r) => n + Number(r.n), 0), spent: rows.map((r) => ({ currency: r.currency, amountMinor: Number(r.spent ?? 0) })).sort((a, b) => a.currency.localeCompare(b.currency)) };
    },

    /** The team's order with this number (the customer's own first when two shops share a number), or null. */
    async byNumber(teamId: string, number: string, customerId: number | null = null): Promise<StoredOrder | null> {
      const rows = (await db('orders').where({ team_id: teamId, number }).orderBy('created_at', 'desc').limit(10).select(COLUMNS)) as OrderRow[];
      const orders = rows.map(toOrder);
      return orders.find((o) => customerId !== null && o.customerId === customerId) ?? orders[0] ?? null;
    },
  };
}
