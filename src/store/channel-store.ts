import type { Knex } from 'knex';
import type { ChannelKind } from '../domain/ticket.js';
import { createMemo } from './memo.js';

export interface IntakeChannel {
  channelId: string;
  teamId: string;
  triageChannelId: string;
  pleasantryFilter: boolean;
  burstWindowSeconds: number;
  /** A template sent automatically when a ticket opens here (never counted as an agent's reply). */
  ackTemplate: string | null;
  /** Ask the requester to rate 1-5 when their ticket is solved. */
  csatEnabled: boolean;
  /** How long after the solve the survey is sent (0: at once); a reopen before then cancels it. */
  csatDelayMinutes: number;
  /** An intake API source: where agents' replies are POSTed (null for every other kind). */
  replyUrl: string | null;
}

interface IntakeRow {
  channel_id: string;
  team_id: string;
  triage_channel_id: string;
  pleasantry_filter: boolean | number;
  burst_window_seconds: number;
  ack_template: string | null;
  csat_enabled: boolean | number;
  csat_delay_minutes?: number;
  reply_url?: string | null;
}

const fromRow = (row: IntakeRow): IntakeChannel => ({
  channelId: row.channel_id,
  teamId: row.team_id,
  triageChannelId: row.triage_channel_id,
  pleasantryFilter: Boolean(row.pleasantry_filter),
  burstWindowSeconds: Number(row.burst_window_seconds),
  ackTemplate: row.ack_template ?? null,
  csatEnabled: row.csat_enabled === undefined ? true : Boolean(row.csat_enabled),
  csatDelayMinutes: Number(row.csat_delay_minutes ?? 0),
  replyUrl: row.reply_url ?? null,
});

export type ChannelStore = ReturnType<typeof createChannelStore>;

/**
 * Which channels are intake channels, where their tickets are worked, and per-channel rules.
 * Every message needs these answers, so reads are memoised for a few seconds; a change made through this
 * store is seen at once, one made by another instance within `cacheMs`.
 */
export function createChannelStore(db: Knex, cacheMs = 5_000) {
  const memo = createMemo(cacheMs);
  const remember = memo.get;
  const changed = memo.clear;

  return {
    intake: (channelId: string): Promise<IntakeChannel | null> =>
      remember(`intake:${channelId}`, async () => {
        const row = (await db('channel_settings').where({ channel_id: channelId }).first()) as IntakeRow | undefined;
        return row ? fromRow(row) : null;
      }),

    async intakeChannels(teamId: string): Promise<IntakeChannel[]> {
      const rows = (await db('channel_settings').where({ team_id: teamId }).orderBy('channel_id')) as IntakeRow[];
      return rows.map(fromRow);
    },

    isTriageChannel: (channelId: string): Promise<boolean> =>
      remember(`triage:${channelId}`, async () => {
        const used = await db('channel_settings').where({ triage_channel_id: channelId }).first('channel_id');
        if (used) return true;
        return Boolean(await db('workspace_settings').where({ default_triage_channel_id: channelId }).first('team_id'));
      }),

    /** Makes (or re-points) an intake channel; per-channel rules keep their values. */
    async connect(teamId: string, channelId: string, triageChannelId: string, now: number, kind: ChannelKind = 'slack', replyUrl: string | null = null): Promise<IntakeChannel> {
      await db('channel_settings')
        .insert({ channel_id: channelId, team_id: teamId, triage_channel_id: triageChannelId, created_at: now, kind, reply_url: replyUrl })
        .onConflict('channel_id')
        .merge({ triage_channel_id: triageChannelId, ...(replyUrl !== null ? { reply_url: replyUrl } : {}) });
      changed();
      return (await this.intake(channelId))!;
    },

    async updateRules(channelId: string, rules: { pleasantryFilter?: boolean; burstWindowSeconds?: number; ackTemplate?: string | null; csatEnabled?: boolean; csatDelayMinutes?: number }): Promise<void> {
      const row: Record<string, unknown> = {};
      if (rules.pleasantryFilter !== undefined) row.pleasantry_filter = rules.pleasantryFilter;
      if (rules.burstWindowSeconds !== undefined) row.burst_window_seconds = rules.burstWindowSeconds;
      if (rules.ackTemplate !== undefined) row.ack_template = rules.ackTemplate;
      if (rules.csatEnabled !== undefined) row.csat_enabled = rules.csatEnabled;
      if (rules.csatDelayMinutes !== undefined) row.csat_delay_minutes = rules.csatDelayMinutes;
      if (Object.keys(row).length > 0) await db('channel_settings').where({ channel_id: channelId }).update(row);
      changed();
    },

    /** Patterns that pick ticket fields out of customer messages in a channel: field -> regular expression. */
    fieldPatterns: (channelId: string): Promise<Record<string, string>> =>
      remember(`fields:${channelId}`, async () => {
        const rows = await db('channel_field_patterns').where({ channel_id: channelId }).orderBy('field');
        return Object.fromEntries(rows.map((r) => [r.field as string, r.pattern as string]));
      }),

    async setFieldPattern(channelId: string, field: string, pattern: string | null): Promise<void> {
      if (pattern === null) await db('channel_field_patterns').where({ channel_id: channelId, field }).delete();
      else await db('channel_field_patterns').insert({ channel_id: channelId, field, pattern }).onConflict(['channel_id', 'field']).merge({ pattern });
      changed();
    },

    defaultTriage: (teamId: string): Promise<string | null> =>
      remember(`default:${teamId}`, async () => {
        const row = await db('workspace_settings').where({ team_id: teamId }).first('default_triage_channel_id');
        return (row?.default_triage_channel_id as string | null | undefined) ?? null;
      }),

    /** The IANA zone the team's days are cut in (digests, `/helpdesk stats`); UTC until set. */
    timeZone: (teamId: string): Promise<string> =>
      remember(`tz:${teamId}`, async () => {
        const row = await db('workspace_settings').where({ team_id: teamId }).first('time_zone');
        return (row?.time_zone as string | null | undefined) ?? 'UTC';
      }),

    async setTimeZone(teamId: string, timeZone: string): Promise<void> {
      await db('workspace_settings').insert({ team_id: teamId, time_zone: timeZone, next_ticket_number: 1 }).onConflict('team_id').merge({ time_zone: timeZone });
      changed();
    },

    async setDefaultTriage(teamId: string, triageChannelId: string): Promise<void> {
      await db('workspace_settings')
        .insert({ team_id: teamId, default_triage_channel_id: triageChannelId, next_ticket_number: 1 })
        .onConflict('team_id')
        .merge({ default_triage_channel_id: triageChannelId });
      changed();
    },
  };
}
