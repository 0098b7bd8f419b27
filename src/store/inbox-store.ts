import type { Knex } from 'knex';
import { retryIfBusy, writeTransaction } from './db.js';

/** An Events API request as it arrived (already verified and checked). */
export interface ArrivedEvent {
  eventId: string;
  teamId: string | null;
  body: string;
}

export interface InboxEvent {
  id: number;
  eventId: string;
  body: string;
  attempts: number;
}

/** What one group commit writes: new arrivals, and the outcome of events processed since the last one. */
export interface InboxWrite {
  arrived: ArrivedEvent[];
  done: number[];
  now: number;
  /** Arrivals are claimed by the writing instance, which processes them at once, until then. */
  owner: string;
  leaseUntil: number;
}

export type InboxStore = ReturnType<typeof createInboxStore>;

/** Pending events whose time has come and that no live instance holds (a lease that ran out: its instance died). */
const due = (db: Knex | Knex.Transaction, now: number) =>
  db('slack_inbox')
    .where('status', 'pending')
    .where('not_before', '<=', now)
    .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now));

/**
 * The inbox of Slack events (`slack_inbox`): written before Slack gets its answer, processed afterwards, kept a
 * while once done so a late retry of the same event is recognised.
 */
export function createInboxStore(db: Knex) {
  const postgres = db.client.config.client === 'pg';

  return {
    /**
     * Inserts the arrivals (an event_id already there is a retry and is left alone) and marks the processed events
     * done. Each statement commits by itself (no BEGIN … COMMIT: one round trip for a group of arrivals): a row is
     * stored once its insert returns, and a done mark that is lost only means an event is processed again.
     * Returns the ids of the rows inserted, by event_id.
     */
    async write(batch: InboxWrite): Promise<Map<string, number>> {
      const inserted = new Map<string, number>();
      const rows = batch.arrived.map((e) => ({ event_id: e.eventId, team_id: e.teamId, body: e.body, not_before: batch.now, received_at: batch.now, claimed_by: batch.owner, lease_until: batch.leaseUntil }));
      // SQLite caps a statement's variables: groups of 100 rows (7 columns each).
      for (let i = 0; i < rows.length; i += 100) {
        const ids = (await retryIfBusy(() => db('slack_inbox').insert(rows.slice(i, i + 100)).onConflict('event_id').ignore().returning(['id', 'event_id']))) as { id: number; event_id: string }[];
        for (const row of ids) inserted.set(row.event_id, Number(row.id));
      }
      if (batch.done.length > 0) await retryIfBusy(() => db('slack_inbox').whereIn('id', batch.done).update({ status: 'done', done_at: batch.now, lease_until: null, claimed_by: null }));
      return inserted;
    },

    /** Whether a pending event's time has come that no live instance holds. */
    async hasDue(now: number): Promise<boolean> {
      return (await due(db, now).first('id')) !== undefined;
    },

    /** Pending events whose time has come and that no live instance holds, oldest first, claimed for `owner`. */
    async claimDue(options: { owner: string; now: number; leaseMs: number; limit: number }): Promise<InboxEvent[]> {
      const { now } = options;
      return writeTransaction(db, async (trx) => {
        const query = due(trx, now)
          .orderBy('id')
          .limit(options.limit)
          .select('id', 'event_id', 'body', 'attempts');
        if (postgres) query.forUpdate().skipLocked();
        const rows = (await query) as { id: number; event_id: string; body: string; attempts: number }[];
        if (rows.length > 0) {
          await trx('slack_inbox').whereIn('id', rows.map((r) => r.id)).update({ claimed_by: options.owner, lease_until: now + options.leaseMs });
        }
        return rows.map((r) => ({ id: Number(r.id), eventId: r.event_id, body: r.body, attempts: Number(r.attempts) }));
      }, 'slack_inbox');
    },

    /** Processing failed for a reason that may pass (the database was unreachable…): again at `notBefore`. */
    async retryLater(id: number, notBefore: number, error: string): Promise<void> {
      await db('slack_inbox').where({ id }).update({ not_before: Math.ceil(notBefore), lease_until: null, claimed_by: null, last_error: error.slice(0, 500), attempts: db.raw('attempts + 1') });
    },

    /** Given up on after its attempts: kept, with the error, to be looked at. */
    async fail(id: number, error: string, now: number): Promise<void> {
      await db('slack_inbox').where({ id }).update({ status: 'failed', lease_until: null, claimed_by: null, last_error: error.slice(0, 500), done_at: now, attempts: db.raw('attempts + 1') });
    },

    /** On SQLite one process serves a file: what a crashed run held is free at start. */
    async recoverAbandoned(): Promise<number> {
      return db('slack_inbox').where('status', 'pending').whereNotNull('lease_until').update({ lease_until: null, claimed_by: null });
    },

    /** Done events older than `before` go (Slack's retries of an event come within minutes). */
    async purgeDone(before: number): Promise<number> {
      return db('slack_inbox').where('status', 'done').where('done_at', '<', before).delete();
    },

    /** Events stored and not yet processed, and when the oldest arrived. */
    async backlog(): Promise<{ pending: number; oldestAt: number | null; failed: number }> {
      const rows = (await db('slack_inbox').whereIn('status', ['pending', 'failed']).groupBy('status').select('status').count({ n: '*' }).min({ oldest: 'received_at' })) as { status: string; n: number | string; oldest: number | string | null }[];
      const pending = rows.find((r) => r.status === 'pending');
      const failed = rows.find((r) => r.status === 'failed');
      return { pending: Number(pending?.n ?? 0), oldestAt: pending?.oldest != null ? Number(pending.oldest) : null, failed: Number(failed?.n ?? 0) };
    },
  };
}
