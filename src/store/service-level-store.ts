import type { Knex } from 'knex';
import { layOutSpans, type BusinessCalendar, type BusinessSpan } from '../domain/business-hours.js';
import type { Priority } from '../domain/ticket.js';
import { createMemo } from './memo.js';

export type SlaTarget = 'first_reply' | 'next_reply' | 'resolution';
export const SLA_TARGETS: SlaTarget[] = ['first_reply', 'next_reply', 'resolution'];

/** Targets for one intake channel and priority, in minutes (null = no target). */
export interface SlaPolicy {
  channelId: string;
  priority: Priority;
  minutes: Record<SlaTarget, number | null>;
  businessHours: boolean;
}

interface PolicyRow {
  channel_id: string;
  priority: string;
  first_reply_minutes: number | null;
  next_reply_minutes: number | null;
  resolution_minutes: number | null;
  business_hours: boolean | number;
}

const policyFromRow = (row: PolicyRow): SlaPolicy => ({
  channelId: row.channel_id,
  priority: row.priority as Priority,
  minutes: { first_reply: row.first_reply_minutes, next_reply: row.next_reply_minutes, resolution: row.resolution_minutes },
  businessHours: Boolean(row.business_hours),
});

export type ServiceLevelStore = ReturnType<typeof createServiceLevelStore>;

/** Business-hours calendars and SLA policies: what "on time" means for a team and its channels. */
export function createServiceLevelStore(db: Knex, cacheMs = 5_000) {
  const memo = createMemo(cacheMs);

  const calendar = (scope: string): Promise<{ calendar: BusinessCalendar; spans: BusinessSpan[] } | null> =>
    memo.get(`calendar:${scope}`, async () => {
      const row = await db('business_calendars').where({ scope }).first();
      if (!row) return null;
      const loaded: BusinessCalendar = { timeZone: row.time_zone, weekly: JSON.parse(row.weekly_json), holidays: JSON.parse(row.holidays_json) };
      const spans = (await db('business_spans').where({ scope }).orderBy('opens_at')).map((s) => ({
        opensAt: Number(s.opens_at),
        closesAt: Number(s.closes_at),
        businessBefore: Number(s.business_before),
      }));
      return { calendar: loaded, spans };
    });

  return {
    calendar,

    /** The calendar that applies to an intake channel: its own, else the workspace's. */
    async calendarFor(teamId: string, channelId: string) {
      return (await calendar(channelId)) ?? (await calendar(teamId));
    },

    /** Which scopes have a calendar (a workspace id or channel ids). */
    calendarScopes: (teamId: string): Promise<string[]> =>
      memo.get(`scopes:${teamId}`, async () => (await db('business_calendars').where({ team_id: teamId }).select('scope')).map((r) => r.scope as string)),

    /** Saves a calendar and lays out its spans for SQL, in one transaction. */
    async saveCalendar(teamId: string, scope: string, value: BusinessCalendar, now: number): Promise<void> {
      const spans = layOutSpans(value);
      await db.transaction(async (trx) => {
        await trx('business_calendars')
          .insert({ scope, team_id: teamId, time_zone: value.timeZone, weekly_json: JSON.stringify(value.weekly), holidays_json: JSON.stringify(value.holidays), updated_at: now })
          .onConflict('scope')
          .merge();
        await trx('business_spans').where({ scope }).delete();
        const rows = spans.map((s) => ({ scope, opens_at: s.opensAt, closes_at: s.closesAt, business_before: s.businessBefore }));
        await trx.batchInsert('business_spans', rows, 500);
      });
      memo.clear();
    },

    async removeCalendar(scope: string): Promise<boolean> {
      const removed = await db.transaction(async (trx): Promise<number> => {
        await trx('business_spans').where({ scope }).delete();
        return trx('business_calendars').where({ scope }).delete();
      });
      memo.clear();
      return removed > 0;
    },

    policy: (channelId: string, priority: Priority): Promise<SlaPolicy | null> =>
      memo.get(`sla:${channelId}:${priority}`, async () => {
        const row = (await db('sla_policies').where({ channel_id: channelId, priority }).first()) as PolicyRow | undefined;
        return row ? policyFromRow(row) : null;
      }),

    async policies(channelIds: string[]): Promise<SlaPolicy[]> {
      if (channelIds.length === 0) return [];
      const rows = (await db('sla_policies').whereIn('channel_id', channelIds).orderBy(['channel_id', 'priority'])) as PolicyRow[];
      return rows.map(policyFromRow);
    },

    async savePolicy(policy: SlaPolicy): Promise<void> {
      await db('sla_policies')
        .insert({
          channel_id: policy.channelId,
          priority: policy.priority,
          first_reply_minutes: policy.minutes.first_reply,
          next_reply_minutes: policy.minutes.next_reply,
          resolution_minutes: policy.minutes.resolution,
          business_hours: policy.businessHours,
        })
        .onConflict(['channel_id', 'priority'])
        .merge();
      memo.clear();
    },

    async removePolicies(channelId: string, priority?: Priority): Promise<number> {
      const removed = await db('sla_policies').where({ channel_id: channelId, ...(priority ? { priority } : {}) }).delete();
      memo.clear();
      return removed;
    },
  };
}
