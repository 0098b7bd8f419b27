import type { Knex } from 'knex';
import { createMemo } from './memo.js';
import type { RoutingPolicy, RoutingRule } from '../domain/routing.js';

export interface ChannelRouting {
  policy: RoutingPolicy;
  groupName: string | null;
  lastAssignee: string | null;
}

export type RoutingStore = ReturnType<typeof createRoutingStore>;

/** Agent groups, availability, and each intake channel's routing policy and rules. */
export function createRoutingStore(db: Knex, cacheMs = 5_000) {
  // Every new ticket reads its channel's policy and rules; they are memoised (see memo.ts).
  const memo = createMemo(cacheMs);
  return {
    async addToGroup(teamId: string, name: string, userIds: string[]): Promise<void> {
      if (userIds.length === 0) return;
      await db('agent_groups').insert(userIds.map((userId) => ({ team_id: teamId, name, user_id: userId }))).onConflict(['team_id', 'name', 'user_id']).ignore();
    },
    async removeFromGroup(teamId: string, name: string, userIds: string[]): Promise<number> {
      return db('agent_groups').where({ team_id: teamId, name }).whereIn('user_id', userIds).delete();
    },
    async groupMembers(teamId: string, name: string): Promise<string[]> {
      return (await db('agent_groups').where({ team_id: teamId, name }).orderBy('user_id')).map((r) => r.user_id as string);
    },
    async groups(teamId: string): Promise<Record<string, string[]>> {
      const rows = await db('agent_groups').where({ team_id: teamId }).orderBy(['name', 'user_id']);
      const groups: Record<string, string[]> = {};
      for (const row of rows) (groups[row.name as string] ??= []).push(row.user_id as string);
      return groups;
    },

    async setAway(teamId: string, userId: string, away: boolean, now: number): Promise<void> {
      await db('agent_availability').insert({ team_id: teamId, user_id: userId, away, updated_at: now }).onConflict(['team_id', 'user_id']).merge({ away, updated_at: now });
    },
    async awayAgents(teamId: string): Promise<Set<string>> {
      return new Set((await db('agent_availability').where({ team_id: teamId, away: true })).map((r) => r.user_id as string));
    },

    channelRouting: (channelId: string): Promise<ChannelRouting | null> =>
      memo.get(`routing:${channelId}`, async () => {
        const row = await db('channel_settings').where({ channel_id: channelId }).first('routing_policy', 'routing_group', 'routing_last_assignee');
        return row ? { policy: row.routing_policy as RoutingPolicy, groupName: row.routing_group ?? null, lastAssignee: row.routing_last_assignee ?? null } : null;
      }),
    async setPolicy(channelId: string, policy: RoutingPolicy, groupName: string | null): Promise<void> {
      await db('channel_settings').where({ channel_id: channelId }).update({ routing_policy: policy, routing_group: groupName });
      memo.clear();
    },
    async setLastAssignee(channelId: string, userId: string): Promise<void> {
      await db('channel_settings').where({ channel_id: channelId }).update({ routing_last_assignee: userId });
      memo.clear();
    },

    rules: (channelId: string): Promise<RoutingRule[]> =>
      memo.get(`rules:${channelId}`, async () => {
        const rows = await db('routing_rules').where({ channel_id: channelId }).orderBy('id');
        return rows.map((r) => ({ id: r.id as number, pattern: r.pattern as string, tag: r.tag ?? null, groupName: r.group_name ?? null }));
      }),
    async addRule(channelId: string, rule: Omit<RoutingRule, 'id'>): Promise<void> {
      await db('routing_rules').insert({ channel_id: channelId, pattern: rule.pattern, tag: rule.tag, group_name: rule.groupName });
      memo.clear();
    },
    async removeRule(channelId: string, id: number): Promise<boolean> {
      const removed = (await db('routing_rules').where({ channel_id: channelId, id }).delete()) > 0;
      memo.clear();
      return removed;
    },

    /** Active tickets per assignee, for fewest-open routing. */
    async openCounts(teamId: string, userIds: string[]): Promise<Record<string, number>> {
      if (userIds.length === 0) return {};
      const rows = (await db('tickets')
        .where({ team_id: teamId })
        .whereIn('assignee_id', userIds)
        .whereNotIn('status', ['solved', 'closed'])
        .groupBy('assignee_id')
        .select('assignee_id')
        .count({ n: '*' })) as unknown as { assignee_id: string; n: number | string }[];
      return Object.fromEntries(rows.map((r) => [r.assignee_id, Number(r.n)]));
    },
  };
}
