import type { Knex } from 'knex';
import { fromMinor } from '../domain/order.js';
import { channelKindOf } from '../domain/intake-channel.js';

/**
 * The SQL behind reports. A report is about a cohort (tickets created in a period, optionally of one
 * channel, assignee or tag). Each report lays its cohort out once in temporary tables (its tickets with the
 * per-ticket figures kept by ticket-metrics.ts, and their requesters' waits), then answers every figure with
 * aggregates over those small tables: no ticket is loaded into memory, no message is read, and SQLite and
 * PostgreSQL run the same statements except for percentiles (see distributionsOf).
 */

export interface Cohort {
  teamId: string;
  from: number;
  to: number;
  channelId?: string;
  assigneeId?: string;
  tag?: string;
}

/** Which business calendar applies: a channel's own, else the workspace's (scopes as stored). */
export interface CalendarScopes {
  teamScope: string | null;
  channelScopes: string[];
}

/** Count, mean, median and p90 (nearest rank) of one set of durations in ms. */
export interface Distribution {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
}

export const emptyDistribution: Distribution = { count: 0, mean: null, median: null, p90: null };

export type ReportQueries = ReturnType<typeof reportQueries>;

/** Satisfaction surveys of a group of tickets: sent, answered, rated 4-5, and the sum of the ratings. */
export interface CsatCounts {
  sent: number;
  rated: number;
  good: number;
  ratingSum: number;
}

const ACTIVE = `NOT IN ('solved', 'closed')`;

export interface CohortOptions {
  /** Lay out the requesters' waits too (response times, SLA); without them, waits-based figures are not available. */
  waits: boolean;
}

/** Runs `work` with the cohort's tables in place (one connection, one transaction), then drops them. */
export async function withCohort<T>(db: Knex, cohort: Cohort, calendars: CalendarScopes, work: (q: ReportQueries) => Promise<T>, options: CohortOptions = { waits: true }): Promise<T> {
  return db.transaction(async (trx) => {
    // The tables live in the transaction: an error rolls their creation back with it.
    await dropTables(trx);
    // PostgreSQL sorts the windows in memory rather than on disk (4 MB by default), for this report only.
    // and, its reads being index probes into tables mostly in memory, costs them as such (SSD-era default).
    if (trx.client.config.client === 'pg') await trx.raw(`SET LOCAL work_mem = '64MB'; SET LOCAL random_page_cost = 1.1`);
    const range = await buildCohort(trx, cohort, calendars, options.waits);
    const result = await work(reportQueries(trx, cohort, range, calendars.teamScope !== null || calendars.channelScopes.length > 0));
    await dropTables(trx);
    return result;
  });
}

async function dropTables(trx: Knex.Transaction) {
  for (const table of ['rpt_conv', 'rpt_sla', 'rpt_values', 'rpt_waits', 'rpt_facts']) await trx.raw(`DROP TABLE IF EXISTS ${table}`);
}

function cohortFilter(cohort: Cohort): { sql: string; bindings: Knex.RawBinding[] } {
  // Spam and deleted tickets are left out of every figure (SPEC); a merged one counts once, in its survivor.
  let sql = 't.team_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.merged_into_id IS NULL AND t.discarded IS NULL';
  const bindings: Knex.RawBinding[] = [cohort.teamId, cohort.from, cohort.to];
  if (cohort.channelId) {
    sql += ' AND t.origin_channel_id = ?';
    bindings.push(cohort.channelId);
  }
  if (cohort.assigneeId) {
    sql += ' AND t.assignee_id = ?';
    bindings.push(cohort.assigneeId);
  }
  if (cohort.tag) {
    sql += ' AND EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = ?)';
    bindings.push(cohort.tag);
  }
  return { sql, bindings };
}

/** "Business ms since the calendar's start" at instant `at` (an SQL expression), for the row's calendar. */
const businessClock = (at: string, scope = 'cal_scope') =>
  `(SELECT s.business_before + (CASE WHEN ${at} < s.closes_at THEN ${at} ELSE s.closes_at END) - s.opens_at
    FROM business_spans s WHERE s.scope = ${scope} AND s.opens_at <= ${at} ORDER BY s.opens_at DESC LIMIT 1)`;

/** The smallest and largest ticket id of the cohort. */
interface IdRange {
  lo: number;
  hi: number;
}

/**
 * Ticket ids grow with creation time, so a cohort's ids sit in a narrow range (read from the index alone):
 * joins to the big per-ticket tables say so, and PostgreSQL reads that slice of their index, not all of it.
 */
async function cohortIdRange(db: Knex, cohort: Cohort): Promise<IdRange> {
  // (`id + 0`: else PostgreSQL answers MIN(id) by walking the primary key from the first ticket ever.)
  const [bounds = {}] = await rawRows(db, 'SELECT MIN(id + 0) AS lo, MAX(id + 0) AS hi FROM tickets WHERE team_id = ? AND created_at >= ? AND created_at < ?', [
    cohort.teamId,
    cohort.from,
    cohort.to,
  ]);
  return bounds.lo === null || bounds.lo === undefined ? { lo: 0, hi: -1 } : { lo: num(bounds.lo), hi: num(bounds.hi) };
}

async function buildCohort(trx: Knex.Transaction, cohort: Cohort, calendars: CalendarScopes, waits: boolean): Promise<IdRange> {
  const filter = cohortFilter(cohort);
  const range = await cohortIdRange(trx, cohort);
  const scopeCases = calendars.channelScopes.map(() => 'WHEN t.origin_channel_id = ? THEN t.origin_channel_id').join(' ');
  const calScope = `CASE ${scopeCases} WHEN 1 = 1 THEN ? END`;
  const business = calendars.teamScope !== null || calendars.channelScopes.length > 0;
  const clock = (at: string) => (business ? `CASE WHEN ${at} IS NULL OR c.cal_scope IS NULL THEN NULL ELSE ${businessClock(at, 'c.cal_scope')} END` : 'NULL');
  // The cohort with each ticket's figures as kept by ticket-metrics.ts, from the report index (migration 9):
  // one row per ticket, no message read.
  await trx.raw(
    `CREATE TEMP TABLE rpt_facts AS
     SELECT c.*, ${clock('c.created_at')} AS created_biz, ${clock('c.first_reply_at')} AS first_reply_biz, ${clock('c.solved_at')} AS solved_biz
     FROM (SELECT t.id, t.number, t.origin_channel_id AS channel_id, ${SLA_SCOPE} AS sla_scope, t.assignee_id, t.status, t.priority, t.created_at,
                  CASE WHEN t.status ${ACTIVE} THEN NULL ELSE t.solved_at END AS solved_at, ${calScope} AS cal_scope,
                  t.first_reply_at, t.first_reply_agent, t.agent_replies, t.reopens, t.first_solved_at, t.customer_id
           FROM tickets t WHERE ${filter.sql}) c`,
    [...calendars.channelScopes, calendars.teamScope, ...filter.bindings],
  );
  // PostgreSQL plans a temporary table without statistics as a few thousand rows; its size and ids are enough
  // for it to join the cohort's per-ticket tables by hash instead of one index probe per ticket (SQLite needs none).
  if (trx.client.config.client === 'pg') await trx.raw('ANALYZE rpt_facts (id)');
  if (!waits) return range;
  // Every wait of a requester in the cohort. `cohort CROSS JOIN big table WHERE …` (as in every join below):
  // SQLite then walks the (small) cohort and looks each ticket up in the big table's index.
  await trx.raw(
    `CREATE TEMP TABLE rpt_waits AS
     SELECT w.ticket_id, f.number, w.started_at, w.ended_at, w.after_reply, f.cal_scope, f.channel_id, f.sla_scope, f.priority, f.solved_at
     FROM rpt_facts f CROSS JOIN ticket_waits w WHERE w.ticket_id = f.id AND w.ticket_id BETWEEN ? AND ?`,
    [range.lo, range.hi],
  );
  return range;
}

const num = (value: unknown): number => Number(value ?? 0);

/** A channel's share of the cohort: tickets created, solved, not yet answered, first reply, one-touch, CSAT. */
export interface ChannelFigures {
  channelId: string;
  count: number;
  solved: number;
  unanswered: number;
  firstReplyMean: number | null;
  /** Null unless the cohort has channels of several kinds (a Slack channel and a mailbox: where the report shows them). */
  firstReplyMedian: number | null;
  /** Solved tickets with exactly one public agent reply. */
  oneTouch: number;
  csat: CsatCounts;
}

/** Converted tickets of a cohort: how many, the revenue of their orders by currency, per agent who replied. */
export interface ConversionFigures {
  tickets: number;
  revenue: { currency: string; amountMinor: number }[];
  /** Converted tickets each agent replied to publicly. */
  byAgent: Map<string, number>;
}

/**
 * The orders that convert a ticket of the cohort (SPEC "Converted ticket"), one row per (ticket, order): an order
 * placed within the window after the ticket was created (instants), not cancelled and not refunded in full, whose
 * customer's latest ticket created at or before it is this one (an order converts one ticket at most). Revenue is
 * what was paid and kept: the total less its refunds.
 *
 * Read from the orders' side: only the team's orders placed from the cohort's start to the window after its end
 * are read, and each finds its customer's latest earlier ticket with one probe into (customer_id, created_at).
 * (Read from the tickets' side, checking that no later ticket came first, took PostgreSQL 3 s on 1M tickets.)
 */
function convertingOrders(cohort: Cohort, windowMs: number): { sql: string; bindings: Knex.RawBinding[] } {
  return {
    // MATERIALIZED: each order's probe runs once (PostgreSQL would run it again to check each match of its join).
    sql: `
      WITH x AS MATERIALIZED (
        SELECT o.id AS order_id, o.currency, o.total_minor - o.refunded_minor AS revenue, o.created_at,
               (SELECT t.id FROM tickets t WHERE t.customer_id = o.customer_id AND t.merged_into_id IS NULL AND t.created_at <= o.created_at
                 ORDER BY t.created_at DESC, t.id DESC LIMIT 1) AS latest_ticket
        FROM orders o
        WHERE o.team_id = ? AND o.created_at >= ? AND o.created_at <= ? AND o.customer_id IS NOT NULL
          AND o.cancelled_at IS NULL AND o.refunded_minor < o.total_minor)
      SELECT f.id AS ticket_id, x.order_id, x.currency, x.revenue
      FROM x CROSS JOIN rpt_facts f
      WHERE f.id = x.latest_ticket AND x.created_at <= f.created_at + ?`,
    bindings: [cohort.teamId, cohort.from, cohort.to + windowMs, windowMs],
  };
}

/** The rows of a raw query: sqlite3 answers with an array, pg with a result holding `rows`. */
export async function rawRows(db: Knex, sql: string, bindings: Knex.RawBinding[] = []): Promise<Record<string, unknown>[]> {
  const result = await db.raw(sql, bindings);
  return Array.isArray(result) ? result : result.rows;
}
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function reportQueries(trx: Knex.Transaction, cohort: Cohort, range: IdRange, business: boolean) {
  /** The cohort's slice of a big per-ticket table (see buildCohort). */
  const inRange = (column: string) => `${column} BETWEEN ${range.lo} AND ${range.hi}`;
  const rowsOf = (sql: string, bindings: Knex.RawBinding[] = []) => rawRows(trx, sql, bindings);
  /**
   * Count, mean, median (mean of the two middle values when even) and p90 (nearest rank) of `value` over
   * `source`, per group. PostgreSQL has these as ordered-set aggregates: percentile_cont(0.5) is that median,
   * percentile_disc(0.9) the value at rank ceil(0.9 n). SQLite has none, so there the values go into a small
   * indexed table: counts and means come from one pass over the index, and each wanted rank is one short walk
   * along it (ORDER BY … OFFSET rank - 1), four times faster than ranking every value with window functions.
   */
  const distributionsOf = async (source: string, value: string, group = `'all'`, bindings: Knex.RawBinding[] = []): Promise<Map<string, Distribution>> => {
    const values = `SELECT g, v FROM (SELECT ${group} AS g, ${value} AS v FROM ${source}) src WHERE v IS NOT NULL AND g IS NOT NULL`;
    if (trx.client.config.client === 'pg') {
      const rows = await rowsOf(
        `SELECT g, COUNT(*) AS n, AVG(v) AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS median, percentile_disc(0.9) WITHIN GROUP (ORDER BY v) AS p90
         FROM (${values}) x GROUP BY g`,
        bindings,
      );
      return new Map(rows.map((r) => [String(r.g), { count: num(r.n), mean: num(r.mean), median: num(r.median), p90: num(r.p90) }]));
    }
    // One group (the whole cohort): the index holds the values alone, a third cheaper to build.
    const grouped = group !== `'all'`;
    await trx.raw('DROP TABLE IF EXISTS rpt_values');
    await trx.raw(`CREATE TEMP TABLE rpt_values AS ${values}`, bindings);
    await trx.raw(`CREATE INDEX rpt_values_sorted ON rpt_values (${grouped ? 'g, v' : 'v'})`);
    const groups = (await rowsOf(grouped ? 'SELECT g, COUNT(*) AS n, AVG(v) AS mean FROM rpt_values GROUP BY g' : `SELECT 'all' AS g, COUNT(*) AS n, AVG(v) AS mean FROM rpt_values`))
      .map((r) => ({ g: String(r.g), n: num(r.n), mean: num(r.mean) }))
      .filter(({ n }) => n > 0);
    const wanted = groups.flatMap(({ g, n }) => [...new Set(ranksOf(n))].map((rank) => ({ g, rank })));
    const valueAt = new Map<string, number>();
    for (let i = 0; i < wanted.length; i += 100) {
      const chunk = wanted.slice(i, i + 100);
      const rows = await rowsOf(
        chunk.map(() => `SELECT CAST(? AS TEXT) AS g, CAST(? AS INTEGER) AS rank, (SELECT v FROM rpt_values ${grouped ? 'WHERE g = ?' : ''} ORDER BY v LIMIT 1 OFFSET ?) AS v`).join(' UNION ALL '),
        chunk.flatMap(({ g, rank }) => (grouped ? [g, rank, g, rank - 1] : [g, rank, rank - 1])),
      );
      for (const r of rows) valueAt.set(`${String(r.g)}\u0000${num(r.rank)}`, num(r.v));
    }
    await trx.raw('DROP TABLE rpt_values');
    return new Map(
      groups.map(({ g, n, mean }) => {
        const [lower, upper, p90] = ranksOf(n).map((rank) => valueAt.get(`${g}\u0000${rank}`)!);
        return [g, { count: n, mean, median: (lower! + upper!) / 2, p90: p90! }];
      }),
    );
  };
  const one = (map: Map<string, Distribution>) => map.get('all') ?? emptyDistribution;
  /** The cohort's surveys sent and answered, per `group` (a column of rpt_facts `f` or csat_surveys `c`). */
  const csatBy = async (group: string): Promise<Map<string, CsatCounts>> => {
    const rows = await rowsOf(
      `SELECT ${group} AS g, COUNT(*) AS sent, COUNT(c.rating) AS rated,
              SUM(CASE WHEN c.rating >= 4 THEN 1 ELSE 0 END) AS good, SUM(c.rating) AS rating_sum
       FROM rpt_facts f CROSS JOIN csat_surveys c WHERE c.ticket_id = f.id AND ${inRange('c.ticket_id')} GROUP BY ${group}`,
    );
    return new Map(rows.map((r) => [String(r.g), { sent: num(r.sent), rated: num(r.rated), good: num(r.good), ratingSum: num(r.rating_sum) }]));
  };
  const waits = 'rpt_waits w';

  return {
    business,
    /** The report's transaction, for the figures read outside the cohort (activity, backlog). */
    trx: trx as Knex,

    /** The cohort's totals. */
    async totals() {
      const [row = {}] = await rowsOf(
        `SELECT COUNT(*) AS created,
                SUM(CASE WHEN solved_at IS NOT NULL THEN 1 ELSE 0 END) AS solved,
                SUM(CASE WHEN first_reply_at IS NULL THEN 1 ELSE 0 END) AS unanswered,
                SUM(CASE WHEN solved_at IS NOT NULL AND agent_replies = 1 THEN 1 ELSE 0 END) AS one_touch,
                SUM(CASE WHEN solved_at IS NOT NULL AND agent_replies = 0 THEN 1 ELSE 0 END) AS automated,
                SUM(CASE WHEN first_solved_at IS NOT NULL THEN 1 ELSE 0 END) AS ever_solved,
                SUM(CASE WHEN reopens > 0 THEN 1 ELSE 0 END) AS reopened,
                SUM(agent_replies) AS agent_replies
         FROM rpt_facts`,
      );
      return {
        created: num(row.created),
        solved: num(row.solved),
        unanswered: num(row.unanswered),
        oneTouch: num(row.one_touch),
        automated: num(row.automated),
        everSolved: num(row.ever_solved),
        reopened: num(row.reopened),
        agentReplies: num(row.agent_replies),
      };
    },

    /** Converted tickets (see convertingOrders) with an order within `windowMs` of their creation. */
    async conversion(windowMs: number): Promise<ConversionFigures> {
      await trx.raw('DROP TABLE IF EXISTS rpt_conv');
      const converting = convertingOrders(cohort, windowMs);
      await trx.raw(`CREATE TEMP TABLE rpt_conv AS ${converting.sql}`, converting.bindings);
      const [count = {}] = await rowsOf('SELECT COUNT(DISTINCT ticket_id) AS n FROM rpt_conv');
      const revenue = await rowsOf('SELECT currency, SUM(revenue) AS amount FROM rpt_conv GROUP BY currency ORDER BY currency');
      const agents = await rowsOf(
        `SELECT a.agent_id, COUNT(*) AS n FROM (SELECT DISTINCT ticket_id FROM rpt_conv) c CROSS JOIN ticket_agent_replies a WHERE a.ticket_id = c.ticket_id AND a.replies > 0 GROUP BY a.agent_id`,
      );
      await trx.raw('DROP TABLE rpt_conv');
      return {
        tickets: num(count.n),
        revenue: revenue.map((r) => ({ currency: String(r.currency), amountMinor: num(r.amount) })),
        byAgent: new Map(agents.map((r) => [String(r.agent_id), num(r.n)])),
      };
    },

    /** Tickets created per intake channel, most first. */
    async createdByChannel(): Promise<ChannelFigures[]> {
      const rows = await rowsOf(
        `SELECT channel_id, COUNT(*) AS n,
                SUM(CASE WHEN solved_at IS NOT NULL THEN 1 ELSE 0 END) AS solved,
                SUM(CASE WHEN first_reply_at IS NULL THEN 1 ELSE 0 END) AS unanswered,
                SUM(CASE WHEN solved_at IS NOT NULL AND agent_replies = 1 THEN 1 ELSE 0 END) AS one_touch,
                AVG(first_reply_at - created_at) AS first_reply_mean
         FROM rpt_facts GROUP BY channel_id ORDER BY n DESC, channel_id`,
      );
      // Each channel's satisfaction, and with several channels each one's median first reply: where customers are
      // unhappy, and where they wait (one more pass over the cohort's surveys, and one over its first replies).
      // (Only where the report shows channel lines: channels of several kinds, a Slack channel and a mailbox.)
      const several = new Set(rows.map((r) => channelKindOf(String(r.channel_id)))).size > 1;
      const medians = several ? await distributionsOf('rpt_facts', 'first_reply_at - created_at', 'channel_id') : new Map<string, Distribution>();
      const csat = await csatBy('f.channel_id');
      return rows.map((r) => ({
        channelId: String(r.channel_id),
        count: num(r.n),
        solved: num(r.solved),
        unanswered: num(r.unanswered),
        firstReplyMean: numOrNull(r.first_reply_mean),
        firstReplyMedian: medians.get(String(r.channel_id))?.median ?? null,
        oneTouch: num(r.one_touch),
        csat: csat.get(String(r.channel_id)) ?? { sent: 0, rated: 0, good: 0, ratingSum: 0 },
      }));
    },

    /** Tickets solved per assignee ('' when unassigned). */
    async solvedByAssignee(): Promise<Map<string, number>> {
      const rows = await rowsOf(`SELECT COALESCE(assignee_id, '') AS agent, COUNT(*) AS n FROM rpt_facts WHERE solved_at IS NOT NULL GROUP BY COALESCE(assignee_id, '')`);
      return new Map(rows.map((r) => [String(r.agent), num(r.n)]));
    },

    /** Public replies per agent. */
    async repliesByAgent(): Promise<Map<string, number>> {
      const rows = await rowsOf(`SELECT a.agent_id, SUM(a.replies) AS n FROM rpt_facts f CROSS JOIN ticket_agent_replies a WHERE a.ticket_id = f.id AND ${inRange('a.ticket_id')} GROUP BY a.agent_id`);
      return new Map(rows.map((r) => [String(r.agent_id), num(r.n)]));
    },

    /** Surveys sent and answered, per agent ('' when unassigned) and overall. */
    async csat(): Promise<{ all: CsatCounts; byAgent: Map<string, CsatCounts> }> {
      const byAgent = await csatBy(`COALESCE(c.agent_id, '')`);
      const all: CsatCounts = { sent: 0, rated: 0, good: 0, ratingSum: 0 };
      for (const agent of byAgent.values()) for (const key of Object.keys(all) as Array<keyof CsatCounts>) all[key] += agent[key];
      return { all, byAgent };
    },

    async topTags(limit: number): Promise<Array<{ tag: string; count: number }>> {
      const rows = await rowsOf(`SELECT g.tag, COUNT(*) AS n FROM rpt_facts f CROSS JOIN ticket_tags g WHERE g.ticket_id = f.id AND ${inRange('g.ticket_id')} GROUP BY g.tag ORDER BY n DESC, g.tag LIMIT ?`, [limit]);
      return rows.map((r) => ({ tag: String(r.tag), count: num(r.n) }));
    },

    /** Tickets created per bucket, the buckets given as ascending boundaries [b0, b1, …, bn). */
    async createdPerBucket(boundaries: number[]): Promise<number[]> {
      if (boundaries.length < 2) return [];
      const columns = boundaries.slice(0, -1).map((_, i) => `SUM(CASE WHEN created_at >= ? AND created_at < ? THEN 1 ELSE 0 END) AS b${i}`);
      const [row] = await rowsOf(`SELECT ${columns.join(', ')} FROM rpt_facts`, boundaries.slice(0, -1).flatMap((b, i) => [b, boundaries[i + 1]]));
      return boundaries.slice(0, -1).map((_, i) => num(row?.[`b${i}`]));
    },

    /** First reply time median per creation bucket (for the chart). */
    async firstReplyPerBucket(boundaries: number[]): Promise<Array<Distribution>> {
      const cases = boundaries.slice(0, -1).map((_, i) => `WHEN created_at >= ? AND created_at < ? THEN '${i}'`).join(' ');
      const bindings = boundaries.slice(0, -1).flatMap((b, i) => [b, boundaries[i + 1]]);
      const map = await distributionsOf('rpt_facts', 'first_reply_at - created_at', `CASE ${cases} END`, bindings);
      return boundaries.slice(0, -1).map((_, i) => map.get(String(i)) ?? emptyDistribution);
    },

    firstReply: async () => one(await distributionsOf('rpt_facts', 'first_reply_at - created_at')),
    firstReplyBusiness: async () => one(await distributionsOf('rpt_facts', 'first_reply_biz - created_biz')),
    resolution: async () => one(await distributionsOf('rpt_facts', 'solved_at - created_at')),
    resolutionBusiness: async () => one(await distributionsOf('rpt_facts', 'solved_biz - created_biz')),
    /** Agent replies per solved ticket. */
    repliesPerSolved: async () => one(await distributionsOf('rpt_facts', 'CASE WHEN solved_at IS NOT NULL THEN agent_replies END')),
    /** Every answered wait: from the oldest unanswered requester message to the next public agent reply. */
    responses: async () => one(await distributionsOf(waits, 'w.ended_at - w.started_at')),
    responsesBusiness: async () =>
      one(await distributionsOf(waits, `CASE WHEN w.cal_scope IS NULL THEN NULL ELSE ${businessClock('w.ended_at', 'w.cal_scope')} - ${businessClock('w.started_at', 'w.cal_scope')} END`)),

    firstReplyByAgent: () => distributionsOf('rpt_facts', 'first_reply_at - created_at', 'first_reply_agent'),

    /** The cohort's tickets with their figures, oldest first (CSV export). */
    async ticketRows(conversionWindowMs: number): Promise<ExportRow[]> {
      const iso = (v: unknown) => (v === null || v === undefined ? '' : new Date(num(v)).toISOString());
      const minutesBetween = (a: unknown, b: unknown) => (a === null || a === undefined || b === null || b === undefined ? null : Math.round((num(b) - num(a)) / 600) / 100);
      const rows = await rowsOf(
        `SELECT f.*, t.subject, t.requester_id, c.rating FROM rpt_facts f JOIN tickets t ON t.id = f.id
         LEFT JOIN csat_surveys c ON c.ticket_id = f.id ORDER BY f.created_at, f.number`,
      );
      const tags = new Map<number, string[]>();
      for (const r of await rowsOf(`SELECT g.ticket_id, g.tag FROM rpt_facts f CROSS JOIN ticket_tags g WHERE g.ticket_id = f.id AND ${inRange('g.ticket_id')} ORDER BY g.tag`)) {
        tags.set(num(r.ticket_id), [...(tags.get(num(r.ticket_id)) ?? []), String(r.tag)]);
      }
      // The orders that converted each ticket (usually none or one).
      const converting = new Map<number, { number: string; amount: string }[]>();
      const orders = convertingOrders(cohort, conversionWindowMs);
      for (const r of await rowsOf(`SELECT c.ticket_id, o.number, c.currency, c.revenue FROM (${orders.sql}) c JOIN orders o ON o.id = c.order_id ORDER BY o.created_at`, orders.bindings)) {
        const entry = { number: String(r.number), amount: `${String(r.currency)} ${fromMinor(num(r.revenue), String(r.currency))}` };
        converting.set(num(r.ticket_id), [...(converting.get(num(r.ticket_id)) ?? []), entry]);
      }
      return rows.map((r) => ({
        number: num(r.number),
        created_at: iso(r.created_at),
        channel: String(r.channel_id),
        requester: String(r.requester_id),
        assignee: (r.assignee_id as string | null) ?? '',
        status: String(r.status),
        priority: String(r.priority),
        subject: String(r.subject),
        tags: (tags.get(num(r.id)) ?? []).join(' '),
        first_reply_at: iso(r.first_reply_at),
        first_reply_minutes: minutesBetween(r.created_at, r.first_reply_at),
        agent_replies: num(r.agent_replies),
        reopens: num(r.reopens),
        solved_at: iso(r.solved_at),
        resolution_minutes: minutesBetween(r.created_at, r.solved_at),
        csat_rating: numOrNull(r.rating),
        converted: converting.has(num(r.id)) ? 'yes' : 'no',
        order: (converting.get(num(r.id)) ?? []).map((o) => o.number).join(' '),
        amount: (converting.get(num(r.id)) ?? []).map((o) => o.amount).join('; '),
      }));
    },

    /**
     * Every SLA target of the cohort against the channel's policy for the ticket's priority, as things stand
     * at `now`: met (fulfilled in time), breached (fulfilled late, or overdue), or still running.
     */
    async slaOutcomes(now: number, worst: number): Promise<{ met: number; breached: number; running: number; breaches: SlaOutcome[]; byChannel: SlaByChannel[] }> {
      // Business-hours targets are measured on the ticket's calendar; without a calendar they fall back to calendar time.
      const elapsed = (start: string, end: string, scope: string) =>
        business ? `CASE WHEN p.business_hours AND ${scope} IS NOT NULL THEN ${businessClock(end, scope)} - ${businessClock(start, scope)} ELSE ${end} - ${start} END` : `${end} - ${start}`;
      // Laid out once (one pass over the cohort and its waits), then counted, and only the worst breaches read back.
      await trx.raw('DROP TABLE IF EXISTS rpt_sla');
      await trx.raw(
        `CREATE TEMP TABLE rpt_sla AS
         SELECT o.*, o.minutes * 60000 AS target_ms,
                CASE WHEN o.elapsed > o.minutes * 60000 THEN 'breached' WHEN o.fulfilled_at IS NOT NULL THEN 'met' ELSE 'running' END AS state
         FROM (SELECT f.id AS ticket_id, f.number, f.channel_id, 'first_reply' AS target, f.created_at AS started_at, f.first_reply_at AS fulfilled_at,
                      p.first_reply_minutes AS minutes, ${elapsed('f.created_at', `COALESCE(f.first_reply_at, ${now})`, 'f.cal_scope')} AS elapsed
               FROM rpt_facts f JOIN sla_policies p ON p.channel_id = f.sla_scope AND p.priority = f.priority
               WHERE p.first_reply_minutes IS NOT NULL AND (f.first_reply_at IS NOT NULL OR f.solved_at IS NULL)
               UNION ALL
               SELECT f.id, f.number, f.channel_id, 'resolution', f.created_at, f.solved_at,
                      p.resolution_minutes, ${elapsed('f.created_at', `COALESCE(f.solved_at, ${now})`, 'f.cal_scope')}
               FROM rpt_facts f JOIN sla_policies p ON p.channel_id = f.sla_scope AND p.priority = f.priority
               WHERE p.resolution_minutes IS NOT NULL
               UNION ALL
               SELECT w.ticket_id, w.number, w.channel_id, 'next_reply', w.started_at, w.ended_at,
                      p.next_reply_minutes, ${elapsed('w.started_at', `COALESCE(w.ended_at, ${now})`, 'w.cal_scope')}
               FROM rpt_waits w JOIN sla_policies p ON p.channel_id = w.sla_scope AND p.priority = w.priority
               WHERE p.next_reply_minutes IS NOT NULL AND w.after_reply = 1 AND (w.ended_at IS NOT NULL OR w.solved_at IS NULL)) o`,
      );
      const counts = await rowsOf(`SELECT channel_id, state, COUNT(*) AS n FROM rpt_sla GROUP BY channel_id, state ORDER BY channel_id`);
      const count = (state: string, channel?: string) => counts.filter((c) => c.state === state && (channel === undefined || c.channel_id === channel)).reduce((sum, c) => sum + num(c.n), 0);
      const byChannel = [...new Set(counts.map((c) => String(c.channel_id)))].map((channelId) => ({ channelId, met: count('met', channelId), breached: count('breached', channelId), running: count('running', channelId) }));
      const rows = await rowsOf(`SELECT * FROM rpt_sla WHERE state = 'breached' ORDER BY elapsed - target_ms DESC, number LIMIT ?`, [worst]);
      await trx.raw('DROP TABLE rpt_sla');
      const breaches = rows.map((r) => ({
        ticketId: num(r.ticket_id),
        number: num(r.number),
        target: String(r.target) as SlaOutcome['target'],
        startedAt: num(r.started_at),
        targetMs: num(r.target_ms),
        elapsedMs: num(r.elapsed),
        state: 'breached' as const,
      }));
      return { met: count('met'), breached: count('breached'), running: count('running'), breaches, byChannel };
    },
  };
}

/** SLA outcomes of one intake channel or mailbox's tickets. */
export interface SlaByChannel {
  channelId: string;
  met: number;
  breached: number;
  running: number;
}

/**
 * Which SLA policies a ticket is under (`sla_policies.channel_id`), the most specific the team set for its
 * priority: its source's (`source:amazon`: a marketplace's own rules, whatever mailbox it came through), else its
 * intake channel's or mailbox's, else its channel kind's (`kind:email`: every mailbox without targets of its
 * own). Shared by reports and the SLA watch so both judge a ticket by the same targets.
 */
export const SLA_SCOPE = `CASE WHEN t.origin_source IS NOT NULL AND EXISTS (SELECT 1 FROM sla_policies sp WHERE sp.channel_id = 'source:' || t.origin_source AND sp.priority = t.priority)
       THEN 'source:' || t.origin_source
       WHEN NOT EXISTS (SELECT 1 FROM sla_policies sp WHERE sp.channel_id = t.origin_channel_id AND sp.priority = t.priority)
        AND EXISTS (SELECT 1 FROM sla_policies sp WHERE sp.channel_id = 'kind:' || t.origin_kind AND sp.priority = t.priority)
       THEN 'kind:' || t.origin_kind ELSE t.origin_channel_id END`;

export interface SlaOutcome {
  ticketId: number;
  number: number;
  target: 'first_reply' | 'next_reply' | 'resolution';
  startedAt: number;
  targetMs: number;
  elapsedMs: number;
  state: 'met' | 'breached' | 'running';
}

/** The ranks (1-based) of the lower and upper middle values and of the p90 (nearest rank) among n sorted values. */
function ranksOf(n: number): [number, number, number] {
  return [Math.floor((n + 1) / 2), Math.floor((n + 2) / 2), Math.floor((9 * n + 9) / 10)];
}

/**
 * Which of a workspace's events count for its activity: those of tickets not merged into another (merged
 * tickets are few, and found in their own small index) and, for one intake channel, of that channel's tickets.
 */
function activityFilter(teamId: string, channelId?: string): { sql: string; bindings: Knex.RawBinding[] } {
  // Merged, spam and deleted tickets: few, each kind read from its own partial index.
  const sql = `e.team_id = ? AND e.ticket_id NOT IN (SELECT m.id FROM tickets m WHERE m.team_id = ? AND m.merged_into_id IS NOT NULL
      UNION ALL SELECT d.id FROM tickets d WHERE d.team_id = ? AND d.discarded IS NOT NULL)
    ${channelId ? 'AND EXISTS (SELECT 1 FROM tickets c WHERE c.id = e.ticket_id AND c.origin_channel_id = ?)' : ''}`;
  return { sql, bindings: [teamId, teamId, teamId, ...(channelId ? [channelId] : [])] };
}

/**
 * Period activity, outside the cohort: tickets solved (each once) and public replies sent between `from` and
 * `to`. Each is one range of the activity index (workspace, kind, value, time); a public reply has no value.
 */
export async function periodActivity(db: Knex, teamId: string, from: number, to: number, channelId?: string): Promise<{ solved: number; publicReplies: number }> {
  const filter = activityFilter(teamId, channelId);
  const [row = {}] = await rawRows(
    db,
    `SELECT (SELECT COUNT(DISTINCT e.ticket_id) FROM ticket_events e WHERE ${filter.sql} AND e.kind = 'status_changed' AND e.at >= ? AND e.at < ? AND e.to_value = 'solved') AS solved,
            (SELECT COUNT(*) FROM ticket_events e WHERE ${filter.sql} AND e.kind = 'public_reply' AND e.to_value IS NULL AND e.at >= ? AND e.at < ?) AS replies`,
    [...filter.bindings, from, to, ...filter.bindings, from, to],
  );
  return { solved: num(row.solved), publicReplies: num(row.replies) };
}

/** Tickets not solved or closed at instant `at`, bucketed by age then. Only tickets touched since `at` need their history read. */
export async function backlogAt(db: Knex, teamId: string, at: number, bucketsMs: number[], channelId?: string): Promise<{ total: number; buckets: number[] }> {
  const channel = channelId ? 'AND t.origin_channel_id = ?' : '';
  const statusThen = `CASE WHEN t.updated_at < ? THEN t.status ELSE COALESCE(
      (SELECT e.to_value FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'status_changed' AND e.at < ? ORDER BY e.at DESC, e.id DESC LIMIT 1), 'new') END`;
  const ageCases = bucketsMs.map((_, i) => `SUM(CASE WHEN ? - t.created_at < ? ${i > 0 ? 'AND ? - t.created_at >= ?' : ''} THEN 1 ELSE 0 END) AS b${i}`);
  const ageBindings = bucketsMs.flatMap((limit, i) => (i > 0 ? [at, limit, at, bucketsMs[i - 1]] : [at, limit]));
  // Only two kinds of ticket can have been open at `at`: those active now, and those changed since (their
  // history says); both are index range reads, so the rest of a long history is never touched.
  const [row = {}] = await rawRows(
    db,
    `SELECT COUNT(*) AS total, ${ageCases.join(', ')}, SUM(CASE WHEN ? - t.created_at >= ? THEN 1 ELSE 0 END) AS older
     FROM tickets t
     WHERE t.id IN (SELECT c.id FROM tickets c WHERE c.team_id = ? AND c.status IN ('new', 'open', 'pending')
                    UNION SELECT c.id FROM tickets c WHERE c.team_id = ? AND c.updated_at >= ?)
       AND t.created_at < ? AND t.merged_into_id IS NULL AND t.discarded IS NULL ${channel}
       AND ${statusThen} ${ACTIVE}`,
    [...ageBindings, at, bucketsMs.at(-1) ?? 0, teamId, teamId, at, at, ...(channelId ? [channelId] : []), at, at],
  );
  return { total: num(row.total), buckets: [...bucketsMs.map((_, i) => num(row[`b${i}`])), num(row.older)] };
}

/** The open tickets waiting longest (not solved or closed), oldest first. */
export interface OpenTicketRef {
  id: number;
  number: number;
  subject: string;
  status: string;
  assigneeId: string | null;
  createdAt: number;
  triageChannelId: string;
  cardTs: string | null;
}

export async function oldestOpen(db: Knex, teamId: string, limit: number, channelId?: string): Promise<OpenTicketRef[]> {
  const rows = await db('tickets')
    .where({ team_id: teamId })
    .whereNotIn('status', ['solved', 'closed'])
    .whereNull('merged_into_id')
    .modify((q) => {
      if (channelId) q.where({ origin_channel_id: channelId });
    })
    .orderBy('created_at')
    .limit(limit)
    .select('id', 'number', 'subject', 'status', 'assignee_id', 'created_at', 'triage_channel_id', 'card_ts');
  return rows.map((r: Record<string, unknown>) => ({
    id: num(r.id),
    number: num(r.number),
    subject: String(r.subject),
    status: String(r.status),
    assigneeId: (r.assignee_id as string | null) ?? null,
    createdAt: num(r.created_at),
    triageChannelId: String(r.triage_channel_id),
    cardTs: (r.card_ts as string | null) ?? null,
  }));
}

/** Tickets solved per bucket (activity, by the time of the solve), buckets as ascending boundaries. */
export async function solvedPerBucket(db: Knex, teamId: string, boundaries: number[], channelId?: string): Promise<number[]> {
  if (boundaries.length < 2) return [];
  const filter = activityFilter(teamId, channelId);
  const columns = boundaries.slice(0, -1).map((_, i) => `COUNT(DISTINCT CASE WHEN e.at >= ? AND e.at < ? THEN e.ticket_id END) AS b${i}`);
  const [row = {}] = await rawRows(
    db,
    `SELECT ${columns.join(', ')} FROM ticket_events e
     WHERE ${filter.sql} AND e.kind = 'status_changed' AND e.at >= ? AND e.at < ? AND e.to_value = 'solved'`,
    [...boundaries.slice(0, -1).flatMap((b, i) => [b, boundaries[i + 1]!]), ...filter.bindings, boundaries[0]!, boundaries.at(-1)!],
  );
  return boundaries.slice(0, -1).map((_, i) => num(row[`b${i}`]));
}

/** One row per ticket of a cohort with its figures, for CSV export (the cohort is what the person asked for). */
export function cohortTicketRows(db: Knex, cohort: Cohort, conversionWindowMs: number): Promise<ExportRow[]> {
  return withCohort(db, cohort, { teamScope: null, channelScopes: [] }, (q) => q.ticketRows(conversionWindowMs));
}

export interface ExportRow {
  number: number;
  created_at: string;
  channel: string;
  requester: string;
  assignee: string;
  status: string;
  priority: string;
  subject: string;
  tags: string;
  first_reply_at: string;
  first_reply_minutes: number | null;
  agent_replies: number;
  reopens: number;
  solved_at: string;
  resolution_minutes: number | null;
  csat_rating: number | null;
  /** yes when an order converted the ticket; its number(s) and what was paid and kept ("EUR 129.95"). */
  converted: 'yes' | 'no';
  order: string;
  amount: string;
}
