import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { cohortTicketRows, type Cohort } from '../store/report-queries.js';
import { DEFAULT_CONVERSION_DAYS } from './compute-report.js';

/** The cohort's tickets as CSV (a header row, then one row per ticket, oldest first). */
export async function exportTicketsCsv(db: Knex, cohort: Cohort, conversionDays = DEFAULT_CONVERSION_DAYS): Promise<{ csv: string; count: number }> {
  const rows = await cohortTicketRows(db, cohort, conversionDays * 86_400_000);
  const columns = ['number', 'created_at', 'channel', 'requester', 'assignee', 'status', 'priority', 'subject', 'tags', 'first_reply_at', 'first_reply_minutes', 'agent_replies', 'reopens', 'solved_at', 'resolution_minutes', 'csat_rating', 'converted', 'order', 'amount'];
  // Customer text that starts like a formula would run as one in a spreadsheet: a leading ' keeps it text.
  const cast = { string: (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value) };
  return { csv: stringify(rows, { header: true, columns, cast }), count: rows.length };
}
