import { DateTime, IANAZone } from 'luxon';
import { DomainError } from './errors.js';

/** Opening hours of a team or an intake channel: weekly spans in a time zone, minus holidays. */
export interface BusinessCalendar {
  timeZone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) → opening spans as "HH:MM" pairs. */
  weekly: Record<number, Array<[string, string]>>;
  /** Whole days closed, "YYYY-MM-DD" in the calendar's zone. */
  holidays: string[];
}

/** One opening span as absolute instants, with the business time that came before it. */
export interface BusinessSpan {
  opensAt: number;
  closesAt: number;
  businessBefore: number;
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const HOURS_FORM = 'hours <Area/City> mon-fri 09:00-17:00 [sat 10:00-14:00 …]';

/** Spans are laid out over a fixed, generous range so SQL can measure any ticket's times against them. */
export const CALENDAR_RANGE = { from: Date.UTC(2010, 0, 1), to: Date.UTC(2040, 0, 1) };

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Parses `Europe/Berlin mon-fri 09:00-17:00 sat 10:00-14:00` (also `mon,wed 08:00-12:00 13:00-17:00`). */
export function parseBusinessHours(words: string[]): Pick<BusinessCalendar, 'timeZone' | 'weekly'> {
  const [zone, ...rest] = words;
  if (!zone || !isTimeZone(zone)) throw new DomainError('bad_setting', `"${zone ?? ''}" is not a time zone. Use an IANA name such as Europe/Berlin: \`${HOURS_FORM}\``);
  const weekly: Record<number, Array<[string, string]>> = {};
  let days: number[] = [];
  for (const word of rest) {
    const span = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(word);
    if (span) {
      if (days.length === 0) throw new DomainError('bad_setting', `Name the days before the hours: \`${HOURS_FORM}\``);
      const [open, close] = [normaliseTime(span[1]!), normaliseTime(span[2]!)];
      if (open >= close) throw new DomainError('bad_setting', `${word}: the opening time must come before the closing time.`);
      for (const day of days) (weekly[day] ??= []).push([open, close]);
      continue;
    }
    days = parseDays(word);
  }
  if (Object.keys(weekly).length === 0) throw new DomainError('bad_setting', `Give at least one day with hours: \`${HOURS_FORM}\``);
  for (const spans of Object.values(weekly)) spans.sort((a, b) => a[0].localeCompare(b[0]));
  return { timeZone: zone, weekly };
}

function parseDays(word: string): number[] {
  const days: number[] = [];
  for (const part of word.toLowerCase().split(',')) {
    const [first, last] = part.split('-').map((d) => DAY_NAMES.indexOf(d.slice(0, 3)) + 1);
    if (!first || (part.includes('-') && !last)) throw new DomainError('bad_setting', `"${word}" is not a day or a range of days (mon-fri, sat, mon,wed): \`${HOURS_FORM}\``);
    for (let day = first; day <= (last ?? first); day++) days.push(day);
  }
  return days;
}

function normaliseTime(time: string): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  if (h > 24 || m > 59 || (h === 24 && m > 0)) throw new DomainError('bad_setting', `${time} is not a time of day.`);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function describeBusinessHours(calendar: BusinessCalendar): string {
  const days = Object.entries(calendar.weekly)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([day, spans]) => `${DAY_NAMES[Number(day) - 1]} ${spans.map(([o, c]) => `${o}-${c}`).join(' ')}`);
  const holidays = calendar.holidays.length ? `; closed ${calendar.holidays.join(', ')}` : '';
  return `${calendar.timeZone}: ${days.join(', ')}${holidays}`;
}

/** Lays the calendar out as absolute opening spans over [from, to), holidays removed, DST handled by luxon. */
export function layOutSpans(calendar: BusinessCalendar, from = CALENDAR_RANGE.from, to = CALENDAR_RANGE.to): BusinessSpan[] {
  const holidays = new Set(calendar.holidays);
  const spans: BusinessSpan[] = [];
  let before = 0;
  let day = DateTime.fromMillis(from, { zone: calendar.timeZone }).startOf('day');
  while (day.toMillis() < to) {
    const hours = calendar.weekly[day.weekday];
    if (hours && !holidays.has(day.toISODate()!)) {
      for (const [open, close] of hours) {
        const opensAt = at(day, open);
        const closesAt = at(day, close);
        if (closesAt <= opensAt) continue;
        spans.push({ opensAt, closesAt, businessBefore: before });
        before += closesAt - opensAt;
      }
    }
    day = day.plus({ days: 1 });
  }
  return spans;
}

function at(day: DateTime, time: string): number {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return hour === 24 ? day.plus({ days: 1 }).toMillis() : day.set({ hour, minute }).toMillis();
}

/** Business time elapsed since the calendar's start at instant `t` (the same function SQL computes). */
export function businessClock(spans: BusinessSpan[], t: number): number {
  const i = lastSpanOpenedBy(spans, t);
  if (i < 0) return 0;
  const span = spans[i]!;
  return span.businessBefore + Math.min(t, span.closesAt) - span.opensAt;
}

export function businessMsBetween(spans: BusinessSpan[], start: number, end: number): number {
  return Math.max(0, businessClock(spans, end) - businessClock(spans, start));
}

/** The instant at which `ms` of business time will have passed since `start`. */
export function addBusinessMs(spans: BusinessSpan[], start: number, ms: number): number {
  const target = businessClock(spans, start) + ms;
  let lo = 0;
  let hi = spans.length - 1;
  if (hi < 0 || spans[hi]!.businessBefore + (spans[hi]!.closesAt - spans[hi]!.opensAt) < target) return Number.POSITIVE_INFINITY;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const span = spans[mid]!;
    if (span.businessBefore + (span.closesAt - span.opensAt) < target) lo = mid + 1;
    else hi = mid;
  }
  const span = spans[lo]!;
  return Math.max(start, span.opensAt + (target - span.businessBefore));
}

function lastSpanOpenedBy(spans: BusinessSpan[], t: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.opensAt <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
