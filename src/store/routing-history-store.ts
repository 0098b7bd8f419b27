import type { Knex } from 'knex';
import { rawRows } from './report-queries.js';
import { firstPublicText } from './question-store.js';

/** A solved ticket as learned routing sees it: what the customer first wrote, who had it, how it was tagged. */
export interface SolvedTicket {
  /** The history entry that solved it. */
  eventId: number;
  ticketId: number;
  teamId: string;
  text: string;
  assigneeId: string | null;
  tags: string[];
}

// A ticket's end: solved, or closed straight from active (a merge); solved → closed (by hand or after the quiet
// period) is the same end again and would learn the ticket twice.
const SOLVED = `e.kind = 'status_changed' AND (e.to_value = 'solved' OR (e.to_value = 'closed' AND e.from_value NOT IN ('solved', 'closed')))`;

/**
 * Tickets in the order they were solved (by the id of the history entry that solved them), for learned routing.
 * `readDb` may be a connection of its own (the reports' one on SQLite): a long first load never holds up writes.
 */
export function createRoutingHistoryStore(readDb: Knex) {
  return {
    /** Where to start so that only the `latest` most recently solved tickets are learned (older habits fade). */
    async startFor(latest: number): Promise<number> {
      const [row] = await rawRows(readDb, `SELECT e.id FROM ticket_events e WHERE ${SOLVED} ORDER BY e.id DESC LIMIT 1 OFFSET ?`, [latest]);
      return row ? Number(row.id) : 0;
    },

    /** Tickets solved after history entry `afterId`, up to `limit` entries read; `lastId` is where to go on from. */
    async solvedAfter(afterId: number, limit: number): Promise<{ lastId: number; read: number; tickets: SolvedTicket[] }> {
      const events = await rawRows(readDb, `SELECT e.id, e.ticket_id FROM ticket_events e WHERE e.id > ? AND ${SOLVED} ORDER BY e.id LIMIT ?`, [afterId, limit]);
      if (events.length === 0) return { lastId: afterId, read: 0, tickets: [] };
      const ids = [...new Set(events.map((e) => Number(e.ticket_id)))];
      const marks = ids.map(() => '?').join(', ');
      const rows = await rawRows(
        readDb,
        `SELECT t.id, t.team_id, t.assignee_id,
                ${firstPublicText('requester')} AS text
           FROM tickets t WHERE t.id IN (${marks}) AND t.merged_into_id IS NULL AND t.discarded IS NULL`,
        ids,
      );
      const tags = new Map<number, string[]>();
      for (const r of await rawRows(readDb, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (${marks}) ORDER BY tag`, ids)) {
        tags.set(Number(r.ticket_id), [...(tags.get(Number(r.ticket_id)) ?? []), String(r.tag)]);
      }
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      const tickets = events.flatMap((e) => {
        const r = byId.get(Number(e.ticket_id));
        if (!r || typeof r.text !== 'string') return [];
        return [{ eventId: Number(e.id), ticketId: Number(r.id), teamId: String(r.team_id), text: r.text, assigneeId: (r.assignee_id as string | null) ?? null, tags: tags.get(Number(r.id)) ?? [] }];
      });
      return { lastId: Number(events.at(-1)!.id), read: events.length, tickets };
    },
  };
}

export type RoutingHistoryStore = ReturnType<typeof createRoutingHistoryStore>;
