import { DateTime } from 'luxon';

/** A reporting period [from, to) cut in a time zone, with the words people used for it. */
export interface Period {
  from: number;
  to: number;
  label: string;
  timeZone: string;
}

export const PERIOD_FORMS = '`today`, `yesterday`, `7d`, `30d`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`';

/** Days in the team's zone: `today`, `yesterday`, `7d`/`30d` (ending today), a date, or an inclusive date range. */
export function parsePeriod(spec: string, timeZone: string, now: number): Period | null {
  const today = DateTime.fromMillis(now, { zone: timeZone }).startOf('day');
  if (!today.isValid) return null; // not a time zone (zones are checked when set; this keeps a bad one harmless)
  const days = (first: DateTime, count: number, label: string): Period => ({ from: first.toMillis(), to: first.plus({ days: count }).toMillis(), label, timeZone });
  const word = spec.trim().toLowerCase() || 'today';
  if (word === 'today') return days(today, 1, `today (${today.toISODate()})`);
  if (word === 'yesterday') return days(today.minus({ days: 1 }), 1, `yesterday (${today.minus({ days: 1 }).toISODate()})`);
  const lastDays = /^(\d{1,3})d$/.exec(word);
  if (lastDays && Number(lastDays[1]) > 0) {
    const n = Number(lastDays[1]);
    return days(today.minus({ days: n - 1 }), n, `last ${n} days (${today.minus({ days: n - 1 }).toISODate()} to ${today.toISODate()})`);
  }
  const range = /^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?$/.exec(word);
  if (!range) return null;
  const first = DateTime.fromISO(range[1]!, { zone: timeZone });
  const last = range[2] ? DateTime.fromISO(range[2], { zone: timeZone }) : first;
  if (!first.isValid || !last.isValid || last < first) return null;
  const count = Math.round(last.diff(first, 'days').days) + 1;
  return days(first, count, count > 1 ? `${first.toISODate()} to ${last.toISODate()}` : first.toISODate()!);
}

/** The period of the same length just before (what "up/down" compares with). */
export function previousPeriod(period: Period): Period {
  const from = DateTime.fromMillis(period.from, { zone: period.timeZone });
  const to = DateTime.fromMillis(period.to, { zone: period.timeZone });
  const days = Math.round(to.diff(from, 'days').days);
  return { from: from.minus({ days }).toMillis(), to: period.from, label: 'the period before', timeZone: period.timeZone };
}

/** Midnights of the `count` days ending with the day that contains `end - 1` (count + 1 boundaries). */
export function dayBoundaries(end: number, count: number, timeZone: string): number[] {
  const last = DateTime.fromMillis(end - 1, { zone: timeZone }).startOf('day');
  return Array.from({ length: count + 1 }, (_, i) => last.minus({ days: count - 1 - i }).toMillis());
}

export function dayLabel(instant: number, timeZone: string): string {
  return DateTime.fromMillis(instant, { zone: timeZone }).toISODate()!;
}
