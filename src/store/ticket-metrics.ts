import type { Knex } from 'knex';
import { writeTransaction } from './db.js';

/**
 * Per-ticket figures kept up to date as a ticket's history is written (as Zendesk's "ticket metrics" are), so a
 * report reads one row per ticket and one per wait instead of every message of every ticket in its period:
 *  - on the ticket's row: first public agent reply (when, by whom), public agent replies, reopens, first solve;
 *  - ticket_waits: every wait of the requester, from the first message of a run of requester messages to the
 *    public agent reply that ends it (null while unanswered); `after_reply` = 0 for the wait for a first reply;
 *  - ticket_agent_replies: public replies per agent.
 * They are always recomputed whole from the ticket's messages and status events (a handful of rows), never
 * patched: a deleted message, a merge or a status change leaves nothing stale. Bots and automations never
 * count as replies and never end a wait; internal notes and deleted messages do not count.
 */

const ACTIVE = `NOT IN ('solved', 'closed')`;
const CONVERSATION = `m.visibility = 'public' AND m.deleted_at IS NULL AND m.author_role IN ('requester', 'agent')`;

/** Which tickets to recompute: some, or every ticket (the benchmark's generated history; migration 9 keeps its own copy of this SQL). */
export type TicketSelection = number[] | 'all';

/** Recomputes the figures of `tickets` (in the caller's transaction when there is one). */
export async function refreshTicketMetrics(db: Knex | Knex.Transaction, tickets: TicketSelection): Promise<void> {
  if (tickets !== 'all' && tickets.length === 0) return;
  const work = async (trx: Knex | Knex.Transaction) => {
    if (tickets === 'all') return recompute(trx, null, []);
    const ids = [...new Set(tickets)].sort((a, b) => a - b);
    // Two instances writing to one ticket at once: the ticket's row lock orders their recomputations, and the
    // later one reads what the earlier committed (PostgreSQL; SQLite has a single writer).
    if (trx.client.config.client === 'pg') await trx.raw(`SELECT id FROM tickets WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id FOR UPDATE`, ids);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await recompute(trx, `IN (${chunk.map(() => '?').join(',')})`, chunk);
    }
  };
  const inTransaction = (db as Knex.Transaction).isTransaction === true;
  await (inTransaction ? work(db) : writeTransaction(db as Knex, work));
}

async function recompute(db: Knex | Knex.Transaction, idTest: string | null, ids: number[]) {
  const of = (column: string) => (idTest ? `${column} ${idTest}` : '1 = 1');
  for (const table of ['ticket_waits', 'ticket_agent_replies']) await db.raw(`DELETE FROM ${table} WHERE ${of('ticket_id')}`, ids);

  const agentReplies = `FROM messages m WHERE m.ticket_id = tickets.id AND ${CONVERSATION} AND m.author_role = 'agent'`;
  const statusChanges = `FROM ticket_events e WHERE e.ticket_id = tickets.id AND e.kind = 'status_changed'`;
  await db.raw(
    `UPDATE tickets SET
       first_reply_at = (SELECT MIN(m.sent_at) ${agentReplies}),
       first_reply_agent = (SELECT m.user_id ${agentReplies} ORDER BY m.sent_at, m.id LIMIT 1),
       agent_replies = (SELECT COUNT(*) ${agentReplies}),
       reopens = (SELECT COUNT(*) ${statusChanges} AND e.from_value IN ('solved', 'closed') AND e.to_value ${ACTIVE}),
       first_solved_at = (SELECT MIN(e.at) ${statusChanges} AND e.to_value IN ('solved', 'closed'))
     WHERE ${of('id')}`,
    ids,
  );

  await db.raw(
    `INSERT INTO ticket_agent_replies (ticket_id, agent_id, replies)
     SELECT m.ticket_id, m.user_id, COUNT(*) FROM messages m
     WHERE ${of('m.ticket_id')} AND ${CONVERSATION} AND m.author_role = 'agent' AND m.user_id IS NOT NULL GROUP BY m.ticket_id, m.user_id`,
    ids,
  );

  // In message order: LAG says where a run of requester messages starts (after an agent reply, or at the start);
  // the frame MIN finds the agent reply that ends it.
  const byTicket = 'PARTITION BY m.ticket_id ORDER BY m.sent_at, m.id';
  await db.raw(
    `INSERT INTO ticket_waits (ticket_id, started_at, ended_at, after_reply)
     SELECT ticket_id, sent_at, next_agent_at, CASE WHEN prev_role = 'agent' THEN 1 ELSE 0 END FROM (
       SELECT m.ticket_id, m.sent_at, m.author_role,
              LAG(m.author_role) OVER (${byTicket}) AS prev_role,
              MIN(CASE WHEN m.author_role = 'agent' THEN m.sent_at END) OVER (${byTicket} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent_at
       FROM messages m WHERE ${of('m.ticket_id')} AND ${CONVERSATION}) x
     WHERE author_role = 'requester' AND (prev_role IS NULL OR prev_role = 'agent')`,
    ids,
  );
}
