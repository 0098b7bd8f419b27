import type { RecurringQuestion } from '../suggest/recurring-questions.js';
import type { ReportStyle } from './format-report.js';

export interface RecurringFound {
  largest: RecurringQuestion[];
  growing: RecurringQuestion[];
}

/** "▲ from 2.5 a week", "new this week", or nothing when the question is as common as before. */
function trend(q: RecurringQuestion): string {
  if (q.earlier.length === 0) return '';
  const average = q.earlier.reduce((a, b) => a + b, 0) / q.earlier.length;
  if (average === 0) return ' · new this week';
  const shown = Number.isInteger(average) ? String(average) : average.toFixed(1);
  return q.count === average ? '' : ` · ${q.count > average ? '▲' : '▼'} from ${shown} a week`;
}

function line(q: RecurringQuestion, style: ReportStyle, ticket: (ticketId: number) => string): string {
  const words = q.words.length > 0 ? ` · ${q.words.map((w) => style.untrusted(w)).join(', ')}` : '';
  const example = Array.from(q.example.text.replace(/\s+/g, ' ').trim());
  const quote = `${example.slice(0, 90).join('')}${example.length > 90 ? '…' : ''}`;
  const answered = q.template
    ? ` · answered most with template \`${style.untrusted(q.template.name)}\` (${q.template.uses}×)`
    : q.answer
      ? ` · most given answer (${q.answer.uses}×): “${style.untrusted(Array.from(q.answer.text.replace(/\s+/g, ' ')).slice(0, 70).join(''))}${Array.from(q.answer.text).length > 70 ? '…' : ''}”`
      : '';
  return `  • ${style.bold(`${q.count} tickets`)}${words}${trend(q)} · e.g. ${ticket(q.example.ticketId)} “${style.untrusted(quote)}”${answered}`;
}

/** The digest's section: the largest recurring questions, then those growing fastest (nothing when none came back). */
export function recurringLines(found: RecurringFound, weeksBefore: number, style: ReportStyle, ticket: (ticketId: number) => string): string[] {
  if (found.largest.length === 0) return [];
  return [
    `${style.bold('Questions that keep coming back')} (tickets grouped by their first message; ▲▼ against the ${weeksBefore} weeks before)`,
    ...found.largest.map((q) => line(q, style, ticket)),
    ...(found.growing.length > 0 ? [`  ${style.bold('Growing fastest')}`, ...found.growing.map((q) => line(q, style, ticket))] : []),
  ];
}
