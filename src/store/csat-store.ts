import type { Knex } from 'knex';

export interface CsatSurvey {
  ticketId: number;
  channelId: string;
  messageTs: string | null;
  sentAt: number;
  rating: number | null;
  ratedAt: number | null;
  comment: string | null;
  agentId: string | null;
  /** Names the survey in its link (a survey by email or in the chat widget); null for Slack's buttons. */
  token: string | null;
}

const fromRow = (row: Record<string, unknown>): CsatSurvey => ({
  ticketId: Number(row.ticket_id),
  channelId: String(row.channel_id),
  messageTs: (row.message_ts as string | null) ?? null,
  sentAt: Number(row.sent_at),
  rating: row.rating === null ? null : Number(row.rating),
  ratedAt: row.rated_at === null ? null : Number(row.rated_at),
  comment: (row.comment as string | null) ?? null,
  agentId: (row.agent_id as string | null) ?? null,
  token: (row.token as string | null) ?? null,
});

export type CsatStore = ReturnType<typeof createCsatStore>;

/** Satisfaction surveys: one per ticket, replaced when the ticket is solved again (the latest rating counts). */
export function createCsatStore(db: Knex) {
  return {
    /** A survey asked now (replacing the ticket's earlier one, and with it its link). */
    async sent(ticketId: number, channelId: string, sentAt: number, agentId: string | null, token: string | null = null): Promise<void> {
      const row = { ticket_id: ticketId, channel_id: channelId, sent_at: sentAt, message_ts: null, rating: null, rated_at: null, comment: null, agent_id: agentId, token };
      await db('csat_surveys').insert(row).onConflict('ticket_id').merge();
    },
    async posted(ticketId: number, messageTs: string): Promise<void> {
      await db('csat_surveys').where({ ticket_id: ticketId }).update({ message_ts: messageTs });
    },
    async get(ticketId: number): Promise<CsatSurvey | null> {
      const row = await db('csat_surveys').where({ ticket_id: ticketId }).first();
      return row ? fromRow(row) : null;
    },
    async byToken(token: string): Promise<CsatSurvey | null> {
      const row = await db('csat_surveys').where({ token }).first();
      return row ? fromRow(row) : null;
    },
    async rate(ticketId: number, rating: number, at: number): Promise<void> {
      await db('csat_surveys').where({ ticket_id: ticketId }).update({ rating, rated_at: at });
    },
    async comment(ticketId: number, comment: string): Promise<void> {
      await db('csat_surveys').where({ ticket_id: ticketId }).update({ comment });
    },
  };
}
