import type { Knex } from 'knex';
import { writeTransaction } from './db.js';
import { inParts, readParts, writeParts } from './byte-parts.js';

/** A Slack write the bot owes, as the store keeps it (built by src/bot/delivery-intents.ts). */
export interface NewDelivery {
  teamId: string | null;
  /** Deliveries of one lane go out one after another, in the order they were recorded. */
  lane: string;
  /** The rate-limit bucket its Slack call counts against. */
  bucket: string;
  kind: string;
  payload: object;
  /** The bytes of a file it uploads, kept beside it (delivery_files), not in the JSON payload. */
  file?: Buffer;
  /** Not before this long after it is recorded (a check that has to wait: was a chat reply seen?). */
  delayMs?: number;
}

export interface ClaimedDelivery extends NewDelivery {
  id: number;
  attempts: number;
  /** The previous attempt may have reached Slack: look before posting again. */
  uncertain: boolean;
  createdAt: number;
  /** When its rate-limit slot comes (epoch ms): the worker waits until then before calling Slack. */
  sendAt: number;
}

export interface FailedDelivery {
  id: number;
  lane: string;
  kind: string;
  error: string;
  failedAt: number;
}

export interface ClaimOptions {
  owner: string;
  now: number;
  limit: number;
  /** How far ahead a rate-limit slot may be reserved. */
  lookaheadMs: number;
  /** How long an instance may work on a claimed delivery before another one may take it over. */
  leaseMs: number;
  /** Milliseconds between two calls in a bucket. */
  intervalOf(bucket: string): number;
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;

/** Inserts deliveries with `db`, which may be the transaction of the change that causes them. */
export async function enqueueDeliveries(db: Knex | Knex.Transaction, deliveries: NewDelivery[], now: number): Promise<void> {
  const row = (d: NewDelivery) => ({ team_id: d.teamId, lane: d.lane, bucket: d.bucket, kind: d.kind, payload: JSON.stringify(d.payload), not_before: now + (d.delayMs ?? 0), created_at: now });
  // In the order given (a lane goes out in id order). Runs without files are inserted together: SQLite caps the
  // variables of one statement, so in groups of 100 (a few per change, bursts in groups of 100 tickets).
  let run: NewDelivery[] = [];
  const flush = async () => {
    for (let i = 0; i < run.length; i += 100) await db('deliveries').insert(run.slice(i, i + 100).map(row));
    run = [];
  };
  for (const d of deliveries) {
    if (!d.file) {
      run.push(d);
      continue;
    }
    await flush();
    const [inserted] = (await db('deliveries').insert(row(d)).returning('id')) as ({ id: number } | number)[];
    const id = typeof inserted === 'object' ? inserted.id : inserted!;
    await writeParts(db, 'delivery_files', { delivery_id: id }, inParts(d.file));
  }
  await flush();
}

/** Leaves out the checks recorded for later (a delay given when recorded, never tried yet, not due): not owed yet. */
const notScheduled = (query: Knex.QueryBuilder, now: number) => query.whereNot((q) => q.where('attempts', 0).whereNull('last_error').whereRaw('not_before > created_at').where('not_before', '>', now));

/**
 * The outbox: deliveries waiting for Slack, claimed row by row by the delivery workers of one or several
 * instances, and the rate-limit slots they share.
 */
export function createOutboxStore(db: Knex) {
  const postgres = db.client.config.client === 'pg';

  return {
    enqueue: (deliveries: NewDelivery[], now: number) => enqueueDeliveries(db, deliveries, now),

    /**
     * Claims up to `limit` deliveries that may go now: the first pending one of each lane (so a lane keeps its
     * order), not held by another instance, whose bucket has a slot within the lookahead. The slots are
     * reserved in the same transaction, so several instances together keep to one bucket's rate.
     */
    async claim(options: ClaimOptions): Promise<ClaimedDelivery[]> {
      const { now } = options;
      return writeTransaction(db, async (trx) => {
          const query = trx('deliveries as d')
            .where('d.status', 'pending')
            .where('d.not_before', '<=', now)
            .where((q) => q.whereNull('d.lease_until').orWhere('d.lease_until', '<', now))
            .whereNotExists((q) => q.select(1).from('deliveries as e').whereRaw('e.status = d.status').whereRaw('e.lane = d.lane').whereRaw('e.id < d.id'))
            .orderBy('d.id')
            .limit(Math.max(options.limit * 4, 200)) // enough to find rows of every busy bucket
            .select('d.*');
          if (postgres) query.forUpdate().skipLocked();
          const candidates = (await query) as DeliveryRow[];
          if (candidates.length === 0) return [];

          const buckets = [...new Set(candidates.map((c) => c.bucket))];
          const paceQuery = trx('delivery_pace').whereIn('bucket', buckets).orderBy('bucket'); // one lock order for every instance
          if (postgres) paceQuery.forUpdate();
          const nextAt = new Map(((await paceQuery) as { bucket: string; next_at: number }[]).map((p) => [p.bucket, Number(p.next_at)]));

          const claimed: ClaimedDelivery[] = [];
          for (const row of candidates) {
            if (claimed.length >= options.limit) break;
            const slot = Math.max(nextAt.get(row.bucket) ?? 0, now);
            if (slot > now + options.lookaheadMs) continue;
            nextAt.set(row.bucket, slot + options.intervalOf(row.bucket));
            // A lease that ran out: the instance holding it stopped somewhere inside its Slack call.
            claimed.push({ ...deliveryFromRow(row), uncertain: Boolean(row.uncertain) || row.lease_until !== null, sendAt: slot });
          }
          for (const c of claimed) {
            await trx('deliveries').where({ id: c.id }).update({ lease_until: Math.ceil(c.sendAt + options.leaseMs), claimed_by: options.owner, uncertain: c.uncertain });
          }
          const used = [...new Set(claimed.map((c) => c.bucket))];
          if (used.length > 0) {
            await trx('delivery_pace')
              .insert(used.map((bucket) => ({ bucket, next_at: Math.ceil(nextAt.get(bucket)!) })))
              .onConflict('bucket')
              .merge();
          }
          return claimed;
      });
    },

    /** Whether a later delivery of the same kind waits in the lane (a card update that will show a later state anyway). */
    async supersededBy(delivery: Pick<ClaimedDelivery, 'id' | 'lane' | 'kind'>): Promise<boolean> {
      return Boolean(await db('deliveries').where({ status: 'pending', lane: delivery.lane, kind: delivery.kind }).where('id', '>', delivery.id).first('id'));
    },

    /** Delivered: the rows go. */
    async complete(ids: number[]): Promise<void> {
      if (ids.length === 0) return;
      await db('deliveries').whereIn('id', ids).delete();
      await db('delivery_files').whereIn('delivery_id', ids).delete();
    },

    /** The bytes of the file a delivery uploads (null: none stored). */
    async file(id: number): Promise<Buffer | null> {
      return readParts(db, 'delivery_files', { delivery_id: id });
    },

    /** Tries again at `notBefore`; `attempted` counts the attempt (a rate limit does not). */
    async retryLater(id: number, notBefore: number, error: string, options: { attempted: boolean; uncertain: boolean }): Promise<void> {
      await db('deliveries')
        .where({ id })
        .update({
          not_before: Math.ceil(notBefore), // epoch ms are whole numbers (BIGINT)
          lease_until: null,
          claimed_by: null,
          last_error: error.slice(0, 500),
          ...(options.uncertain ? { uncertain: true } : {}),
          ...(options.attempted ? { attempts: db.raw('attempts + 1') } : {}),
        });
    },

    /** Gives up: a permanent error (the channel is gone, the bot was removed…). Kept to be shown. */
    async fail(id: number, error: string, now: number): Promise<void> {
      await db('deliveries').where({ id }).update({ status: 'failed', lease_until: null, last_error: error.slice(0, 500), failed_at: now, attempts: db.raw('attempts + 1') });
      await db('delivery_files').where({ delivery_id: id }).delete(); // the failure is shown, the file is not needed
    },

    /** Keeps a bucket closed until `until` (Slack said Retry-After). */
    async pauseBucket(bucket: string, until: number): Promise<void> {
      await writeTransaction(db, async (trx) => {
        const current = (await trx('delivery_pace').where({ bucket }).first('next_at')) as { next_at: number } | undefined;
        if (current && Number(current.next_at) >= until) return;
        await trx('delivery_pace').insert({ bucket, next_at: Math.ceil(until) }).onConflict('bucket').merge();
      });
    },

    /** Gives back claims of deliveries that were not started (a graceful stop), so another instance takes them at once. */
    async release(ids: number[]): Promise<void> {
      if (ids.length > 0) await db('deliveries').whereIn('id', ids).update({ lease_until: null, claimed_by: null });
    },

    /**
     * On SQLite only one bot process runs on a file: claims left by a crashed run can be taken back at start,
     * marked uncertain, instead of waiting for their leases to run out.
     */
    async recoverAbandoned(): Promise<number> {
      return db('deliveries').where('status', 'pending').whereNotNull('lease_until').update({ lease_until: null, claimed_by: null, uncertain: true });
    },

    /** Deliveries owed (checks scheduled for later not counted until due), when the oldest was recorded, and failures. */
    async backlog(now = Date.now()): Promise<{ pending: number; oldestAt: number | null; failed: number }> {
      const rows = (await notScheduled(db('deliveries'), now).groupBy('status').select('status').count({ n: '*' }).min({ oldest: 'created_at' })) as { status: string; n: number | string; oldest: number | string | null }[];
      const pending = rows.find((r) => r.status === 'pending');
      const failed = rows.find((r) => r.status === 'failed');
      return { pending: Number(pending?.n ?? 0), oldestAt: pending?.oldest != null ? Number(pending.oldest) : null, failed: Number(failed?.n ?? 0) };
    },

    /**
     * Deliveries waiting, but not the checks recorded for later (a delay given at recording, not yet due, never
     * tried: "mail this chat reply if nobody saw it in 2 minutes"), which are not work in progress.
     */
    async pendingCount(now: number): Promise<number> {
      const [row] = (await notScheduled(db('deliveries').where('status', 'pending'), now).count({ n: '*' })) as { n: number | string }[];
      return Number(row!.n);
    },

    /** The latest deliveries that were given up on, for a workspace. */
    async failures(teamId: string, limit = 5): Promise<FailedDelivery[]> {
      const rows = (await db('deliveries').where({ team_id: teamId, status: 'failed' }).orderBy('id', 'desc').limit(limit)) as DeliveryRow[];
      return rows.map((r) => ({ id: r.id, lane: r.lane, kind: r.kind, error: r.last_error ?? '', failedAt: Number(r.failed_at) }));
    },

    async failedCount(teamId: string): Promise<number> {
      const [row] = (await db('deliveries').where({ team_id: teamId, status: 'failed' }).count({ n: '*' })) as { n: number | string }[];
      return Number(row!.n);
    },
  };
}

interface DeliveryRow {
  id: number;
  team_id: string | null;
  lane: string;
  bucket: string;
  kind: string;
  payload: string;
  attempts: number;
  lease_until: number | null;
  uncertain: boolean | number;
  last_error: string | null;
  created_at: number;
  failed_at: number | null;
}

function deliveryFromRow(row: DeliveryRow): Omit<ClaimedDelivery, 'uncertain' | 'sendAt'> {
  return { id: row.id, teamId: row.team_id, lane: row.lane, bucket: row.bucket, kind: row.kind, payload: JSON.parse(row.payload) as object, attempts: Number(row.attempts), createdAt: Number(row.created_at) };
}
