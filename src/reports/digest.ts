import { computeReport, type Report, type ReportDeps } from './compute-report.js';
import type { ChartDay } from './chart.js';
import { dayBoundaries, dayLabel, previousPeriod, type Period } from './period.js';
import { solvedPerBucket, withCohort } from '../store/report-queries.js';
import { askedTickets, type AskedTicket } from '../store/question-store.js';
import { recurringQuestions } from '../suggest/recurring-questions.js';
import type { RecurringFound } from './recurring-lines.js';

export const CHART_DAYS = 14;

/** What a digest shows: the period's figures, the period before (for up/down), and the last 14 days for the chart. */
export interface Digest {
  teamId: string;
  period: Period;
  report: Report;
  previous: Report;
  chart: ChartDay[];
  /** A week's (or longer) digest: the questions that keep coming back, with the tickets they name. */
  recurring: { found: RecurringFound; tickets: Map<number, AskedTicket> } | null;
}

/** How many periods before a weekly digest's its recurring questions are compared with. */
export const RECURRING_WEEKS_BEFORE = 4;

export async function buildDigest(teamId: string, period: Period, deps: ReportDeps, channelId?: string): Promise<Digest> {
  const { report, previous } = await reportWithPrevious(teamId, period, deps, channelId);
  const recurring = period.to - period.from >= 6.9 * 86_400_000 ? await recurringOfPeriod(teamId, period, deps) : null;
  return { teamId, period, report, previous, chart: await chartSeries(teamId, period, deps, channelId), recurring };
}

/** The period's tickets grouped on their first message, counted against the same number of days before. */
export async function recurringOfPeriod(teamId: string, period: Period, deps: ReportDeps): Promise<NonNullable<Digest['recurring']>> {
  const tickets = await askedTickets(deps.db, teamId, period.from, period.to);
  const earlier = [];
  for (let before = previousPeriod(period), i = 0; i < RECURRING_WEEKS_BEFORE; i++, before = previousPeriod(before)) {
    earlier.push(await askedTickets(deps.db, teamId, before.from, before.to));
  }
  return { found: await recurringQuestions(tickets, earlier), tickets: new Map(tickets.map((t) => [t.ticketId, t])) };
}

/** A period's figures and those of the period of the same length before it (what ▲/▼ compare with). */
export async function reportWithPrevious(teamId: string, period: Period, deps: ReportDeps, channelId?: string): Promise<{ report: Report; previous: Report }> {
  const before = previousPeriod(period);
  return {
    report: await computeReport({ teamId, from: period.from, to: period.to, channelId }, deps),
    previous: await computeReport({ teamId, from: before.from, to: before.to, channelId }, deps),
  };
}

/** Created and solved per day and the day's first reply median, for the 14 days ending with the period. */
export async function chartSeries(teamId: string, period: Period, deps: ReportDeps, channelId?: string): Promise<ChartDay[]> {
  const bounds = dayBoundaries(period.to, CHART_DAYS, period.timeZone);
  const cohort = { teamId, from: bounds[0]!, to: bounds.at(-1)!, channelId };
  const { created, firstReply } = await withCohort(deps.db, cohort, { teamScope: null, channelScopes: [] }, async (q) => ({
    created: await q.createdPerBucket(bounds),
    firstReply: await q.firstReplyPerBucket(bounds),
  }));
  const solved = await solvedPerBucket(deps.db, teamId, bounds, channelId);
  return bounds.slice(0, -1).map((start, i) => ({
    day: dayLabel(start, period.timeZone),
    created: created[i] ?? 0,
    solved: solved[i] ?? 0,
    firstReplyMedianHours: firstReply[i]?.median == null ? null : firstReply[i]!.median! / 3_600_000,
  }));
}
