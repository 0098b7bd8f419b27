import type { Knex } from 'knex';
import { answerKey, generaliseReply } from '../suggest/generalise.js';
import type { AskedQuestion } from '../suggest/recurring-questions.js';
import { rawRows } from './report-queries.js';

/** A ticket's first question, and where its card is (for the digest's link). */
export interface AskedTicket extends AskedQuestion {
  number: number;
  triageChannelId: string;
  cardTs: string | null;
}

/** SQL: the text of the first public message of ticket `t` written by `role` ('requester' or 'agent'). */
export const firstPublicText = (role: 'requester' | 'agent') =>
  `(SELECT m.text FROM messages m WHERE m.ticket_id = t.id AND m.author_role = '${role}' AND m.visibility = 'public' AND m.deleted_at IS NULL ORDER BY m.sent_at, m.id LIMIT 1)`;

/**
 * The tickets a team opened in [from, to) (merged ones left out), each with the customer's first public message,
 * the first template an agent answered it with and its first public reply, generalised: what the digest groups.
 */
export async function askedTickets(db: Knex, teamId: string, from: number, to: number): Promise<AskedTicket[]> {
  const rows = await rawRows(
    db,
    `SELECT t.id, t.number, t.created_at, t.triage_channel_id, t.card_ts, c.name AS customer_name,
            ${firstPublicText('requester')} AS question, ${firstPublicText('agent')} AS reply,
            (SELECT e.to_value FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'template_used' ORDER BY e.at, e.id LIMIT 1) AS template
       FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
      WHERE t.team_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.merged_into_id IS NULL AND t.discarded IS NULL
      ORDER BY t.created_at, t.id`,
    [teamId, from, to],
  );
  return rows.flatMap((r) => {
    if (typeof r.question !== 'string' || r.question.trim() === '') return [];
    const reply = typeof r.reply === 'string' ? generaliseReply(r.reply, { customerName: r.customer_name as string | null }) : '';
    return [
      {
        ticketId: Number(r.id),
        number: Number(r.number),
        at: Number(r.created_at),
        triageChannelId: String(r.triage_channel_id),
        cardTs: (r.card_ts as string | null) ?? null,
        text: r.question,
        template: (r.template as string | null) ?? null,
        answer: reply ? { key: answerKey(reply), text: reply } : null,
      },
    ];
  });
}
