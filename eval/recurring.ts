/**
 * `npm run eval:recurring` — the digest's "Questions that keep coming back" on a week of real support
 * conversations: the Twitter sample kept outside the repository (../shared/datasets/twcs-head5000, test use only).
 * Each customer-started conversation is a ticket (its first tweet the first message, the company's first answer
 * generalised as the answer it got); by default every company's tickets form one inbox, `--team NAME` keeps one.
 * The week is the one with the most tickets (`--week YYYY-MM-DD`, a Monday, picks another); the four weeks
 * before it are what ▲▼ compare with. Printed as the digest prints it, ticket ids in place of card links.
 */
import { parseArgs } from 'node:util';
import { answerKey, generaliseReply } from '../src/suggest/generalise.js';
import { recurringQuestions, type AskedQuestion } from '../src/suggest/recurring-questions.js';
import { recurringLines } from '../src/reports/recurring-lines.js';
import { plainStyle } from '../src/reports/format-report.js';
import { loadTweets, reconstruct } from '../test/support/twcs.js';

const { values } = parseArgs({ options: { team: { type: 'string' }, week: { type: 'string' } } });
const WEEK = 7 * 86_400_000;
const WEEKS_BEFORE = 4;

const mondayOf = (at: number) => {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
};

const { conversations } = reconstruct(loadTweets());
const tickets: AskedQuestion[] = [];
for (const c of conversations) {
  const answer = c.tweets.find((t) => !t.inbound);
  if (values.team && answer?.author !== values.team) continue;
  const generalised = answer ? generaliseReply(answer.text) : null;
  tickets.push({ ticketId: c.root.id, at: c.root.at, text: c.root.text, answer: generalised ? { key: answerKey(generalised), text: generalised } : null });
}
const perWeek = new Map<number, AskedQuestion[]>();
for (const t of tickets) perWeek.set(mondayOf(t.at), [...(perWeek.get(mondayOf(t.at)) ?? []), t]);
const week = values.week ? Date.parse(`${values.week}T00:00:00Z`) : [...perWeek].sort((a, b) => b[1].length - a[1].length)[0]![0];
const earlier = Array.from({ length: WEEKS_BEFORE }, (_, i) => perWeek.get(week - (i + 1) * WEEK) ?? []);

const started = performance.now();
const found = await recurringQuestions(perWeek.get(week) ?? [], earlier);
const ms = performance.now() - started;
console.log(`Week of ${new Date(week).toISOString().slice(0, 10)}${values.team ? ` (${values.team})` : ' (every company as one inbox)'}: ${perWeek.get(week)?.length ?? 0} tickets; the ${WEEKS_BEFORE} weeks before: ${earlier.map((w) => w.length).join(', ')}; grouped in ${ms.toFixed(0)} ms\n`);
for (const line of recurringLines(found, WEEKS_BEFORE, plainStyle, (id) => `tweet ${id}`)) console.log(line);
