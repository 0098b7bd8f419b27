import type { Knex } from 'knex';
import { layOutSpans, type BusinessCalendar, type BusinessSpan } from '../domain/business-hours.js';
import type { SlaTargetKind } from '../domain/sla.js';
import type { Priority } from '../domain/ticket.js';
import { writeTransaction } from './db.js';
import { createMemo } from './memo.js';
import { enqueueDeliveries, type NewDelivery } from './outbox-store.js';
import { rawRows, SLA_SCOPE } from './report-queries.js';

export type SlaTarget = SlaTargetKind;
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

type SlaAlert = { ticketId: number; target: SlaTarget; startedAt: number; kind: 'warning' | 'breach'; dueAt: number; at: number };

/** Records an alert unless it was recorded before (by this or another instance); whether it is new. */
async function insertAlert(trx: Knex, alert: SlaAlert): Promise<boolean> {
  const inserted = await trx('sla_alerts')
    .insert({ ticket_id: alert.ticketId, target: alert.target, started_at: alert.startedAt, kind: alert.kind, due_at: alert.dueAt, at: alert.at })
    .onConflict(['ticket_id', 'target', 'started_at', 'kind'])
    .ignore()
    .returning('ticket_id');
  return inserted.length > 0;
}

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

    /** Active tickets under an SLA policy, with where their clocks stand (the backlog: a small set). */
    async activeTicketsUnderPolicy(ticketId?: number): Promise<Array<{ ticketId: number; teamId: string; channelId: string; priority: Priority; createdAt: number; firstReplyAt: number | null; waitingSince: number | null }>> {
      const agentReply = `m.ticket_id = t.id AND m.author_role = 'agent' AND m.visibility = 'public' AND m.deleted_at IS NULL`;
      const rows = await rawRows(
        db,
        `SELECT x.*, (SELECT MIN(r.sent_at) FROM messages r WHERE r.ticket_id = x.id AND r.author_role = 'requester' AND r.deleted_at IS NULL
                        AND r.sent_at > x.last_reply_at) AS waiting_since
         FROM (SELECT t.id, t.team_id, t.sla_scope AS origin_channel_id, t.priority, t.created_at,
                      (SELECT MIN(m.sent_at) FROM messages m WHERE ${agentReply}) AS first_reply_at,
                      (SELECT MAX(m.sent_at) FROM messages m WHERE ${agentReply}) AS last_reply_at
               FROM (SELECT t.*, ${SLA_SCOPE} AS sla_scope FROM tickets t WHERE t.status NOT IN ('solved', 'closed')) t
               JOIN sla_policies p ON p.channel_id = t.sla_scope AND p.priority = t.priority
               WHERE t.status NOT IN ('solved', 'closed') AND t.merged_into_id IS NULL ${ticketId ? 'AND t.id = ?' : ''}) x`,
        ticketId ? [ticketId] : [],
      );
      const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      return rows.map((r) => ({
        ticketId: Number(r.id),
        teamId: String(r.team_id),
        channelId: String(r.origin_channel_id),
        priority: r.priority as Priority,
        createdAt: Number(r.created_at),
        firstReplyAt: n(r.first_reply_at),
        waitingSince: n(r.first_reply_at) === null ? null : n(r.waiting_since),
      }));
    },

    /**
     * Records a warning or breach together with the Slack posts that show it (outbox deliveries), in one
     * transaction: an alert is recorded only with its posts, so one claimed is posted, whatever fails after.
     * False, and nothing written, when it was recorded before (by this or another instance).
     */
    async claimAlert(alert: SlaAlert, show: NewDelivery[] = []): Promise<boolean> {
      return writeTransaction(db, async (trx) => {
        if (!(await insertAlert(trx, alert))) return false;
        // The outbox runs on the delivery worker's wall clock, not the domain clock (as ticket-store's enqueue).
        await enqueueDeliveries(trx, show, Date.now());
        return true;
      });
    },

    /**
     * Records several alerts at once with the posts that show those of them not recorded before (`show` is given
     * those, the very objects passed in); nothing is posted when none is new. One transaction, as claimAlert.
     */
    async claimAlerts(alerts: SlaAlert[], show: (claimed: SlaAlert[]) => NewDelivery[]): Promise<void> {
      await writeTransaction(db, async (trx) => {
        const claimed: SlaAlert[] = [];
        for (const alert of alerts) if (await insertAlert(trx, alert)) claimed.push(alert);
        if (claimed.length > 0) await enqueueDeliveries(trx, show(claimed), Date.now());
      });
    },

    /** Whether an alert was recorded already (a cheap look before composing one). */
    async alertRecorded(alert: { ticketId: number; target: SlaTarget; startedAt: number; kind: 'warning' | 'breach' }): Promise<boolean> {
      return Boolean(await db('sla_alerts').where({ ticket_id: alert.ticketId, target: alert.target, started_at: alert.startedAt, kind: alert.kind }).first('ticket_id'));
    },

    async alerts(ticketId: number): Promise<Array<{ target: SlaTarget; kind: string; startedAt: number; dueAt: number }>> {
      const rows = await db('sla_alerts').where({ ticket_id: ticketId }).orderBy('at');
      return rows.map((r) => ({ target: r.target as SlaTarget, kind: String(r.kind), startedAt: Number(r.started_at), dueAt: Number(r.due_at) }));
    },

    async removePolicies(channelId: string, priority?: Priority): Promise<number> {
      const removed = await db('sla_policies').where({ channel_id: channelId, ...(priority ? { priority } : {}) }).delete();
      memo.clear();
      return removed;
    },
  };
}
