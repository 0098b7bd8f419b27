import { describe, expect, it } from 'vitest';
import { addBusinessMs, businessMsBetween, layOutSpans, parseBusinessHours } from '../../../src/domain/business-hours.js';
import { nextDue, runningTargets } from '../../../src/domain/sla.js';
import { lastFireAt, periodOfFire } from '../../../src/reports/digest-schedule.js';
import { dayBoundaries, parsePeriod, previousPeriod } from '../../../src/reports/period.js';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('report periods in the team time zone', () => {
  const now = at('2026-03-10T12:00:00Z'); // 13:00 in Berlin
  it('cuts today, yesterday, 7d and date ranges at local midnights', () => {
    expect(parsePeriod('today', 'Europe/Berlin', now)).toMatchObject({ from: at('2026-03-09T23:00:00Z'), to: at('2026-03-10T23:00:00Z') });
    expect(parsePeriod('yesterday', 'UTC', now)).toMatchObject({ from: at('2026-03-09T00:00:00Z'), to: at('2026-03-10T00:00:00Z'), label: 'yesterday (2026-03-09)' });
    expect(parsePeriod('7d', 'UTC', now)).toMatchObject({ from: at('2026-03-04T00:00:00Z'), to: at('2026-03-11T00:00:00Z') });
    // the US day of the DST change has 23 hours
    const dst = parsePeriod('2026-03-08', 'America/New_York', now)!;
    expect(dst.to - dst.from).toBe(23 * HOUR);
    expect(parsePeriod('2026-03-01..2026-03-31', 'UTC', now)!.label).toBe('2026-03-01 to 2026-03-31');
    expect(parsePeriod('2026-03-31..2026-03-01', 'UTC', now)).toBeNull();
    expect(parsePeriod('soon', 'UTC', now)).toBeNull();
  });
  it('compares with the period of the same length before, and lays out chart days', () => {
    const week = parsePeriod('7d', 'UTC', now)!;
    expect(previousPeriod(week)).toMatchObject({ from: at('2026-02-25T00:00:00Z'), to: week.from });
    const days = dayBoundaries(week.to, 14, 'UTC');
    expect(days).toHaveLength(15);
    expect(days[0]).toBe(at('2026-02-25T00:00:00Z'));
    expect(days[14]).toBe(week.to);
  });
});

describe('business hours', () => {
  const hours = { ...parseBusinessHours(['America/New_York', 'mon-fri', '09:00-17:00']), holidays: ['2026-03-11'] };
  const spans = layOutSpans(hours, at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z'));
  it('counts only open time, across a weekend, a DST change and a holiday', () => {
    expect(businessMsBetween(spans, at('2026-03-06T23:00:00Z'), at('2026-03-09T13:30:00Z'))).toBe(30 * 60_000); // Fri 18:00 → Mon 09:30
    expect(businessMsBetween(spans, at('2026-03-10T20:00:00Z'), at('2026-03-12T14:00:00Z'))).toBe(HOUR + HOUR); // Tue 16-17, Wed holiday, Thu 9-10
    expect(businessMsBetween(spans, at('2026-03-07T15:00:00Z'), at('2026-03-07T18:00:00Z'))).toBe(0); // asked and answered on a Saturday
  });
  it('finds when a business-hours target falls due', () => {
    expect(addBusinessMs(spans, at('2026-03-06T23:00:00Z'), HOUR)).toBe(at('2026-03-09T14:00:00Z')); // Monday 10:00 EDT
    expect(addBusinessMs(spans, at('2026-03-09T20:30:00Z'), HOUR)).toBe(at('2026-03-10T13:30:00Z')); // 16:30 + 1h → Tue 09:30
  });
  it('says what is wrong with hours it cannot read', () => {
    expect(() => parseBusinessHours(['Europe/Berlin', '09:00-17:00'])).toThrow('Name the days before the hours');
    expect(() => parseBusinessHours(['Europe/Berlin', 'mon-fri', '17:00-09:00'])).toThrow('must come before');
    expect(() => parseBusinessHours(['Europe/Berlin', 'someday', '09:00-17:00'])).toThrow('is not a day');
  });
});

describe('SLA clocks and digest schedules', () => {
  it('runs first reply until answered, next reply while a wait is open, resolution until solved; warns at 80%', () => {
    const targets = { minutes: { first_reply: 60, next_reply: 30, resolution: 600 }, spans: null };
    const created = at('2026-03-02T09:00:00Z');
    const fresh = runningTargets({ createdAt: created, firstReplyAt: null, waitingSince: null }, targets);
    expect(fresh.map((t) => t.target)).toEqual(['first_reply', 'resolution']);
    expect(fresh[0]).toMatchObject({ warnAt: created + 48 * 60_000, dueAt: created + HOUR });
    const waiting = runningTargets({ createdAt: created, firstReplyAt: created + HOUR, waitingSince: created + 2 * HOUR }, targets);
    expect(nextDue(waiting)).toMatchObject({ target: 'next_reply', dueAt: created + 2.5 * HOUR });
  });
  it('fires daily digests for the day before and weekly ones for the week before', () => {
    const daily = { id: 1, teamId: 'T', channelId: 'C', frequency: 'daily' as const, weekday: null, atTime: '09:00', createdBy: null };
    const fire = lastFireAt(daily, 'Europe/Berlin', at('2026-03-10T07:00:00Z')); // 08:00 Berlin: today's has not fired
    expect(fire).toBe(at('2026-03-09T08:00:00Z'));
    expect(periodOfFire(daily, 'Europe/Berlin', fire)).toMatchObject({ from: at('2026-03-07T23:00:00Z'), to: at('2026-03-08T23:00:00Z') });
    const weekly = { ...daily, frequency: 'weekly' as const, weekday: 1 };
    const monday = lastFireAt(weekly, 'UTC', at('2026-03-12T10:00:00Z'));
    expect(monday).toBe(at('2026-03-09T09:00:00Z'));
    expect(periodOfFire(weekly, 'UTC', monday)).toMatchObject({ from: at('2026-03-02T00:00:00Z'), to: at('2026-03-09T00:00:00Z'), label: 'week 2026-03-02 to 2026-03-08' });
  });
});
