import { DateTime } from 'luxon';
import schedule from 'node-schedule';
import type { Logger } from 'pino';
import type { DigestSchedule, DigestStore } from '../store/digest-store.js';
import type { Period } from './period.js';

/** The instant a schedule fires at or before `now` most recently (in the team's zone). */
export function lastFireAt(digest: DigestSchedule, timeZone: string, now: number): number {
  const [hour, minute] = digest.atTime.split(':').map(Number) as [number, number];
  const local = DateTime.fromMillis(now, { zone: timeZone });
  let fire = local.set({ hour, minute, second: 0, millisecond: 0 });
  if (digest.frequency === 'weekly') fire = fire.minus({ days: (fire.weekday - digest.weekday! + 7) % 7 });
  if (fire.toMillis() > now) fire = fire.minus({ days: digest.frequency === 'weekly' ? 7 : 1 });
  return fire.toMillis();
}

/** A firing reports on the day (daily) or the seven days (weekly) that ended at the start of its day. */
export function periodOfFire(digest: DigestSchedule, timeZone: string, fireAt: number): Period {
  const end = DateTime.fromMillis(fireAt, { zone: timeZone }).startOf('day');
  const start = end.minus({ days: digest.frequency === 'weekly' ? 7 : 1 });
  const label = digest.frequency === 'weekly' ? `week ${start.toISODate()} to ${end.minus({ days: 1 }).toISODate()}` : `${start.toISODate()} (${start.toFormat('cccc')})`;
  return { from: start.toMillis(), to: end.toMillis(), label, timeZone };
}

export interface DigestSchedulerDeps {
  digests: DigestStore;
  timeZone(teamId: string): Promise<string>;
  /** Posts one digest; throws when it could not be posted. */
  post(digest: DigestSchedule, period: Period, late: boolean): Promise<void>;
  now(): number;
  logger: Logger;
}

/** A firing more than this after its time is "late" (the bot was down), and says so. */
const LATE_AFTER_MS = 5 * 60_000;

/**
 * Runs the stored digest schedules with node-schedule. Each period is claimed in the database before it is
 * posted, so it is posted once even with several instances or a restart; on start, the latest period that was
 * due while the bot was down is posted late.
 */
export function createDigestScheduler(deps: DigestSchedulerDeps) {
  const jobs = new Map<number, schedule.Job>();

  async function fire(digest: DigestSchedule, fireAt: number): Promise<'posted' | 'already' | 'failed'> {
    const timeZone = await deps.timeZone(digest.teamId);
    const period = periodOfFire(digest, timeZone, fireAt);
    const late = deps.now() - fireAt > LATE_AFTER_MS;
    if (!(await deps.digests.claim(digest.id, period.from, deps.now(), late))) return 'already';
    try {
      await deps.post(digest, period, late);
      await deps.digests.markPosted(digest.id, period.from, deps.now());
      return 'posted';
    } catch (err) {
      deps.logger.error({ err, digest: digest.id }, 'posting a digest failed; it will be tried again at the next start or firing');
      await deps.digests.release(digest.id, period.from);
      return 'failed';
    }
  }

  async function plan(digest: DigestSchedule): Promise<void> {
    jobs.get(digest.id)?.cancel();
    const timeZone = await deps.timeZone(digest.teamId);
    const [hour, minute] = digest.atTime.split(':').map(Number) as [number, number];
    const rule = new schedule.RecurrenceRule();
    Object.assign(rule, { hour, minute, second: 0, tz: timeZone, ...(digest.weekday ? { dayOfWeek: digest.weekday % 7 } : {}) });
    const job = schedule.scheduleJob(rule, () => {
      void fire(digest, lastFireAt(digest, timeZone, deps.now() + 1000));
    });
    if (job) jobs.set(digest.id, job);
  }

  return {
    fire,
    /** Plans every stored schedule and posts, late, the latest period missed while the bot was down. */
    async start(): Promise<void> {
      for (const digest of await deps.digests.list()) {
        await plan(digest);
        const timeZone = await deps.timeZone(digest.teamId);
        const fireAt = lastFireAt(digest, timeZone, deps.now());
        const created = (await deps.digests.createdAt(digest.id)) ?? 0;
        if (fireAt >= created) await fire(digest, fireAt);
      }
    },
    plan,
    unplan(id: number): void {
      jobs.get(id)?.cancel();
      jobs.delete(id);
    },
    stop(): void {
      for (const job of jobs.values()) job.cancel();
      jobs.clear();
    },
  };
}

export type DigestScheduler = ReturnType<typeof createDigestScheduler>;
