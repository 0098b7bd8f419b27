import type { Knex } from 'knex';
import type { IdentityKind } from '../domain/customer.js';
import { linkWaitingOrders } from './order-store.js';

export type CustomerStore = ReturnType<typeof createCustomerStore>;

const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY/.test(e.message ?? ''));
};

/** Customers and the identities they are known by (a Slack user, email addresses, chat visitors, a shop's ids…). */
export function createCustomerStore(db: Knex) {
  async function find(teamId: string, kind: IdentityKind, value: string): Promise<number | null> {
    const row = (await db('customer_identities').where({ team_id: teamId, kind, value }).first('customer_id')) as { customer_id: number } | undefined;
    return row ? Number(row.customer_id) : null;
  }

  return {
    find,

    /** The customer known by this identity, created (with `name`) if nobody is yet. Safe against a racing instance. */
    async identify(teamId: string, kind: IdentityKind, value: string, name: string | null, now: number): Promise<number> {
      const known = await find(teamId, kind, value);
      if (known !== null) return known;
      try {
        return await db.transaction(async (trx) => {
          const [row] = (await trx('customers').insert({ team_id: teamId, name, created_at: now }).returning('id')) as ({ id: number } | number)[];
          const id = Number(typeof row === 'object' ? row.id : row);
          await trx('customer_identities').insert({ customer_id: id, team_id: teamId, kind, value });
          // A shop's orders that came before the customer wrote in are theirs now.
          await linkWaitingOrders(trx, teamId, id, kind, value);
          return id;
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        return (await find(teamId, kind, value))!; // another instance made it first
      }
    },

    /** Adds an identity to a customer (a Slack user found to have a customer's email address). */
    async link(customerId: number, teamId: string, kind: IdentityKind, value: string): Promise<void> {
      await db('customer_identities').insert({ customer_id: customerId, team_id: teamId, kind, value }).onConflict(['team_id', 'kind', 'value']).ignore();
      await linkWaitingOrders(db, teamId, customerId, kind, value);
    },

    async identities(customerId: number): Promise<{ kind: IdentityKind; value: string }[]> {
      return (await db('customer_identities').where({ customer_id: customerId }).orderBy(['kind', 'value']).select('kind', 'value')) as { kind: IdentityKind; value: string }[];
    },

    async name(customerId: number): Promise<string | null> {
      const row = (await db('customers').where({ id: customerId }).first('name')) as { name: string | null } | undefined;
      return row?.name ?? null;
    },
  };
}
