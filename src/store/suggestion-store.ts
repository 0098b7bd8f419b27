import type { Knex } from 'knex';

/** A public message of a ticket, in the order messages were stored: what the suggestion index learns from. */
export interface PublicMessage {
  id: number;
  ticketId: number;
  teamId: string;
  role: 'requester' | 'agent';
  text: string;
  customerName: string | null;
}

/**
 * What the suggested replies read: the tickets' public messages as they are written, and agents' feedback.
 * `readDb` may be a connection of its own (the reports' one on SQLite): a long first load never holds up writes.
 */
export function createSuggestionStore(db: Knex, readDb: Knex = db) {
  return {
    /** Public requester and agent messages stored after `afterId`, oldest first (deleted ones left out). */
    async publicMessagesAfter(afterId: number, limit: number): Promise<PublicMessage[]> {
      const rows = (await readDb('messages as m')
        .join('tickets as t', 't.id', 'm.ticket_id')
        .leftJoin('customers as c', 'c.id', 't.customer_id')
        .where('m.id', '>', afterId)
        .where('m.visibility', 'public')
        .whereIn('m.author_role', ['requester', 'agent'])
        .whereNull('m.deleted_at')
        .orderBy('m.id')
        .limit(limit)
        .select('m.id', 'm.ticket_id', 't.team_id', 'm.author_role', 'm.text', 'c.name as customer_name')) as { id: number; ticket_id: number; team_id: string; author_role: 'requester' | 'agent'; text: string; customer_name: string | null }[];
      return rows.map((r) => ({ id: Number(r.id), ticketId: Number(r.ticket_id), teamId: r.team_id, role: r.author_role, text: r.text, customerName: r.customer_name }));
    },

    /** An agent sent a suggested answer. */
    async recordSent(teamId: string, answerKey: string, now: number): Promise<void> {
      await db('suggestion_feedback')
        .insert({ team_id: teamId, answer_key: answerKey.slice(0, 1000), sent: 1, updated_at: now })
        .onConflict(['team_id', 'answer_key'])
        .merge({ sent: db.raw('suggestion_feedback.sent + 1'), updated_at: now });
    },

    /** Feedback rows changed since `since` (ms), with their totals. */
    async feedbackSince(since: number): Promise<{ teamId: string; answerKey: string; sent: number; updatedAt: number }[]> {
      const rows = (await readDb('suggestion_feedback').where('updated_at', '>', since).select('team_id', 'answer_key', 'sent', 'updated_at')) as { team_id: string; answer_key: string; sent: number; updated_at: number | string }[];
      return rows.map((r) => ({ teamId: r.team_id, answerKey: r.answer_key, sent: Number(r.sent), updatedAt: Number(r.updated_at) }));
    },
  };
}

export type SuggestionStore = ReturnType<typeof createSuggestionStore>;
