import type { Knex } from 'knex';

export interface DigestSchedule {
  id: number;
  teamId: string;
  channelId: string;
  frequency: 'daily' | 'weekly';
  /** 1 = Monday … 7 = Sunday (weekly only). */
  weekday: number | null;
  /** HH:MM in the workspace's time zone. */
  atTime: string;
  createdBy: string | null;
}

const fromRow = (row: Record<string, unknown>): DigestSchedule => ({
  id: Number(row.id),
  teamId: String(row.team_id),
  channelId: String(row.channel_id),
  frequency: row.frequency as DigestSchedule['frequency'],
  weekday: row.weekday === null ? null : Number(row.weekday),
  atTime: String(row.at_time),
  createdBy: (row.created_by as string | null) ?? null,
});

export type DigestStore = ReturnType<typeof createDigestStore>;

/** Digest schedules, and which periods were posted (claimed before posting, so each is posted once). */
export function createDigestStore(db: Knex) {
  return {
    async add(schedule: Omit<DigestSchedule, 'id'>, now: number): Promise<DigestSchedule> {
      const [row] = await db('digests')
        .insert({ team_id: schedule.teamId, channel_id: schedule.channelId, frequency: schedule.frequency, weekday: schedule.weekday, at_time: schedule.atTime, created_by: schedule.createdBy, created_at: now })
        .returning('id');
      const id = typeof row === 'object' ? Number((row as { id: number }).id) : Number(row);
      return { ...schedule, id };
    },
    async list(teamId?: string): Promise<DigestSchedule[]> {
      const rows = await db('digests').modify((q) => {
        if (teamId) q.where({ team_id: teamId });
      }).orderBy('id');
      return rows.map(fromRow);
    },
    async createdAt(id: number): Promise<number | null> {
      const row = await db('digests').where({ id }).first('created_at');
      return row ? Number(row.created_at) : null;
    },
    async remove(teamId: string, id: number): Promise<boolean> {
      return (await db('digests').where({ team_id: teamId, id }).delete()) > 0;
    },
    /** True when this call claimed the period (nobody posted it before, on any instance). */
    async claim(digestId: number, periodStart: number, now: number, late: boolean): Promise<boolean> {
      const inserted = await db('digest_runs').insert({ digest_id: digestId, period_start: periodStart, claimed_at: now, late }).onConflict(['digest_id', 'period_start']).ignore().returning('digest_id');
      return inserted.length > 0;
    },
    async markPosted(digestId: number, periodStart: number, now: number): Promise<void> {
      await db('digest_runs').where({ digest_id: digestId, period_start: periodStart }).update({ posted_at: now });
    },
    /** Gives a claimed period back after a failed post, so a later attempt may post it. */
    async release(digestId: number, periodStart: number): Promise<void> {
      await db('digest_runs').where({ digest_id: digestId, period_start: periodStart }).whereNull('posted_at').delete();
    },
    async runs(digestId: number): Promise<Array<{ periodStart: number; postedAt: number | null; late: boolean }>> {
      const rows = await db('digest_runs').where({ digest_id: digestId }).orderBy('period_start');
      return rows.map((r) => ({ periodStart: Number(r.period_start), postedAt: r.posted_at === null ? null : Number(r.posted_at), late: Boolean(r.late) }));
    },
  };
}
