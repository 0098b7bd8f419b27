/** The operations bench/reports.ts times, over a history made by bench/lib/report-history.ts. */
import type { Knex } from 'knex';
import { computeReport, type Report, type ReportDeps } from '../../src/reports/compute-report.js';
import { buildDigest, type Digest } from '../../src/reports/digest.js';
import { parsePeriod } from '../../src/reports/period.js';
import { HISTORY } from './report-history.js';

export const DAY = 86_400_000;

/**
 * The daily digest as the bot posts it at `now`: src/reports/digest.ts `buildDigest` for yesterday (cut in the
 * workspace's time zone, UTC in the generated history): yesterday's report, the day before's (for up/down) and
 * the 14-day chart series.
 */
export async function dailyDigest(teamId: string, now: number, deps: ReportDeps): Promise<Digest> {
  const period = parsePeriod('yesterday', 'UTC', now);
  if (!period) throw new Error('dailyDigest: no period');
  return buildDigest(teamId, period, deps);
}

export const thirtyDayReport = (today: number, deps: ReportDeps): Promise<Report> => computeReport({ teamId: HISTORY.teamId, from: today - 30 * DAY, to: today }, deps);

/** The busiest agent's 30-day report (agent 0 has the most tickets in the generated history). */
export const perAgentReport = (today: number, deps: ReportDeps): Promise<Report> =>
  computeReport({ teamId: HISTORY.teamId, from: today - 30 * DAY, to: today, assigneeId: HISTORY.agentId(0) }, deps);

export interface BaselineFigures {
  tickets: number;
  messages: number;
  agentReplies: number;
  unanswered: number;
  solved: number;
  meanFirstReplyMs: number | null;
}

/**
 * The history baseline: one SELECT, one pass over the history the 30-day report is about (tickets created in
 * the window joined to their messages), aggregated per ticket then overall. What a hand-written single query
 * over the raw history costs.
 */
export async function baselineAggregate(db: Knex, today: number): Promise<BaselineFigures> {
  const result = await db.raw(
    `SELECT COUNT(*) AS tickets, SUM(msgs) AS messages, SUM(agent_replies) AS agent_replies,
            SUM(CASE WHEN first_reply_at IS NULL THEN 1 ELSE 0 END) AS unanswered,
            SUM(CASE WHEN solved_at IS NOT NULL THEN 1 ELSE 0 END) AS solved,
            AVG(first_reply_at - created_at) AS mean_first_reply
     FROM (
       SELECT t.id, t.created_at, CASE WHEN t.status IN ('solved', 'closed') THEN t.solved_at END AS solved_at,
              COUNT(m.id) AS msgs,
              SUM(CASE WHEN m.author_role = 'agent' AND m.visibility = 'public' THEN 1 ELSE 0 END) AS agent_replies,
              MIN(CASE WHEN m.author_role = 'agent' AND m.visibility = 'public' THEN m.sent_at END) AS first_reply_at
       FROM tickets t LEFT JOIN messages m ON m.ticket_id = t.id AND m.deleted_at IS NULL
       WHERE t.team_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.merged_into_id IS NULL
       GROUP BY t.id, t.created_at, t.status, t.solved_at
     ) per_ticket`,
    [HISTORY.teamId, today - 30 * DAY, today],
  );
  return baselineFigures(result);
}

function baselineFigures(result: { rows?: unknown[] } | unknown[]): BaselineFigures {
  const row = (Array.isArray(result) ? result : result.rows!)[0] as Record<string, unknown>;
  const num = (v: unknown) => Number(v ?? 0);
  return {
    tickets: num(row.tickets),
    messages: num(row.messages),
    agentReplies: num(row.agent_replies),
    unanswered: num(row.unanswered),
    solved: num(row.solved),
    meanFirstReplyMs: row.mean_first_reply === null ? null : num(row.mean_first_reply),
  };
}

/**
 * The kept-figures baseline: one SELECT, one pass over the rows the 30-day report reads since it reads kept
 * per-ticket figures (the figures kept on the rows of the tickets created in the window), aggregated overall.
 */
export async function keptBaselineAggregate(db: Knex, today: number): Promise<BaselineFigures> {
  const result = await db.raw(
    `SELECT COUNT(*) AS tickets, SUM(t.agent_replies) AS agent_replies,
            SUM(CASE WHEN t.first_reply_at IS NULL THEN 1 ELSE 0 END) AS unanswered,
            SUM(CASE WHEN t.status IN ('solved', 'closed') THEN 1 ELSE 0 END) AS solved,
            AVG(t.first_reply_at - t.created_at) AS mean_first_reply
     FROM tickets t
     WHERE t.team_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.merged_into_id IS NULL`,
    [HISTORY.teamId, today - 30 * DAY, today],
  );
  return baselineFigures(result); // (no messages read: `messages` is 0)
}
