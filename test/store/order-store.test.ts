import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedOrder } from '../../src/domain/order.js';
import { createOrderStore, type OrderStore } from '../../src/store/order-store.js';
import { createTestDb, isPostgresReachable, type DbKind, type TestDb } from '../support/databases.js';

// Webhooks of one order are recorded several at a time (and by several instances on PostgreSQL): whatever the
// interleaving, the latest description wins and every refund counts.
const kinds: DbKind[] = ['sqlite', 'postgres'];
const postgresUp = await isPostgresReachable();

const description = (id: string, updatedAt: number, status: string): ParsedOrder => ({
  source: 'shopify', externalId: id, number: id, email: 'a@example.com', phone: null, customerRef: null, currency: 'EUR', totalMinor: 10_000, status,
  cancelledAt: status === 'cancelled' ? updatedAt : null, createdAt: 1_000, updatedAt, items: [], refunds: [],
});

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`orders recorded at once on ${kind}`, () => {
    let testDb: TestDb;
    let orders: OrderStore;
    beforeAll(async () => {
      testDb = await createTestDb(kind);
      orders = createOrderStore(testDb.db);
    });
    afterAll(() => testDb.drop());

    it('keeps the latest description of an order, whichever transaction commits last', async () => {
      for (let round = 0; round < 20; round++) {
        const id = `race-${round}`;
        // created, paid and cancelled sent at once, in a shuffled order
        const sent = [description(id, 2_000, 'pending'), description(id, 3_000, 'paid'), description(id, 4_000, 'cancelled')].sort(() => (round % 2 ? 1 : -1) * (Math.random() - 0.5));
        await Promise.all(sent.map((d) => orders.record('T1', d, 5_000)));
        const rows = (await testDb.db('orders').where({ external_id: id }).select('status', 'updated_at')) as { status: string; updated_at: number | string }[];
        expect(rows.map((r) => [r.status, Number(r.updated_at)])).toEqual([['cancelled', 4_000]]);
      }
    });

    it('counts a refund that came before its order, and an update without refunds keeps it', async () => {
      await orders.refund('T1', 'shopify', 'late-order', { externalId: 'early', amountMinor: 1_500, createdAt: 1_500 });
      await orders.record('T1', description('late-order', 2_000, 'paid'), 5_000);
      await orders.record('T1', description('late-order', 3_000, 'fulfilled'), 6_000);
      const row = (await testDb.db('orders').where({ external_id: 'late-order' }).first('refunded_minor', 'status')) as { refunded_minor: number | string; status: string };
      expect([Number(row.refunded_minor), row.status]).toEqual([1_500, 'fulfilled']);
    });

    it('counts a refund recorded at the same moment as its order is first stored', async () => {
      for (let round = 0; round < 40; round++) {
        const id = `both-${round}`;
        const refund = () => orders.refund('T1', 'shopify', id, { externalId: `r-${round}`, amountMinor: 700, createdAt: 3_000 });
        const create = () => orders.record('T1', description(id, 2_000, 'paid'), 5_000);
        await Promise.all(round % 2 ? [refund(), create()] : [create(), refund()]);
      }
      const rows = (await testDb.db('orders').where('external_id', 'like', 'both-%').select('external_id', 'refunded_minor')) as { external_id: string; refunded_minor: number | string }[];
      expect(rows.filter((r) => Number(r.refunded_minor) !== 700).map((r) => r.external_id)).toEqual([]);
      expect(rows).toHaveLength(40);
    });

    it('adds up refunds recorded at once', async () => {
      await orders.record('T1', description('refunded', 2_000, 'paid'), 5_000);
      await Promise.all([1, 2, 3, 4].map((n) => orders.refund('T1', 'shopify', 'refunded', { externalId: `r${n}`, amountMinor: 500, createdAt: 3_000 })));
      const row = (await testDb.db('orders').where({ external_id: 'refunded' }).first('refunded_minor')) as { refunded_minor: number | string };
      expect(Number(row.refunded_minor)).toBe(2_000);
    });
  });
}
