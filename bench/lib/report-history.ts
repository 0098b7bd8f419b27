/**
 * Generates a year of helpdesk history in a migrated threaddesk database, set-based (INSERT … SELECT), for the
 * reports benchmark (bench/reports.ts). The same statements run on SQLite and PostgreSQL: only the row source
 * differs (a recursive CTE on SQLite, generate_series on PostgreSQL). Every "random" value is a deterministic
 * hash of the ticket id (or of ticket id and message slot) computed in SQL with integer arithmetic, so both
 * databases get exactly the same rows, and a run is reproducible.
 *
 * What a ticket looks like (a per-ticket plan in a temp table, then rows derived from it):
 *  - created over the 365 days before `today` (70 % in 08:00–18:00 UTC), in one of six intake channels, with a
 *    priority, a requester (30k requesters, skewed), an assignee among 20 agents (skewed), tags on ~35 %;
 *  - a conversation: the requester's first message at created_at, the first public agent reply minutes to days
 *    later (faster for high/urgent), then alternating requester / agent messages `gap` apart; some bot
 *    acknowledgements, a requester's extra message before the first reply, internal notes; ~5 messages a ticket;
 *  - assignment (new → open) before the first reply; 40 % of tickets are set pending after each agent reply
 *    (and opened again by the requester's next message); solved some time after the last message; 5 % reopened
 *    by the requester after the solve, answered and solved again; 7 % solved without any agent reply
 *    (automation / spam); 0.5 % merged into an earlier ticket of the same requester (messages moved, closed);
 *    0.05 % left stale (never solved); tickets whose solve lies after `now` form the open backlog;
 *  - ticket_events consistent with all of that, csat_surveys for about half of the solved tickets, SLA policies.
 * Message and event ids follow time (rows are inserted in time order), as in a database filled live.
 */
import type { Knex } from 'knex';
import { refreshTicketMetrics } from '../../src/store/ticket-metrics.js';

export type Dialect = 'sqlite' | 'postgres';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

/** The workspace, channels and agents of the generated history. */
export const HISTORY = {
  teamId: 'T0BENCH01',
  /** Intake channels with their share of tickets (%), triage channel, and whether a bot acknowledges tickets. */
  channels: [
    { id: 'C0HELPDESK', share: 35, triage: 'C0TRIAGE01', bot: false },
    { id: 'C0ITSUPPRT', share: 25, triage: 'C0TRIAGE01', bot: true },
    { id: 'C0BILLING1', share: 15, triage: 'C0TRIAGE02', bot: false },
    { id: 'C0PEOPLEOP', share: 10, triage: 'C0TRIAGE01', bot: true },
    { id: 'C0SALESOPS', share: 10, triage: 'C0TRIAGE01', bot: false },
    { id: 'C0VIPSUPRT', share: 5, triage: 'C0TRIAGE02', bot: false },
  ],
  agents: 20,
  /** Agent k is `UAGENT${10 + k}`; agent 0 has the most tickets. */
  agentId: (k: number) => `UAGENT${10 + k}`,
  requesters: 30_000,
  tags: ['billing', 'refund', 'invoice', 'access', 'vpn', 'laptop', 'shipping', 'onboarding', 'bug', 'feature-request', 'urgent', 'vip'],
  subjects: [
    'VPN client fails with error 809',
    'Cannot log in to the billing portal',
    'Where is my order?',
    'Refund not received yet',
    'Laptop will not wake from sleep',
    'Invoice shows the wrong VAT number',
    'Password reset email never arrives',
    'Need access to the analytics dashboard',
    'Subscription charged twice this month',
    'Export to CSV times out',
  ],
  /** SLA targets (minutes) per channel and priority. */
  slaPolicies: [
    { channel_id: 'C0HELPDESK', priority: 'normal', first_reply_minutes: 240, next_reply_minutes: 480, resolution_minutes: 2880, business_hours: false },
    { channel_id: 'C0HELPDESK', priority: 'high', first_reply_minutes: 60, next_reply_minutes: 120, resolution_minutes: 1440, business_hours: false },
    { channel_id: 'C0HELPDESK', priority: 'urgent', first_reply_minutes: 15, next_reply_minutes: 60, resolution_minutes: 480, business_hours: false },
    { channel_id: 'C0VIPSUPRT', priority: 'normal', first_reply_minutes: 60, next_reply_minutes: 120, resolution_minutes: 1440, business_hours: false },
    { channel_id: 'C0VIPSUPRT', priority: 'high', first_reply_minutes: 30, next_reply_minutes: 60, resolution_minutes: 720, business_hours: false },
  ],
} as const;

export interface HistorySpec {
  tickets: number;
  /** Midnight UTC of the day after the history: tickets are created in [today - 365 days, today). */
  today: number;
  /** The instant the history is cut at (no message, event or survey at or after it). */
  now: number;
}

export interface HistoryFigures {
  tickets: number;
  messages: number;
  events: number;
  tags: number;
  surveys: number;
  openBacklog: number;
  seconds: number;
  steps: Array<{ step: string; seconds: number }>;
}

const META_VERSION = 'reports-history-v3'; // v2: with ticket metrics; v3: events carry their workspace

/** One step of 32-bit-ish mixing: three rounds of affine + squaring modulo the Mersenne prime 2^31 - 1. */
const P = 2147483647;
const SALTS: Array<[number, number, number, number]> = [];
{
  // mulberry32, to pick the constants of each salted hash once (deterministic).
  let a = 0x9e3779b9 >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % (P - 2) + 1;
  };
  for (let i = 0; i < 64; i++) SALTS.push([next(), next(), next(), next()]);
}

/** SQL for a deterministic hash in [0, 2^31 - 1) of an integer expression; values stay below 2^62 (no overflow). */
function hash(x: string, salt: number): string {
  const [a, c, c2, c3] = SALTS[salt]!;
  const x0 = `((CAST(${x} AS BIGINT) * ${a} + ${c}) % ${P})`;
  const x1 = `((${x0} * ${x0} + ${c2}) % ${P})`;
  return `((${x1} * ${x1} + ${c3}) % ${P})`;
}

/** CASE over an integer index picking one of `values` (SQL string literals; `?` escaped for knex.raw). */
function pick(index: string, values: readonly string[]): string {
  return `CASE ${index} ${values.map((v, i) => `WHEN ${i} THEN '${v.replaceAll("'", "''").replaceAll('?', '\\?')}'`).join(' ')} END`;
}

/** Largest of integer expressions, NULLs ignored (0 if all are NULL). */
function greatest(dialect: Dialect, exprs: string[]): string {
  const safe = exprs.map((e) => `COALESCE(${e}, 0)`);
  return dialect === 'postgres' ? `GREATEST(${safe.join(', ')})` : `MAX(${safe.join(', ')})`;
}

/** Whether `db` holds a complete generated history; its spec if so. */
export async function readHistoryMeta(db: Knex): Promise<(HistorySpec & { generationSeconds: number }) | null> {
  if (!(await db.schema.hasTable('bench_meta'))) return null;
  const rows = (await db('bench_meta').select('key', 'value')) as Array<{ key: string; value: string }>;
  const meta = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  if (meta.version !== META_VERSION) return null;
  return { tickets: Number(meta.tickets), today: Number(meta.today), now: Number(meta.now), generationSeconds: Number(meta.seconds) };
}

/** Whether the database has tables other than the migrations' bookkeeping (so generating into it would mix data). */
export async function hasTickets(db: Knex): Promise<boolean> {
  if (!(await db.schema.hasTable('tickets'))) return false;
  return (await db('tickets').first('id')) !== undefined;
}

/**
 * Fills a freshly migrated, empty database (all statements on one connection: `db` must be a transaction on
 * PostgreSQL, or a single-connection pool on SQLite). Temp tables bench_* hold the plan and are dropped.
 */
export async function generateHistory(db: Knex, dialect: Dialect, spec: HistorySpec, log: (line: string) => void): Promise<HistoryFigures> {
  const { tickets: N, today, now } = spec;
  if (!Number.isInteger(N) || N < 100) throw new Error('generateHistory: at least 100 tickets');
  const start = today - 365 * DAY;
  const steps: HistoryFigures['steps'] = [];
  const began = performance.now();
  const step = async (name: string, sql: string, bindings: Knex.RawBinding[] = []) => {
    const t0 = performance.now();
    await db.raw(sql, bindings);
    const seconds = (performance.now() - t0) / 1000;
    steps.push({ step: name, seconds });
    log(`  ${name}: ${seconds.toFixed(1)} s`);
  };

  const rows =
    dialect === 'postgres'
      ? { with: '', from: `generate_series(1, ${N}) AS s(n)` }
      : { with: `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${N})`, from: 's' };
  const H = [
    'h_biz', 'h_tod', 'h_cat', 'h_kind', 'h_fr', 'h_frv', 'h_gap', 'h_gapv', 'h_sd', 'h_sdv', 'h_misc', 'h_misc2',
    'h_rating', 'h_agent', 'h_req', 'h_tag', 'h_merge', 'h_rd', 'h_sd2', 'h_subj',
  ];
  // 1. One row of hashes per ticket id.
  await step(
    'hashes',
    `CREATE TEMP TABLE bench_base AS ${rows.with}
     SELECT CAST(n AS BIGINT) AS id, ${H.map((name, i) => `${hash('n', i)} AS ${name}`).join(', ')} FROM ${rows.from}`,
  );

  // 2. Per-ticket draws that other tickets need (a duplicate takes its survivor's creation time and requester).
  const channelCase = (() => {
    let acc = 0;
    const whens = HISTORY.channels.map((c, i) => {
      acc += c.share;
      return i < HISTORY.channels.length - 1 ? `WHEN b.h_cat % 100 < ${acc} THEN ${i}` : `ELSE ${i}`;
    });
    return `CASE ${whens.join(' ')} END`;
  })();
  const lastMergeable = N - Math.ceil((N / 365) * 2); // no duplicate in the last two days (its survivor could be after `now`)
  await step(
    'plan (draws)',
    `CREATE TEMP TABLE bench_plan0 AS
     SELECT b.*,
            ${start} + ((b.id - 1) * 365 / ${N}) * ${DAY}
              + CASE WHEN b.h_biz % 100 < 70 THEN ${8 * HOUR} + b.h_tod % ${10 * HOUR} ELSE b.h_tod % ${DAY} END AS created0,
            CASE WHEN b.h_kind % 1000 < 5 AND b.id > 50 AND b.id <= ${lastMergeable} THEN 2 WHEN b.h_kind % 1000 < 75 THEN 1 ELSE 0 END AS kind0,
            ${channelCase} AS chan,
            (b.h_req % ${HISTORY.requesters}) * ((b.h_req / ${HISTORY.requesters}) % ${HISTORY.requesters + 1}) / ${HISTORY.requesters} AS req0
     FROM bench_base b`,
  );

  // 3. The plan: kind, conversation shape and durations; then the instants they imply (stage 4).
  const agent = `CASE WHEN (p.h_agent / 400) % 2 = 0 THEN (p.h_agent / 20) % 20
                      WHEN p.h_agent % 20 < (p.h_agent / 20) % 20 THEN p.h_agent % 20 ELSE (p.h_agent / 20) % 20 END`;
  const prioFactor = `CASE (p.h_cat / 100) % 100 WHEN 95 THEN 4 WHEN 96 THEN 4 WHEN 97 THEN 4 WHEN 98 THEN 4 WHEN 99 THEN 4 ELSE CASE WHEN (p.h_cat / 100) % 100 >= 80 THEN 2 ELSE 1 END END`;
  const fr = `(CASE WHEN p.h_fr % 100 < 30 THEN ${2 * MIN} + p.h_frv % ${28 * MIN}
                    WHEN p.h_fr % 100 < 60 THEN ${30 * MIN} + p.h_frv % ${90 * MIN}
                    WHEN p.h_fr % 100 < 80 THEN ${2 * HOUR} + p.h_frv % ${6 * HOUR}
                    WHEN p.h_fr % 100 < 93 THEN ${8 * HOUR} + p.h_frv % ${16 * HOUR}
                    ELSE ${DAY} + p.h_frv % ${2 * DAY} END) / ${prioFactor}`;
  const gap = `CASE WHEN p.h_gap % 100 < 40 THEN ${5 * MIN} + p.h_gapv % ${55 * MIN}
                    WHEN p.h_gap % 100 < 75 THEN ${HOUR} + p.h_gapv % ${5 * HOUR}
                    WHEN p.h_gap % 100 < 92 THEN ${6 * HOUR} + p.h_gapv % ${18 * HOUR}
                    ELSE ${DAY} + p.h_gapv % ${2 * DAY} END`;
  const sd = `CASE WHEN p.h_sd % 100 < 50 THEN ${MIN} + p.h_sdv % ${29 * MIN}
                   WHEN p.h_sd % 100 < 85 THEN ${30 * MIN} + p.h_sdv % ${DAY - 30 * MIN}
                   ELSE ${DAY} + p.h_sdv % ${3 * DAY} END`;
  const conversationLength = `CASE WHEN (p.h_kind / 1000) % 100 < 25 THEN 2 WHEN (p.h_kind / 1000) % 100 < 45 THEN 3
                                   WHEN (p.h_kind / 1000) % 100 < 65 THEN 4 WHEN (p.h_kind / 1000) % 100 < 77 THEN 5
                                   WHEN (p.h_kind / 1000) % 100 < 87 THEN 6 WHEN (p.h_kind / 1000) % 100 < 94 THEN 7 ELSE 8 END`;
  const botChannels = HISTORY.channels.flatMap((c, i) => (c.bot ? [i] : [])).join(', ');
  await step(
    'plan (shape)',
    `CREATE TEMP TABLE bench_plan1 AS
     SELECT p.id, p.h_subj, p.h_tag, p.h_rating, p.h_misc2, p.chan,
            CASE WHEN p.kind0 = 2 AND s.kind0 <> 2 THEN 2 WHEN p.kind0 = 2 THEN 0 ELSE p.kind0 END AS kind,
            CASE WHEN p.kind0 = 2 AND s.kind0 <> 2 THEN s.id END AS survivor,
            CASE WHEN p.kind0 = 2 AND s.kind0 <> 2 THEN s.created0 + ${MIN} + (p.h_merge / 30) % ${6 * HOUR} ELSE p.created0 END AS created_at,
            CASE WHEN p.kind0 = 2 AND s.kind0 <> 2 THEN s.req0 ELSE p.req0 END AS req,
            CASE WHEN (p.h_cat / 100) % 100 < 15 THEN 0 WHEN (p.h_cat / 100) % 100 < 80 THEN 1 WHEN (p.h_cat / 100) % 100 < 95 THEN 2 ELSE 3 END AS prio,
            CASE WHEN (p.h_cat / 10000) % 100 < 85 THEN 0 WHEN (p.h_cat / 10000) % 100 < 93 THEN 1 WHEN (p.h_cat / 10000) % 100 < 98 THEN 2 ELSE 3 END AS src,
            CASE WHEN (p.h_agent / 800) % 100 < 10 THEN 1 ELSE 0 END AS ext,
            ${agent} AS agent,
            ${conversationLength} AS l0,
            CASE WHEN (p.h_kind / 100000) % 100 < 15 THEN 1 ELSE 0 END AS dbl0,
            CASE WHEN p.h_misc % 100 < 55 THEN 0 WHEN p.h_misc % 100 < 85 THEN 1 ELSE 2 END AS notes0,
            CASE WHEN p.chan IN (${botChannels}) AND (p.h_misc / 100) % 100 < 85 THEN 1 ELSE 0 END AS bot0,
            CASE WHEN (p.h_misc / 10000) % 100 < 5 THEN 1 ELSE 0 END AS reopen0,
            CASE WHEN (p.h_misc / 1000000) % 100 < 40 THEN 1 ELSE 0 END AS pend0,
            CASE WHEN p.h_misc2 % 10000 < 5 THEN 1 ELSE 0 END AS stale0,
            CASE WHEN (p.h_agent / 80000) % 100 < 50 THEN 1 ELSE 0 END AS auto_assigned,
            CASE WHEN (p.h_rating / 100) % 100 < 60 THEN 1 ELSE 0 END AS kb_answer,
            ${fr} AS fr, ${gap} AS gap, ${sd} AS sd,
            ${HOUR} + p.h_rd % ${96 * HOUR} AS rd,
            ${10 * MIN} + p.h_sd2 % ${DAY} AS sd2,
            ${MIN} + (p.h_merge / 30) % ${55 * MIN} AS merge_delay
     FROM bench_plan0 p LEFT JOIN bench_plan0 s ON p.kind0 = 2 AND s.id = p.id - 1 - p.h_merge % 30`,
  );
  // 4. Instants: first solve (s1: after the last conversation message), reopen, second solve, assignment.
  await step(
    'plan (instants)',
    `CREATE TEMP TABLE bench_plan AS
     SELECT q.*,
            CASE WHEN q.reopen = 1 THEN q.s1 + q.rd END AS r_at,
            CASE WHEN q.reopen = 1 THEN q.s1 + q.rd + q.fr / 2 + ${MIN} END AS ra_at,
            CASE WHEN q.reopen = 1 THEN q.s1 + q.rd + q.fr / 2 + ${MIN} + q.sd2 ELSE q.s1 END AS fs
     FROM (
       SELECT x.*,
              CASE WHEN x.kind = 0 AND x.stale = 0 THEN x.created_at + x.fr + (x.l - 2) * x.gap + x.gap / 2 + x.sd
                   WHEN x.kind = 1 THEN x.created_at + ${5 * MIN} + x.sd END AS s1,
              CASE WHEN x.kind = 0 THEN x.created_at + x.fr / 2
                   WHEN x.kind = 1 AND x.auto_assigned = 1 THEN x.created_at + ${5 * MIN} + x.sd - ${MIN} END AS assign_at
       FROM (
         SELECT y.*,
                CASE WHEN y.kind = 0 THEN y.l0 ELSE 1 END AS l,
                CASE WHEN y.kind = 0 THEN y.dbl0 ELSE 0 END AS dbl,
                CASE WHEN y.kind = 0 THEN y.notes0 ELSE 0 END AS notes,
                CASE WHEN y.kind = 2 THEN 0 ELSE y.bot0 END AS bot,
                CASE WHEN y.kind = 0 AND y.stale0 = 0 THEN y.reopen0 ELSE 0 END AS reopen,
                CASE WHEN y.kind = 0 THEN y.pend0 ELSE 0 END AS pend,
                CASE WHEN y.kind = 0 THEN y.stale0 ELSE 0 END AS stale
         FROM bench_plan1 y
       ) x
     ) q`,
  );
  await db.raw('DROP TABLE bench_base');
  await db.raw('DROP TABLE bench_plan0');
  await db.raw('DROP TABLE bench_plan1');
  await db.raw(`ANALYZE bench_plan`);

  // 5. Messages: the plan × message slots. Slot 0 opening message; 1..7 the conversation (odd: agent, even:
  // requester); 8 bot acknowledgement; 9 bot answer (automated tickets); 10 requester's extra message before
  // the first reply; 11, 12 internal notes; 13 reopening requester message; 14 agent reply after it.
  await db.raw(`CREATE TEMP TABLE bench_slots (k INTEGER NOT NULL)`);
  await db.raw(`INSERT INTO bench_slots (k) VALUES ${Array.from({ length: 15 }, (_, k) => `(${k})`).join(', ')}`);
  const hm = hash('p.id * 16 + s.k', 40);
  const sentAt = `CASE WHEN s.k = 0 THEN p.created_at
                       WHEN s.k = 1 THEN p.created_at + p.fr + ${hm} % ${MIN}
                       WHEN s.k <= 7 THEN p.created_at + p.fr + (s.k - 1) * p.gap + ${hm} % (p.gap / 2 + 1)
                       WHEN s.k = 8 THEN p.created_at + 2000 + ${hm} % 18000
                       WHEN s.k = 9 THEN p.created_at + ${MIN} + ${hm} % ${4 * MIN}
                       WHEN s.k = 10 THEN p.created_at + p.fr / 3 + ${hm} % (p.fr / 6 + 1)
                       WHEN s.k = 11 THEN p.created_at + p.fr / 2 + 1000 + ${hm} % (p.fr / 4 + 1)
                       WHEN s.k = 12 THEN p.created_at + p.fr + (p.l - 2) * p.gap / 2 + ${hm} % (p.gap / 2 + 1)
                       WHEN s.k = 13 THEN p.r_at
                       ELSE p.ra_at END`;
  const applies = `(s.k = 0 OR (s.k <= 7 AND p.kind = 0 AND s.k < p.l) OR (s.k = 8 AND p.bot = 1) OR (s.k = 9 AND p.kind = 1 AND p.kb_answer = 1)
                    OR (s.k = 10 AND p.dbl = 1) OR (s.k = 11 AND p.notes >= 1) OR (s.k = 12 AND p.notes >= 2) OR (s.k >= 13 AND p.reopen = 1))`;
  const role = `CASE WHEN s.k IN (8, 9) THEN 'bot' WHEN s.k IN (11, 12, 14) OR (s.k <= 7 AND s.k % 2 = 1) THEN 'agent' ELSE 'requester' END`;
  const colleague = `(p.agent + 1 + (${hm} / 70) % 19) % 20`;
  const userId = `CASE WHEN s.k IN (8, 9) THEN NULL
                       WHEN s.k IN (11, 12) THEN 'UAGENT' || (10 + ${colleague})
                       WHEN s.k = 14 OR (s.k <= 7 AND s.k % 2 = 1) THEN 'UAGENT' || (10 + CASE WHEN (${hm} / 7) % 10 = 0 THEN ${colleague} ELSE p.agent END)
                       ELSE 'UREQ' || (10000 + p.req) END`;
  await step(
    'messages (plan)',
    `CREATE TEMP TABLE bench_msg AS
     SELECT ROW_NUMBER() OVER (ORDER BY x.sent_at, x.orig_ticket_id, x.slot) AS id, x.*
     FROM (
       SELECT p.id AS orig_ticket_id, CASE WHEN p.kind = 2 THEN p.survivor ELSE p.id END AS ticket_id, s.k AS slot,
              ${role} AS role, CASE WHEN s.k IN (11, 12) THEN 'internal' ELSE 'public' END AS visibility,
              ${userId} AS user_id, ${sentAt} AS sent_at, ${hm} % 1000000 AS hm
       FROM bench_plan p JOIN bench_slots s ON ${applies}
     ) x
     WHERE x.sent_at < ${now}`,
  );
  await db.raw(`ANALYZE bench_msg`);

  // Per ticket (before merges move messages): opening message, first agent reply, last requester message, last
  // public human message (its role in the low bit) and last message of any kind.
  await step(
    'messages (per ticket)',
    `CREATE TEMP TABLE bench_agg AS
     SELECT orig_ticket_id AS id,
            MIN(CASE WHEN slot = 0 THEN id END) AS open_msg_id,
            MIN(CASE WHEN slot = 0 THEN sent_at END) AS open_at,
            MIN(CASE WHEN role = 'agent' AND visibility = 'public' THEN sent_at END) AS first_agent_at,
            MAX(CASE WHEN role = 'requester' THEN sent_at END) AS last_req_at,
            MAX(CASE WHEN role IN ('agent', 'requester') AND visibility = 'public' AND slot <> 14 THEN sent_at * 2 + CASE WHEN role = 'agent' THEN 1 ELSE 0 END END) AS last_human,
            MAX(sent_at) AS last_msg_at
     FROM bench_msg GROUP BY orig_ticket_id`,
  );
  await db.raw(`ANALYZE bench_agg`);

  // 6. Tickets: status as of `now` follows from the plan and the messages sent before `now`.
  const solvedAt = `CASE WHEN p.kind = 2 THEN NULL
                         WHEN p.reopen = 1 AND p.fs < ${now} THEN p.fs
                         WHEN p.s1 < ${now} AND (p.reopen = 0 OR p.r_at >= ${now}) THEN p.s1 END`;
  const status = `CASE WHEN p.kind = 2 THEN 'closed'
                       WHEN (${solvedAt}) IS NOT NULL THEN 'solved'
                       WHEN p.assign_at IS NULL OR p.assign_at >= ${now} THEN 'new'
                       WHEN p.reopen = 1 AND p.r_at < ${now} THEN 'open'
                       WHEN p.pend = 1 AND a.last_human % 2 = 1 THEN 'pending'
                       ELSE 'open' END`;
  const originTs = `(a.open_at / 1000) || '.' || substr(CAST(1000000 + a.open_msg_id % 1000000 AS TEXT), 2)`;
  const channel = (col: string) => pick(col, HISTORY.channels.map((c) => c.id));
  const triage = (col: string) => pick(col, HISTORY.channels.map((c) => c.triage));
  const mergeAt = `p.created_at + p.merge_delay`;
  await step(
    'tickets',
    `INSERT INTO tickets (id, team_id, number, subject, status, priority, requester_id, requester_team_id, origin_channel_id, origin_ts,
                          triage_channel_id, origin_permalink, card_ts, assignee_id, source, created_at, updated_at, solved_at,
                          last_requester_message_at, merged_into_id)
     SELECT p.id, '${HISTORY.teamId}', p.id, ${pick('p.h_subj % 10', HISTORY.subjects)},
            ${status}, ${pick('p.prio', ['low', 'normal', 'high', 'urgent'])}, 'UREQ' || (10000 + p.req),
            CASE WHEN p.ext = 1 THEN 'T0PARTNER' ELSE '${HISTORY.teamId}' END,
            ${channel('p.chan')}, ${originTs}, ${triage('p.chan')},
            'https://bench.slack.com/archives/' || ${channel('p.chan')} || '/p' || (a.open_at / 1000) || substr(CAST(1000000 + a.open_msg_id % 1000000 AS TEXT), 2),
            (p.created_at / 1000 + 2) || '.' || substr(CAST(1000000 + p.id % 1000000 AS TEXT), 2),
            CASE WHEN p.assign_at < ${now} THEN 'UAGENT' || (10 + p.agent) END,
            ${pick('p.src', ['message', 'reaction', 'shortcut', 'dm'])},
            p.created_at,
            ${greatest(dialect, ['a.last_msg_at', solvedAt, `CASE WHEN p.assign_at < ${now} THEN p.assign_at END`, `CASE WHEN p.kind = 2 THEN ${mergeAt} END`])},
            ${solvedAt},
            COALESCE(a.last_req_at, p.created_at),
            CASE WHEN p.kind = 2 THEN p.survivor END
     FROM bench_plan p JOIN bench_agg a ON a.id = p.id
     ORDER BY p.id`,
  );

  await step(
    'messages',
    `INSERT INTO messages (id, ticket_id, channel_id, ts, thread_ts, user_id, author_role, visibility, text, files_json, mirror_ts, sent_at, edited_at, deleted_at)
     SELECT m.id, m.ticket_id, ${channel('p.chan')},
            (m.sent_at / 1000) || '.' || substr(CAST(1000000 + m.id % 1000000 AS TEXT), 2),
            CASE WHEN m.slot = 0 THEN NULL ELSE (a.open_at / 1000) || '.' || substr(CAST(1000000 + a.open_msg_id % 1000000 AS TEXT), 2) END,
            m.user_id, m.role, m.visibility,
            CASE WHEN m.role = 'bot' THEN ${pick('m.hm % 3', [
              'Thanks, we got your request and an agent will be with you shortly. Meanwhile you can check the status page.',
              'Hi! This might help: https://help.example.com/articles/vpn-error-809 (reply here if it does not).',
              'Your ticket is in the queue. Typical first reply time this week: under 2 hours.',
            ])}
                 WHEN m.visibility = 'internal' THEN ${pick('m.hm % 3', [
              'Looked at the logs: the sync job failed twice overnight for this account. Escalating to the platform team.',
              'Same issue as last week, see the other ticket. Waiting on finance to confirm the refund.',
              'Customer is on the enterprise plan, please prioritise.',
            ])}
                 WHEN m.role = 'agent' THEN ${pick('m.hm % 4', [
              'Hi, thanks for reaching out! Could you send a screenshot of the error and the time it happened? That helps us find it in the logs.',
              'I have reset the account on our side. Can you try again and let me know whether it works now?',
              'Thanks for your patience. The fix is deployed; you should see the corrected invoice in your portal within the hour.',
              'Good news: the replacement is on its way, tracking number in your email. Anything else I can help with?',
            ])}
                 ELSE ${pick('m.hm % 4', [
              'Since this morning I get the same error again and again; I restarted twice, no luck. Can someone have a look?',
              'Hi team, following up on this: it still happens and it blocks my work with the customer. Any news?',
              'Attaching what I see on screen. It worked fine last week, nothing changed on my side as far as I know.',
              'Thanks, that worked!',
            ])} END,
            NULL,
            CASE WHEN m.role = 'requester' AND m.slot > 0 THEN (m.sent_at / 1000 + 1) || '.' || substr(CAST(1000000 + m.id % 1000000 AS TEXT), 2) END,
            m.sent_at,
            CASE WHEN (m.hm / 1000) % 100 = 7 THEN m.sent_at + 30000 END,
            CASE WHEN m.role <> 'bot' AND (m.hm / 1000) % 1000 = 3 AND m.sent_at + 120000 < ${now} THEN m.sent_at + 120000 END
     FROM bench_msg m JOIN bench_plan p ON p.id = m.orig_ticket_id JOIN bench_agg a ON a.id = m.orig_ticket_id
     ORDER BY m.id`,
  );

  // 7. Events, in time order: one per message, plus lifecycle events consistent with the messages.
  const agentOf = (col = 'p.agent') => `'UAGENT' || (10 + ${col})`;
  const nullText = 'CAST(NULL AS TEXT)';
  const nullInt = 'CAST(NULL AS BIGINT)';
  const tag = (index: string) => pick(index, HISTORY.tags);
  const hasTag = `p.h_tag % 100 < 35`;
  const tag1 = `CASE WHEN (p.h_tag / 10000) % 12 < (p.h_tag / 120000) % 12 THEN (p.h_tag / 10000) % 12 ELSE (p.h_tag / 120000) % 12 END`;
  const hasTag2 = `${hasTag} AND (p.h_tag / 100) % 100 < 10`;
  const tag2 = `(${tag1} + 1 + (p.h_tag / 1440000) % 11) % 12`;
  const solveFrom = `CASE WHEN p.kind = 1 AND p.assign_at IS NULL THEN 'new' WHEN p.pend = 1 AND p.l % 2 = 0 THEN 'pending' ELSE 'open' END`;
  const solveActor = `CASE WHEN p.assign_at IS NULL THEN ${nullText} ELSE ${agentOf()} END`;
  await step(
    'ticket_events',
    `INSERT INTO ticket_events (ticket_id, team_id, kind, actor_id, from_value, to_value, message_id, at)
     SELECT ticket_id, '${HISTORY.teamId}', kind, actor_id, from_value, to_value, message_id, at FROM (
       SELECT m.orig_ticket_id AS ticket_id,
              CASE WHEN m.role = 'bot' THEN 'auto_reply' WHEN m.visibility = 'internal' THEN 'note' WHEN m.role = 'agent' THEN 'public_reply' ELSE 'requester_message' END AS kind,
              m.user_id AS actor_id, ${nullText} AS from_value, ${nullText} AS to_value, m.id AS message_id, m.sent_at AS at, 1 AS ord
       FROM bench_msg m
       UNION ALL
       SELECT m.orig_ticket_id, 'created', m.user_id, ${nullText}, 'new', m.id, m.sent_at, 0 FROM bench_msg m WHERE m.slot = 0
       UNION ALL
       SELECT m.orig_ticket_id, 'status_changed', m.user_id, 'open', 'pending', ${nullInt}, m.sent_at, 2
       FROM bench_msg m JOIN bench_plan p ON p.id = m.orig_ticket_id WHERE p.pend = 1 AND m.slot <= 7 AND m.slot % 2 = 1
       UNION ALL
       SELECT m.orig_ticket_id, 'status_changed', m.user_id, 'pending', 'open', m.id, m.sent_at, 2
       FROM bench_msg m JOIN bench_plan p ON p.id = m.orig_ticket_id WHERE p.pend = 1 AND m.slot BETWEEN 2 AND 7 AND m.slot % 2 = 0
       UNION ALL
       SELECT m.orig_ticket_id, 'status_changed', m.user_id, 'solved', 'open', m.id, m.sent_at, 2 FROM bench_msg m WHERE m.slot = 13
       UNION ALL
       SELECT p.id, 'assigned', ${agentOf()}, ${nullText}, ${agentOf()}, ${nullInt}, p.assign_at, 0 FROM bench_plan p WHERE p.assign_at < ${now}
       UNION ALL
       SELECT p.id, 'status_changed', ${agentOf()}, 'new', 'open', ${nullInt}, p.assign_at, 1 FROM bench_plan p WHERE p.assign_at < ${now}
       UNION ALL
       SELECT p.id, 'status_changed', ${solveActor}, ${solveFrom}, 'solved', ${nullInt}, p.s1, 3 FROM bench_plan p WHERE p.s1 < ${now}
       UNION ALL
       SELECT p.id, 'status_changed', ${solveActor}, 'open', 'solved', ${nullInt}, p.fs, 3 FROM bench_plan p WHERE p.reopen = 1 AND p.fs < ${now}
       UNION ALL
       SELECT p.id, 'merged', ${agentOf()}, CAST(p.id AS TEXT), CAST(p.survivor AS TEXT), ${nullInt}, ${mergeAt}, 0 FROM bench_plan p WHERE p.kind = 2
       UNION ALL
       SELECT p.id, 'status_changed', ${agentOf()}, 'new', 'closed', ${nullInt}, ${mergeAt}, 1 FROM bench_plan p WHERE p.kind = 2
       UNION ALL
       SELECT p.survivor, 'merged', ${agentOf()}, CAST(p.id AS TEXT), CAST(p.survivor AS TEXT), ${nullInt}, ${mergeAt}, 2 FROM bench_plan p WHERE p.kind = 2
       UNION ALL
       SELECT p.id, 'tagged', ${nullText}, ${nullText}, ${tag(tag1)}, ${nullInt}, p.created_at + 1000, 0 FROM bench_plan p WHERE ${hasTag}
       UNION ALL
       SELECT p.id, 'tagged', ${nullText}, ${nullText}, ${tag(tag2)}, ${nullInt}, p.created_at + 2000, 0 FROM bench_plan p WHERE ${hasTag2}
     ) e
     ORDER BY at, ord, ticket_id`,
  );

  await step(
    'ticket_tags',
    `INSERT INTO ticket_tags (ticket_id, tag)
     SELECT p.id, ${tag(tag1)} FROM bench_plan p WHERE ${hasTag}
     UNION ALL
     SELECT p.id, ${tag(tag2)} FROM bench_plan p WHERE ${hasTag2}`,
  );

  // 8. Satisfaction surveys: about half the solved tickets get one after their (last) solve; 55 % answer.
  const sentAtSurvey = `(${solvedAt}) + ${MIN}`;
  const ratedAt = `(${solvedAt}) + ${MIN} + ${5 * MIN} + (p.h_rating / 10000) % ${2 * DAY}`;
  await step(
    'csat_surveys',
    `INSERT INTO csat_surveys (ticket_id, channel_id, message_ts, sent_at, rating, rated_at, comment, agent_id)
     SELECT p.id, ${channel('p.chan')}, ((${sentAtSurvey}) / 1000) || '.000100',
            ${sentAtSurvey},
            CASE WHEN (p.h_misc2 / 1000000) % 100 < 55 AND ${ratedAt} < ${now} THEN
              CASE WHEN p.h_rating % 100 < 10 THEN 1 WHEN p.h_rating % 100 < 15 THEN 2 WHEN p.h_rating % 100 < 25 THEN 3 WHEN p.h_rating % 100 < 45 THEN 4 ELSE 5 END END,
            CASE WHEN (p.h_misc2 / 1000000) % 100 < 55 AND ${ratedAt} < ${now} THEN ${ratedAt} END,
            CASE WHEN (p.h_misc2 / 1000000) % 100 < 55 AND ${ratedAt} < ${now} AND p.h_rating % 100 < 5 THEN 'Took far too long.' END,
            CASE WHEN p.assign_at < ${now} THEN ${agentOf()} END
     FROM bench_plan p
     WHERE (p.h_misc2 / 10000) % 100 < 50 AND (${solvedAt}) IS NOT NULL AND ${sentAtSurvey} < ${now}`,
  );

  // 9. Settings: workspace, intake channels, SLA policies.
  await db('workspace_settings').insert({ team_id: HISTORY.teamId, default_triage_channel_id: HISTORY.channels[0].triage, next_ticket_number: N + 1, time_zone: 'UTC' });
  await db('channel_settings').insert(
    HISTORY.channels.map((c) => ({ channel_id: c.id, team_id: HISTORY.teamId, triage_channel_id: c.triage, created_at: start - 30 * DAY, ack_template: c.bot ? 'ack' : null })),
  );
  await db('sla_policies').insert(HISTORY.slaPolicies.map((p) => ({ ...p })));
  if (dialect === 'postgres') {
    for (const table of ['tickets', 'messages', 'ticket_events']) await db.raw(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
  }

  for (const table of ['bench_agg', 'bench_msg', 'bench_plan', 'bench_slots']) await db.raw(`DROP TABLE ${table}`);

  // 10. Each ticket's kept figures, as the bot keeps them while it writes history (src/store/ticket-metrics.ts).
  const metricsStarted = performance.now();
  await refreshTicketMetrics(db, 'all');
  steps.push({ step: 'ticket metrics', seconds: (performance.now() - metricsStarted) / 1000 });
  log(`  ticket metrics: ${steps.at(-1)!.seconds.toFixed(1)} s`);

  const count = async (sql: string) => {
    const result = await db.raw(sql);
    const list = Array.isArray(result) ? result : result.rows;
    return Number(list[0].n);
  };
  const figures: HistoryFigures = {
    tickets: await count('SELECT COUNT(*) AS n FROM tickets'),
    messages: await count('SELECT COUNT(*) AS n FROM messages'),
    events: await count('SELECT COUNT(*) AS n FROM ticket_events'),
    tags: await count('SELECT COUNT(*) AS n FROM ticket_tags'),
    surveys: await count('SELECT COUNT(*) AS n FROM csat_surveys'),
    openBacklog: await count(`SELECT COUNT(*) AS n FROM tickets WHERE status NOT IN ('solved', 'closed')`),
    seconds: (performance.now() - began) / 1000,
    steps,
  };
  return figures;
}

/** Marks the database as a complete history of `spec` (written last, so an interrupted generation is never reused). */
export async function writeHistoryMeta(db: Knex, spec: HistorySpec, seconds: number): Promise<void> {
  await db.schema.createTable('bench_meta', (t) => {
    t.string('key').primary();
    t.text('value').notNullable();
  });
  await db('bench_meta').insert(
    Object.entries({ version: META_VERSION, tickets: spec.tickets, today: spec.today, now: spec.now, seconds: seconds.toFixed(1) }).map(([key, value]) => ({ key, value: String(value) })),
  );
}
