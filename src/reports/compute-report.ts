import type { Knex } from 'knex';
import { minorDigits } from '../domain/order.js';
import type { ServiceLevelStore } from '../store/service-level-store.js';
import { backlogAt, oldestOpen, periodActivity, withCohort, type ChannelFigures, type Cohort, type CsatCounts, emptyDistribution, type Distribution, type OpenTicketRef, type SlaByChannel, SlaOutcome } from '../store/report-queries.js';

/** Backlog age buckets: under 1 day, 1–3 days, 3–7 days, 7–30 days, older. */
const DAY = 86_400_000;
export const BACKLOG_BUCKETS = [{ label: 'under 1d', under: DAY }, { label: '1-3d', under: 3 * DAY }, { label: '3-7d', under: 7 * DAY }, { label: '7-30d', under: 30 * DAY }];

export interface Csat {
  sent: number;
  rated: number;
  /** Share of ratings that are 4 or 5 (null with no rating). */
  score: number | null;
  mean: number | null;
  responseRate: number | null;
}

export interface AgentFigures {
  agentId: string;
  solved: number;
  replies: number;
  firstReply: Distribution;
  csat: Csat;
  /** Converted tickets of the period this agent replied to publicly. */
  converted: number;
}

/** Converted tickets (SPEC): how many, their share of the period's tickets, the revenue of the converting orders. */
export interface Conversion {
  tickets: number;
  rate: number | null;
  /** By currency, in the currency's units (129.95), what was paid and not refunded. */
  revenue: { currency: string; amount: number }[];
  /** The window, in days of 24 hours. */
  days: number;
  /** Whether the workspace has any order at all (no shop connected: reports leave conversion out). */
  ordersKnown: boolean;
}

/** THREADDESK_CONVERSION_DAYS when not set. */
export const DEFAULT_CONVERSION_DAYS = 5;

export interface Report {
  cohort: Cohort;
  /** Figures in business hours too: a calendar applies to the workspace or a channel. */
  business: boolean;
  created: number;
  /** Per intake channel (a Slack channel, a mailbox): created, solved, unanswered, first reply, one-touch, CSAT. */
  createdByChannel: ChannelFigures[];
  /** What happened in the period whatever the tickets' age. */
  activity: { solved: number; publicReplies: number };
  backlog: { at: number; total: number; buckets: Array<{ label: string; count: number }> };
  firstReply: Distribution & { unanswered: number; business: Distribution | null };
  response: Distribution & { business: Distribution | null };
  resolution: Distribution & { business: Distribution | null };
  solved: number;
  replies: { total: number; perSolvedTicket: Distribution };
  oneTouch: { count: number; rate: number | null };
  automated: { count: number; rate: number | null };
  reopened: { count: number; rate: number | null };
  csat: Csat;
  /** Targets met, breached and still running; the worst 20 breaches, most overdue first. */
  sla: { met: number; breached: number; running: number; metShare: number | null; breaches: SlaOutcome[]; byChannel: SlaByChannel[] };
  agents: AgentFigures[];
  conversion: Conversion;
  topTags: Array<{ tag: string; count: number }>;
  oldestOpen: OpenTicketRef[];
}

export interface ReportDeps {
  db: Knex;
  serviceLevels: ServiceLevelStore;
  now: number;
  /** THREADDESK_CONVERSION_DAYS (default 5). */
  conversionDays?: number;
}

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function csatFrom(counts: CsatCounts | undefined): Csat {
  if (!counts) return { sent: 0, rated: 0, score: null, mean: null, responseRate: null };
  return { sent: counts.sent, rated: counts.rated, score: share(counts.good, counts.rated), mean: share(counts.ratingSum, counts.rated), responseRate: share(counts.rated, counts.sent) };
}

/** Every figure for tickets created in [from, to) (the cohort), plus the period's activity and backlog. */
export async function computeReport(cohort: Cohort, deps: ReportDeps): Promise<Report> {
  const scopes = await deps.serviceLevels.calendarScopes(cohort.teamId);
  const calendars = { teamScope: scopes.includes(cohort.teamId) ? cohort.teamId : null, channelScopes: scopes.filter((s) => s !== cohort.teamId) };

  const backlogMoment = Math.min(cohort.to, deps.now);
  const conversionDays = deps.conversionDays ?? DEFAULT_CONVERSION_DAYS;
  // Two halves, side by side, each on a connection of its own with its own copy of the cohort (PostgreSQL's
  // pool; the report connection's two on SQLite): one with the requesters' waits (response times, SLA), the
  // other with everything else, including the period's activity, backlog and oldest open tickets.
  const withWaits = withCohort(deps.db, cohort, calendars, async (q) => ({
    totals: await q.totals(),
    sla: await q.slaOutcomes(deps.now, 20),
    firstReply: await q.firstReply(),
    firstReplyBusiness: q.business ? await q.firstReplyBusiness() : null,
    response: await q.responses(),
    responseBusiness: q.business ? await q.responsesBusiness() : null,
    perSolved: await q.repliesPerSolved(),
    business: q.business,
  }));
  const rest = withCohort(
    deps.db,
    cohort,
    calendars,
    async (q) => ({
      firstReplyByAgent: await q.firstReplyByAgent(),
      resolution: await q.resolution(),
      resolutionBusiness: q.business ? await q.resolutionBusiness() : null,
      createdByChannel: await q.createdByChannel(),
      solvedByAssignee: await q.solvedByAssignee(),
      repliesByAgent: await q.repliesByAgent(),
      csat: await q.csat(),
      topTags: await q.topTags(5),
      conversion: await q.conversion(conversionDays * DAY),
      ordersKnown: (await q.trx('orders').where({ team_id: cohort.teamId }).first('id')) !== undefined,
      activity: await periodActivity(q.trx, cohort.teamId, cohort.from, Math.min(cohort.to, deps.now + 1), cohort.channelId),
      backlog: await backlogAt(q.trx, cohort.teamId, backlogMoment, BACKLOG_BUCKETS.map((b) => b.under), cohort.channelId),
      oldest: await oldestOpen(q.trx, cohort.teamId, 5, cohort.channelId),
    }),
    { waits: false },
  );
  const [waitsHalf, otherHalf] = await Promise.all([withWaits, rest]);

  const { totals, sla } = waitsHalf;
  const { createdByChannel, solvedByAssignee, repliesByAgent, activity, backlog, oldest } = otherHalf;
  const csatByAgent = otherHalf.csat.byAgent;
  const { conversion } = otherHalf;
  const agentIds = [...new Set([...otherHalf.firstReplyByAgent.keys(), ...solvedByAssignee.keys(), ...repliesByAgent.keys(), ...csatByAgent.keys(), ...conversion.byAgent.keys()])].filter((id) => id !== '');
  const agents = agentIds
    .map((agentId) => ({
      agentId,
      solved: solvedByAssignee.get(agentId) ?? 0,
      replies: repliesByAgent.get(agentId) ?? 0,
      firstReply: otherHalf.firstReplyByAgent.get(agentId) ?? emptyDistribution,
      csat: csatFrom(csatByAgent.get(agentId)),
      converted: conversion.byAgent.get(agentId) ?? 0,
    }))
    .sort((a, b) => b.solved - a.solved || b.replies - a.replies || a.agentId.localeCompare(b.agentId));
  return {
    cohort,
    business: waitsHalf.business,
    created: totals.created,
    createdByChannel,
    activity,
    backlog: {
      at: backlogMoment,
      total: backlog.total,
      buckets: [...BACKLOG_BUCKETS.map((b, i) => ({ label: b.label, count: backlog.buckets[i]! })), { label: 'over 30d', count: backlog.buckets.at(-1)! }],
    },
    firstReply: { ...waitsHalf.firstReply, unanswered: totals.unanswered, business: waitsHalf.firstReplyBusiness },
    response: { ...waitsHalf.response, business: waitsHalf.responseBusiness },
    resolution: { ...otherHalf.resolution, business: otherHalf.resolutionBusiness },
    solved: totals.solved,
    replies: { total: totals.agentReplies, perSolvedTicket: waitsHalf.perSolved },
    oneTouch: { count: totals.oneTouch, rate: share(totals.oneTouch, totals.solved) },
    automated: { count: totals.automated, rate: share(totals.automated, totals.solved) },
    reopened: { count: totals.reopened, rate: share(totals.reopened, totals.everSolved) },
    csat: csatFrom(otherHalf.csat.all),
    sla: { ...sla, metShare: share(sla.met, sla.met + sla.breached) },
    agents,
    conversion: {
      tickets: conversion.tickets,
      rate: share(conversion.tickets, totals.created),
      revenue: conversion.revenue.map((r) => ({ currency: r.currency, amount: r.amountMinor / 10 ** minorDigits(r.currency) })),
      days: conversionDays,
      ordersKnown: otherHalf.ordersKnown,
    },
    topTags: otherHalf.topTags,
    oldestOpen: oldest,
  };
}
