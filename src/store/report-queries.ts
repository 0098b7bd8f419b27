import type { Knex } from 'knex';

/**
 * The SQL behind reports. A report is about a cohort (tickets created in a period, optionally of one
 * channel, assignee or tag). Each report lays its cohort out once in temporary tables, one pass over
 * tickets, messages and status events, then answers every figure with aggregates over those small tables:
 * no ticket is loaded into memory, and SQLite and PostgreSQL run the same statements.
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

const ACTIVE = `NOT IN ('solved', 'closed')`;

/** Runs `work` with the cohort's tables in place (one connection, one transaction), then drops them. */
export async function withCohort<T>(db: Knex, cohort: Cohort, calendars: CalendarScopes, work: (q: ReportQueries) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    // The tables live in the transaction: an error rolls their creation back with it.
    await dropTables(trx);
    // PostgreSQL sorts the windows in memory rather than on disk (4 MB by default), for this report only.
    // and, its reads being index probes into tables mostly in memory, costs them as such (SSD-era default).
    if (trx.client.config.client === 'pg') await trx.raw(`SET LOCAL work_mem = '64MB'; SET LOCAL random_page_cost = 1.1`);
    await buildCohort(trx, cohort, calendars);
    const result = await work(reportQueries(trx, cohort, calendars.teamScope !== null || calendars.channelScopes.length > 0));
    await dropTables(trx);
    return result;
  });
}

async function dropTables(trx: Knex.Transaction) {
  for (const table of ['rpt_waits', 'rpt_facts', 'rpt_msgs', 'rpt_tickets']) await trx.raw(`DROP TABLE IF EXISTS ${table}`);
}

function cohortFilter(cohort: Cohort): { sql: string; bindings: Knex.RawBinding[] } {
  let sql = 't.team_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.merged_into_id IS NULL';
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

async function buildCohort(trx: Knex.Transaction, cohort: Cohort, calendars: CalendarScopes) {
  const filter = cohortFilter(cohort);
  const scopeCases = calendars.channelScopes.map(() => 'WHEN t.origin_channel_id = ? THEN t.origin_channel_id').join(' ');
  const calScope = `CASE ${scopeCases} WHEN 1 = 1 THEN ? END`;
  await trx.raw(
    `CREATE TEMP TABLE rpt_tickets AS
     SELECT t.id, t.number, t.origin_channel_id AS channel_id, t.assignee_id, t.status, t.priority, t.created_at,
            CASE WHEN t.status ${ACTIVE} THEN NULL ELSE t.solved_at END AS solved_at,
            ${calScope} AS cal_scope
     FROM tickets t WHERE ${filter.sql}`,
    [...calendars.channelScopes, calendars.teamScope, ...filter.bindings],
  );
  await trx.raw('CREATE INDEX rpt_tickets_id ON rpt_tickets (id)');
  const postgres = trx.client.config.client === 'pg';
  // PostgreSQL plans temporary tables without statistics unless asked (SQLite needs none here).
  if (postgres) await trx.raw('ANALYZE rpt_tickets');
  // Ticket ids grow with creation time, so a cohort's ids sit in a narrow range: saying so lets PostgreSQL
  // read that slice of an index instead of scanning a big table.
  const idRange = (column: string) => `${column} BETWEEN (SELECT MIN(id) FROM rpt_tickets) AND (SELECT MAX(id) FROM rpt_tickets)`;
  // `cohort CROSS JOIN big table WHERE …`: SQLite then always walks the (small) cohort and looks each ticket up
  // in the big table's index; PostgreSQL plans it as the inner join it is.
  // Public messages by people, in order: LAG finds where a requester's wait starts (after an agent reply or
  // at the start), the frame MIN finds the agent reply that ends it, the running count marks the first agent
  // reply. One window order for all three (one sort). Bots and automations never end a wait.
  const byTicket = 'PARTITION BY m.ticket_id ORDER BY m.sent_at, m.id';
  await trx.raw(
    `CREATE TEMP TABLE rpt_msgs AS
     SELECT m.ticket_id, m.sent_at, m.author_role AS role, m.user_id,
            LAG(m.author_role) OVER (${byTicket}) AS prev_role,
            MIN(CASE WHEN m.author_role = 'agent' THEN m.sent_at END) OVER (${byTicket} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent_at,
            SUM(CASE WHEN m.author_role = 'agent' THEN 1 ELSE 0 END) OVER (${byTicket} ROWS UNBOUNDED PRECEDING) AS agents_so_far
     FROM rpt_tickets r CROSS JOIN messages m
     WHERE m.ticket_id = r.id AND ${idRange('m.ticket_id')} AND m.visibility = 'public' AND m.deleted_at IS NULL AND m.author_role IN ('requester', 'agent')`,
  );
  await trx.raw('CREATE INDEX rpt_msgs_ticket ON rpt_msgs (ticket_id)');
  const business = calendars.teamScope !== null || calendars.channelScopes.length > 0;
  const clock = (at: string) => (business ? `CASE WHEN ${at} IS NULL OR r.cal_scope IS NULL THEN NULL ELSE ${businessClock(at, 'r.cal_scope')} END` : 'NULL');
  await trx.raw(
    `CREATE TEMP TABLE rpt_facts AS
     SELECT r.*, a.first_reply_at, a.first_reply_agent, COALESCE(a.agent_replies, 0) AS agent_replies,
            COALESCE(e.reopens, 0) AS reopens, e.first_solved_at,
            ${clock('r.created_at')} AS created_biz, ${clock('a.first_reply_at')} AS first_reply_biz, ${clock('r.solved_at')} AS solved_biz
     FROM rpt_tickets r
     LEFT JOIN (SELECT ticket_id,
                       MIN(CASE WHEN role = 'agent' THEN sent_at END) AS first_reply_at,
                       MAX(CASE WHEN role = 'agent' AND agents_so_far = 1 THEN user_id END) AS first_reply_agent,
                       SUM(CASE WHEN role = 'agent' THEN 1 ELSE 0 END) AS agent_replies
                FROM rpt_msgs GROUP BY ticket_id) a ON a.ticket_id = r.id
     LEFT JOIN (SELECT ev.ticket_id,
                       SUM(CASE WHEN ev.from_value IN ('solved', 'closed') AND ev.to_value ${ACTIVE} THEN 1 ELSE 0 END) AS reopens,
                       MIN(CASE WHEN ev.to_value IN ('solved', 'closed') THEN ev.at END) AS first_solved_at
                FROM rpt_tickets r2 CROSS JOIN ticket_events ev
                WHERE ev.ticket_id = r2.id AND ${idRange('ev.ticket_id')} AND ev.kind = 'status_changed' GROUP BY ev.ticket_id) e ON e.ticket_id = r.id`,
  );
  await trx.raw('CREATE INDEX rpt_facts_id ON rpt_facts (id)');
  // Every wait of a requester: where a run of requester messages starts, and the agent reply that ends it.
  await trx.raw(
    `CREATE TEMP TABLE rpt_waits AS
     SELECT m.ticket_id, m.sent_at AS started_at, m.next_agent_at AS ended_at, m.prev_role, f.cal_scope, f.channel_id, f.priority, f.solved_at
     FROM rpt_msgs m JOIN rpt_facts f ON f.id = m.ticket_id
     WHERE m.role = 'requester' AND (m.prev_role IS NULL OR m.prev_role = 'agent')`,
  );
  if (postgres) await trx.raw('ANALYZE rpt_msgs, rpt_facts, rpt_waits');
}

const num = (value: unknown): number => Number(value ?? 0);

/** The rows of a raw query: sqlite3 answers with an array, pg with a result holding `rows`. */
export async function rawRows(db: Knex, sql: string, bindings: Knex.RawBinding[] = []): Promise<Record<string, unknown>[]> {
  const result = await db.raw(sql, bindings);
  return Array.isArray(result) ? result : result.rows;
}
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function reportQueries(trx: Knex.Transaction, cohort: Cohort, business: boolean) {
  /**
   * Median (mean of the two middle values when even), p90 (nearest rank) and mean of `value` over `source`,
   * per group: window functions rank the values, so only the few rows at the wanted ranks come back.
   */
  const rowsOf = (sql: string, bindings: Knex.RawBinding[] = []) => rawRows(trx, sql, bindings);
  const distributionsOf = async (source: string, value: string, group = `'all'`, bindings: Knex.RawBinding[] = []) =>
    toDistributions(
      await rowsOf(
        `SELECT g, n, mean, rn, v FROM (
           SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v) AS rn, COUNT(*) OVER (PARTITION BY g) AS n, AVG(v) OVER (PARTITION BY g) AS mean
           FROM (SELECT ${group} AS g, ${value} AS v FROM ${source}) src WHERE v IS NOT NULL AND g IS NOT NULL
         ) ranked WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2 OR rn = (9 * n + 9) / 10`,
        bindings,
      ),
    );
  const one = (map: Map<string, Distribution>) => map.get('all') ?? emptyDistribution;
  const waits = 'rpt_waits w';

  return {
    business,
    /** The report's transaction, for the figures read outside the cohort (activity, backlog). */
    trx: trx as Knex,

    async totals() {
      const [row] = await rowsOf(
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
        created: num(row?.created),
        solved: num(row?.solved),
        unanswered: num(row?.unanswered),
        oneTouch: num(row?.one_touch),
        automated: num(row?.automated),
        everSolved: num(row?.ever_solved),
        reopened: num(row?.reopened),
        agentReplies: num(row?.agent_replies),
      };
    },

    async createdByChannel(): Promise<Array<{ channelId: string; count: number }>> {
      const rows = await rowsOf('SELECT channel_id, COUNT(*) AS n FROM rpt_facts GROUP BY channel_id ORDER BY n DESC, channel_id');
      return rows.map((r) => ({ channelId: String(r.channel_id), count: num(r.n) }));
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

    async solvedByAssignee(): Promise<Map<string, number>> {
      const rows = await rowsOf(`SELECT COALESCE(assignee_id, '') AS agent, COUNT(*) AS n FROM rpt_facts WHERE solved_at IS NOT NULL GROUP BY COALESCE(assignee_id, '')`);
      return new Map(rows.map((r) => [String(r.agent), num(r.n)]));
    },

    async repliesByAgent(): Promise<Map<string, number>> {
      const rows = await rowsOf(`SELECT user_id, COUNT(*) AS n FROM rpt_msgs WHERE role = 'agent' GROUP BY user_id`);
      return new Map(rows.map((r) => [String(r.user_id), num(r.n)]));
    },

    async csat(byAgent = false) {
      const group = byAgent ? `COALESCE(c.agent_id, '')` : `'all'`;
      const rows = await rowsOf(
        `SELECT ${group} AS g, COUNT(*) AS sent, COUNT(c.rating) AS rated,
                SUM(CASE WHEN c.rating >= 4 THEN 1 ELSE 0 END) AS good, AVG(c.rating) AS mean
         FROM csat_surveys c JOIN rpt_facts f ON f.id = c.ticket_id ${byAgent ? `GROUP BY ${group}` : ''}`,
      );
      return new Map(rows.map((r) => [String(r.g), { sent: num(r.sent), rated: num(r.rated), good: num(r.good), mean: numOrNull(r.mean) }]));
    },

    async topTags(limit: number): Promise<Array<{ tag: string; count: number }>> {
      const rows = await rowsOf(`SELECT g.tag, COUNT(*) AS n FROM ticket_tags g JOIN rpt_facts f ON f.id = g.ticket_id GROUP BY g.tag ORDER BY n DESC, g.tag LIMIT ?`, [limit]);
      return rows.map((r) => ({ tag: String(r.tag), count: num(r.n) }));
    },

    /** The cohort's tickets with their figures, oldest first (CSV export). */
    async ticketRows(): Promise<ExportRow[]> {
      const iso = (v: unknown) => (v === null || v === undefined ? '' : new Date(num(v)).toISOString());
      const minutesBetween = (a: unknown, b: unknown) => (a === null || a === undefined || b === null || b === undefined ? null : Math.round((num(b) - num(a)) / 600) / 100);
      const rows = await rowsOf(
        `SELECT f.*, t.subject, t.requester_id, c.rating FROM rpt_facts f JOIN tickets t ON t.id = f.id
         LEFT JOIN csat_surveys c ON c.ticket_id = f.id ORDER BY f.created_at, f.number`,
      );
      const tags = new Map<number, string[]>();
      for (const r of await rowsOf('SELECT g.ticket_id, g.tag FROM ticket_tags g JOIN rpt_facts f ON f.id = g.ticket_id ORDER BY g.tag')) {
        tags.set(num(r.ticket_id), [...(tags.get(num(r.ticket_id)) ?? []), String(r.tag)]);
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
      }));
    },

    /**
     * Every SLA target of the cohort against the channel's policy for the ticket's priority, as things stand
     * at `now`: met (fulfilled in time), breached (fulfilled late, or overdue), or still running.
     */
    async slaOutcomes(now: number, worst: number): Promise<{ met: number; breached: number; running: number; breaches: SlaOutcome[] }> {
      // Business-hours targets are measured on the ticket's calendar; without a calendar they fall back to calendar time.
      const elapsed = (start: string, end: string, scope: string) =>
        business ? `CASE WHEN p.business_hours AND ${scope} IS NOT NULL THEN ${businessClock(end, scope)} - ${businessClock(start, scope)} ELSE ${end} - ${start} END` : `${end} - ${start}`;
      const outcomes = `(SELECT o.*, o.minutes * 60000 AS target_ms,
                                CASE WHEN o.elapsed > o.minutes * 60000 THEN 'breached' WHEN o.fulfilled_at IS NOT NULL THEN 'met' ELSE 'running' END AS state
                         FROM (SELECT f.id AS ticket_id, f.number, 'first_reply' AS target, f.created_at AS started_at, f.first_reply_at AS fulfilled_at,
                p.first_reply_minutes AS minutes, ${elapsed('f.created_at', `COALESCE(f.first_reply_at, ${now})`, 'f.cal_scope')} AS elapsed
         FROM rpt_facts f JOIN sla_policies p ON p.channel_id = f.channel_id AND p.priority = f.priority
         WHERE p.first_reply_minutes IS NOT NULL AND (f.first_reply_at IS NOT NULL OR f.solved_at IS NULL)
         UNION ALL
         SELECT f.id, f.number, 'resolution', f.created_at, f.solved_at,
                p.resolution_minutes, ${elapsed('f.created_at', `COALESCE(f.solved_at, ${now})`, 'f.cal_scope')}
         FROM rpt_facts f JOIN sla_policies p ON p.channel_id = f.channel_id AND p.priority = f.priority
         WHERE p.resolution_minutes IS NOT NULL
         UNION ALL
         SELECT f.id, f.number, 'next_reply', w.started_at, w.ended_at,
                p.next_reply_minutes, ${elapsed('w.started_at', `COALESCE(w.ended_at, ${now})`, 'w.cal_scope')}
         FROM rpt_waits w JOIN rpt_facts f ON f.id = w.ticket_id
         JOIN sla_policies p ON p.channel_id = w.channel_id AND p.priority = w.priority
         WHERE p.next_reply_minutes IS NOT NULL AND w.prev_role = 'agent' AND (w.ended_at IS NOT NULL OR w.solved_at IS NULL)) o) x`;
      // Counted in SQL; only the worst breaches come back.
      const counts = await rowsOf(`SELECT x.state, COUNT(*) AS n FROM ${outcomes} GROUP BY x.state`);
      const count = (state: string) => num(counts.find((c) => c.state === state)?.n);
      const rows = await rowsOf(`SELECT * FROM ${outcomes} WHERE x.state = 'breached' ORDER BY x.elapsed - x.target_ms DESC, x.number LIMIT ?`, [worst]);
      const breaches = rows.map((r) => ({
        ticketId: num(r.ticket_id),
        number: num(r.number),
        target: String(r.target) as SlaOutcome['target'],
        startedAt: num(r.started_at),
        targetMs: num(r.target_ms),
        elapsedMs: num(r.elapsed),
        state: 'breached' as const,
      }));
      return { met: count('met'), breached: count('breached'), running: count('running'), breaches };
    },
  };
}

export interface SlaOutcome {
  ticketId: number;
  number: number;
  target: 'first_reply' | 'next_reply' | 'resolution';
  startedAt: number;
  targetMs: number;
  elapsedMs: number;
  state: 'met' | 'breached' | 'running';
}

function toDistributions(rows: Record<string, unknown>[]): Map<string, Distribution> {
  const byGroup = new Map<string, { n: number; mean: number; at: Map<number, number> }>();
  for (const row of rows) {
    const g = String(row.g);
    const entry = byGroup.get(g) ?? { n: num(row.n), mean: num(row.mean), at: new Map() };
    entry.at.set(num(row.rn), num(row.v));
    byGroup.set(g, entry);
  }
  const result = new Map<string, Distribution>();
  for (const [g, { n, mean, at }] of byGroup) {
    const lower = at.get(Math.floor((n + 1) / 2))!;
    const upper = at.get(Math.floor((n + 2) / 2))!;
    result.set(g, { count: n, mean, median: (lower + upper) / 2, p90: at.get(Math.floor((9 * n + 9) / 10))! });
  }
  return result;
}

/** Period activity, outside the cohort: tickets solved and public replies sent between `from` and `to` (one pass). */
export async function periodActivity(db: Knex, teamId: string, from: number, to: number, channelId?: string): Promise<{ solved: number; publicReplies: number }> {
  const ofTeam = `JOIN tickets t ON t.id = e.ticket_id WHERE t.team_id = ? AND t.merged_into_id IS NULL ${channelId ? 'AND t.origin_channel_id = ?' : ''}`;
  const team = channelId ? [teamId, channelId] : [teamId];
  const [row = {}] = await rawRows(
    db,
    `SELECT (SELECT COUNT(DISTINCT e.ticket_id) FROM ticket_events e ${ofTeam} AND e.kind = 'status_changed' AND e.at >= ? AND e.at < ? AND e.to_value = 'solved') AS solved,
            (SELECT COUNT(*) FROM ticket_events e ${ofTeam} AND e.kind = 'public_reply' AND e.at >= ? AND e.at < ?) AS replies`,
    [...team, from, to, ...team, from, to],
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
       AND t.created_at < ? AND t.merged_into_id IS NULL ${channel}
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
  const columns = boundaries.slice(0, -1).map((_, i) => `COUNT(DISTINCT CASE WHEN e.at >= ? AND e.at < ? THEN e.ticket_id END) AS b${i}`);
  const [row = {}] = await rawRows(
    db,
    `SELECT ${columns.join(', ')} FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
     WHERE e.kind = 'status_changed' AND e.to_value = 'solved' AND e.at >= ? AND e.at < ? AND t.team_id = ? AND t.merged_into_id IS NULL ${channelId ? 'AND t.origin_channel_id = ?' : ''}`,
    [...boundaries.slice(0, -1).flatMap((b, i) => [b, boundaries[i + 1]!]), boundaries[0]!, boundaries.at(-1)!, teamId, ...(channelId ? [channelId] : [])],
  );
  return boundaries.slice(0, -1).map((_, i) => num(row[`b${i}`]));
}

/** One row per ticket of a cohort with its figures, for CSV export (the cohort is what the person asked for). */
export function cohortTicketRows(db: Knex, cohort: Cohort): Promise<ExportRow[]> {
  return withCohort(db, cohort, { teamScope: null, channelScopes: [] }, (q) => q.ticketRows());
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
}
