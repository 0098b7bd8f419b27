import type { Knex } from 'knex';
import { retryIfBusy, writeTransaction } from './db.js';

/** What arrived, as it arrived: an Events API request (already verified and checked), or a mail with its envelope. */
export interface ArrivedEvent {
  eventId: string;
  teamId: string | null;
  body: string | Buffer;
  /** A mail's SMTP envelope (JSON), kept beside its bytes (mail_inbox only). */
  envelope?: string;
}

export interface InboxEvent {
  id: number;
  eventId: string;
  body: string | Buffer;
  envelope?: string;
  attempts: number;
}

/** The inboxes: Slack's events (JSON text), the SMTP listener's mails (bytes), the chat widget's messages and the shops' order webhooks (JSON text); one shape, see their migrations. */
export type InboxTable = 'slack_inbox' | 'mail_inbox' | 'chat_inbox' | 'order_inbox';

/** What one group commit writes: new arrivals, and the outcome of events processed since the last one. */
export interface InboxWrite {
  arrived: ArrivedEvent[];
  done: number[];
  now: number;
  /** Arrivals are claimed by the writing instance, which processes them at once, until then; null: left for a claim. */
  owner: string | null;
  leaseUntil: number | null;
}

export type InboxStore = ReturnType<typeof createInboxStore>;

/** Pending events whose time has come and that no live instance holds (a lease that ran out: its instance died). */
const due = (db: Knex | Knex.Transaction, table: InboxTable, now: number) =>
  db(table)
    .where('status', 'pending')
    .where('not_before', '<=', now)
    .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now));

/**
 * An inbox (`slack_inbox`, `mail_inbox`): written before the sender gets its answer, processed afterwards, kept a
 * while once done so a late retry of the same event is recognised.
 */
export function createInboxStore(db: Knex, table: InboxTable = 'slack_inbox') {
  const postgres = db.client.config.client === 'pg';
  // Slack retries an event by its event_id, so a done one is kept a while to be recognised; a mail has no such id
  // (its repeats are found by Message-ID when it is stored), and a chat message sent again after it became a
  // ticket's message is found by its ts then: done, they go at once.
  const keepDone = table === 'slack_inbox' || table === 'order_inbox'; // a shop's replayed delivery id, likewise
  const withEnvelope = table === 'mail_inbox';

  return {
    /**
     * Inserts the arrivals (an event_id already there is a retry and is left alone) and marks the processed events
     * done. Each statement commits by itself (no BEGIN … COMMIT: one round trip for a group of arrivals): a row is
     * stored once its insert returns, and a done mark that is lost only means an event is processed again.
     * Returns the ids of the rows inserted, by event_id.
     */
    async write(batch: InboxWrite): Promise<Map<string, number>> {
      const inserted = new Map<string, number>();
      const rows = batch.arrived.map((e) => ({ event_id: e.eventId, team_id: e.teamId, body: e.body, ...(withEnvelope ? { envelope: e.envelope ?? null } : {}), not_before: batch.now, received_at: batch.now, claimed_by: batch.owner, lease_until: batch.leaseUntil }));
      // SQLite caps a statement's variables: groups of 100 rows (7 or 8 columns each).
      for (let i = 0; i < rows.length; i += 100) {
        const ids = (await retryIfBusy(() => db(table).insert(rows.slice(i, i + 100)).onConflict('event_id').ignore().returning(['id', 'event_id']))) as { id: number; event_id: string }[];
        for (const row of ids) inserted.set(row.event_id, Number(row.id));
      }
      if (batch.done.length > 0) {
        const processed = () => db(table).whereIn('id', batch.done);
        await retryIfBusy(() => (keepDone ? processed().update({ status: 'done', done_at: batch.now, lease_until: null, claimed_by: null }) : processed().delete()));
      }
      return inserted;
    },

    /** Whether a pending event's time has come that no live instance holds. */
    async hasDue(now: number): Promise<boolean> {
      return (await due(db, table, now).first('id')) !== undefined;
    },

    /** Pending events whose time has come and that no live instance holds, oldest first, claimed for `owner`. */
    async claimDue(options: { owner: string; now: number; leaseMs: number; limit: number }): Promise<InboxEvent[]> {
      const { now } = options;
      return writeTransaction(db, async (trx) => {
        const query = due(trx, table, now)
          .orderBy('id')
          .limit(options.limit)
          .select('id', 'event_id', 'body', 'attempts', ...(withEnvelope ? ['envelope'] : []));
        if (postgres) query.forUpdate().skipLocked();
        const rows = (await query) as { id: number; event_id: string; body: string | Buffer; envelope?: string | null; attempts: number }[];
        if (rows.length > 0) {
          await trx(table).whereIn('id', rows.map((r) => r.id)).update({ claimed_by: options.owner, lease_until: now + options.leaseMs });
        }
        return rows.map((r) => ({ id: Number(r.id), eventId: r.event_id, body: r.body, ...(r.envelope ? { envelope: r.envelope } : {}), attempts: Number(r.attempts) }));
      }, table);
    },

    /** Processing failed for a reason that may pass (the database was unreachable…): again at `notBefore`. */
    async retryLater(id: number, notBefore: number, error: string): Promise<void> {
      await db(table).where({ id }).update({ not_before: Math.ceil(notBefore), lease_until: null, claimed_by: null, last_error: error.slice(0, 500), attempts: db.raw('attempts + 1') });
    },

    /** Given up on after its attempts: kept, with the error, to be looked at. */
    async fail(id: number, error: string, now: number): Promise<void> {
      await db(table).where({ id }).update({ status: 'failed', lease_until: null, claimed_by: null, last_error: error.slice(0, 500), done_at: now, attempts: db.raw('attempts + 1') });
    },

    /** On SQLite one process serves a file: what a crashed run held is free at start. */
    async recoverAbandoned(): Promise<number> {
      return db(table).where('status', 'pending').whereNotNull('lease_until').update({ lease_until: null, claimed_by: null });
    },

    /** Done events older than `before` go (Slack's retries of an event come within minutes). */
    async purgeDone(before: number): Promise<number> {
      return db(table).where('status', 'done').where('done_at', '<', before).delete();
    },

    /** Events stored and not yet processed, and when the oldest arrived. */
    async backlog(): Promise<{ pending: number; oldestAt: number | null; failed: number }> {
      const rows = (await db(table).whereIn('status', ['pending', 'failed']).groupBy('status').select('status').count({ n: '*' }).min({ oldest: 'received_at' })) as { status: string; n: number | string; oldest: number | string | null }[];
      const pending = rows.find((r) => r.status === 'pending');
      const failed = rows.find((r) => r.status === 'failed');
      return { pending: Number(pending?.n ?? 0), oldestAt: pending?.oldest != null ? Number(pending.oldest) : null, failed: Number(failed?.n ?? 0) };
    },
  };
}
