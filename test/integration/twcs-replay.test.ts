/**
 * Replays real customer-support conversations from Twitter (the first 5,000 tweets of Kaggle's "Customer Support
 * on Twitter" by ThoughtVector, CC BY-NC-SA 4.0, test use only) through the bot as Slack messages, then checks
 * the metrics engine's figures for the tickets created on 2017-10-31 (UTC) against the same figures computed here
 * from the CSV by the SPEC definitions. The data stays in ../shared/datasets/twcs-head5000 and is read at test
 * time; without it the test is skipped.
 *
 * Reconstruction decisions (see the dataset README's quirks, and test/support/twcs.ts):
 * - Trees come from in_response_to_tweet_id only (response_tweet_id names many tweets missing from the file).
 * - A conversation is a tree whose root is an inbound tweet with no in_response_to_tweet_id: one ticket, created
 *   by the root (a top-level message in the intake channel); every other tweet of the tree is posted in the
 *   origin thread, root first, then in (created_at, tweet_id) order.
 * - Trees started by a company tweet are not tickets: left out.
 * - A tweet whose parent is not in the file starts a tree of its own, but its conversation began before the
 *   sample, so its real creation time (and first reply) is unknown: such trees are left out, whatever the root's
 *   direction (3 inbound ones among them, two of them on 2017-10-31).
 * - inbound is the only direction signal: every inbound tweet is a requester-side message from a Slack user per
 *   customer id, including other customers joining a conversation and anonymised secondary company accounts
 *   (they never count as agent replies); every outbound tweet is a public reply typed in the origin thread by the
 *   Slack agent of its company handle (one agent per handle, a member of the triage channel of each intake
 *   channel it answers in, which makes it an agent there).
 * - The conversations are dealt over 16 intake channels (#help and 15 more, each with a triage channel of its
 *   own; see LANES), each with the pleasantry filter and burst grouping switched off by an admin's /helpdesk
 *   command, so every tweet is stored and every customer-started tree opens its own ticket.
 * - Each ticket is solved by `/ticket N close` (an agent) once its last tweet is stored.
 * - Each tweet's Slack ts is its real second plus a per-second microsecond counter (unique in the channel, below
 *   a millisecond, so the bot's times are the tweets' own seconds).
 * - Expected figures, per SPEC: first reply time = first company tweet − the customer's first tweet (the root; a
 *   run of customer tweets is one wait); replies = company tweets per ticket; every ticket is solved after its
 *   last tweet, so per-solved-ticket figures are over the whole cohort; one-touch = exactly one company tweet.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeReport, type Report } from '../../src/reports/compute-report.js';
import { createChannelStore } from '../../src/store/channel-store.js';
import { createServiceLevelStore } from '../../src/store/service-level-store.js';
import { useHarness, W, type Harness } from '../support/harness.js';
import { expectedFigures, loadTweets, reconstruct, slackTimestamps, TWCS_CSV, type Conversation, type ExpectedFigures } from '../support/twcs.js';

const present = fs.existsSync(TWCS_CSV);
if (!present) console.warn(`twcs-replay: ${TWCS_CSV} is absent, so the replay of real Twitter support conversations is skipped.`);

const FROM = Date.UTC(2017, 9, 31);
const TO = Date.UTC(2017, 10, 1);
/** Conversations replayed at once (each one in order). */
const CONCURRENCY = 16;
/**
 * Intake/triage channel pairs the conversations are dealt over (#help → #triage is the first). The emulator scans
 * a channel's whole message list for every message lookup and thread summary (each chat.postMessage/chat.update
 * answer, each event), so one pair holding all ~4,850 messages plus the bot's cards and mirrors makes the replay
 * quadratic: on SQLite about 130 s with 1 pair, 90 s with 4, 75 s with 16 (on a busy 2-core machine).
 */
const LANES = 16;

interface Lane {
  intake: string;
  triage: string;
}

interface Cast {
  agents: Map<string, string>;
  customers: Map<string, string>;
}

async function helpdesk(h: Harness, user: string, text: string): Promise<string> {
  await h.driver.slashCommand(user, W.general, '/helpdesk', text);
  await h.settle();
  return h.emu.ephemerals({ user }).at(-1)?.text ?? '';
}

/** The intake channels (each with its triage channel), pleasantry filter and burst grouping off. */
async function openLanes(h: Harness): Promise<Lane[]> {
  const lanes: Lane[] = [{ intake: W.help, triage: W.triage }];
  for (let i = 2; i <= LANES; i++) {
    const lane = { intake: `CTWHELP${i}`, triage: `CTWTRI${i}` };
    h.emu.addChannel({ id: lane.intake, name: `help-${i}`, members: [W.alice, h.emu.botUserId] });
    h.emu.addChannel({ id: lane.triage, name: `triage-${i}`, members: [W.alice, h.emu.botUserId] });
    expect(await helpdesk(h, W.ada, `connect <#${lane.intake}|help-${i}> <#${lane.triage}|triage-${i}>`)).toContain('is an intake channel');
    lanes.push(lane);
  }
  const channels = createChannelStore(h.testDb.db);
  for (const lane of lanes) {
    const name = `<#${lane.intake}|${h.emu.channel(lane.intake)!.name}>`;
    await helpdesk(h, W.ada, `channel ${name} pleasantries off`);
    await helpdesk(h, W.ada, `channel ${name} burst 0`);
    expect(await channels.intake(lane.intake)).toMatchObject({ triageChannelId: lane.triage, pleasantryFilter: false, burstWindowSeconds: 0 });
  }
  return lanes;
}

/**
 * One Slack agent per company handle, one requester per customer id, each a member of the intake channels of
 * their conversations; agents also of those channels' triage channels (which makes them agents there).
 */
function castUsers(h: Harness, conversations: Conversation[], laneOf: Map<Conversation, Lane>): Cast {
  const cast: Cast = { agents: new Map(), customers: new Map() };
  for (const c of conversations) {
    const lane = laneOf.get(c)!;
    for (const t of c.tweets) {
      const people = t.inbound ? cast.customers : cast.agents;
      let id = people.get(t.author);
      if (!id) {
        id = `${t.inbound ? 'UTWC' : 'UTWA'}${String(people.size + 1).padStart(5, '0')}`;
        people.set(t.author, id);
        h.emu.addUser({ id, name: t.author.toLowerCase(), realName: t.inbound ? `Customer ${t.author}` : t.author });
      }
      h.emu.joinChannel(lane.intake, id);
      if (!t.inbound) h.emu.joinChannel(lane.triage, id);
    }
  }
  // Agents are the triage channels' members: make sure no lookup made before they joined is still cached.
  for (const lane of new Set(laneOf.values())) h.bot.context.directory.forgetChannel(lane.triage);
  return cast;
}

type StoredWait = (channel: string, ts: string, tweetId: number) => Promise<void>;

/**
 * Waits until the bot has stored a message (Bolt acks an event before processing it). The bot logs each message
 * it has stored with its channel and ts, which ends the wait at once; without that line (say it gets reworded)
 * the database is asked every 100 ms, so the replay only gets slower.
 */
function watchStored(h: Harness): StoredWait {
  const logged = new Set<string>();
  const wake = new Map<string, () => void>();
  const push = h.logLines.push.bind(h.logLines);
  h.logLines.push = (...lines: string[]) => {
    for (const line of lines) {
      const found = /"channel":"(\w+)".*"ts":"([\d.]+)".*"msg":"ticket updated from message"/.exec(line);
      if (!found) continue;
      const key = `${found[1]}/${found[2]}`;
      logged.add(key);
      wake.get(key)?.();
    }
    return push(...lines);
  };
  return async (channel, ts, tweetId) => {
    const key = `${channel}/${ts}`;
    const deadline = Date.now() + 10_000;
    while (!logged.has(key)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        wake.set(key, () => (clearTimeout(timer), resolve()));
      });
      wake.delete(key);
      if (logged.has(key) || (await h.tickets.messageByTs(channel, ts))) return;
      if (Date.now() > deadline) throw new Error(`tweet ${tweetId} (ts ${ts}) was never stored: ${h.logLines.slice(-3).join('')}`);
    }
  };
}

/** Posts a conversation's tweets in order, each after the previous one is stored, then closes its ticket. */
async function replayConversation(h: Harness, c: Conversation, channel: string, tsOf: Map<number, string>, cast: Cast, stored: StoredWait): Promise<void> {
  const rootTs = tsOf.get(c.root.id)!;
  for (const t of c.tweets) {
    const user = t.inbound ? cast.customers.get(t.author)! : cast.agents.get(t.author)!;
    const ts = tsOf.get(t.id)!;
    const text = t.text.trim() === '' ? '(empty tweet)' : t.text;
    const sent = await h.driver.userSays(user, channel, text, t === c.root ? { ts } : { ts, thread_ts: rootTs });
    if (!sent.delivered || sent.status !== 200) throw new Error(`tweet ${t.id}: delivery status ${sent.status}`);
    await stored(channel, ts, t.id);
  }
  const ticket = await h.tickets.byOrigin(channel, rootTs);
  if (!ticket) throw new Error(`no ticket for conversation ${c.root.id}`);
  const closed = await h.driver.slashCommand(W.alice, W.general, '/ticket', `${ticket.number} close`);
  if (closed.status !== 200) throw new Error(`/ticket ${ticket.number} close: status ${closed.status}`);
}

/**
 * PostgreSQL only: brings the planner's statistics up to date, as autovacuum would on a live database. A fresh
 * test schema has none, and then the Home tab's "solved today" count (refreshed after every agent action, here
 * each close) runs as a nested loop over all solved events × all tickets: seconds per close late in the replay.
 */
async function refreshPlannerStatistics(h: Harness): Promise<void> {
  if (h.testDb.schema) await h.testDb.db.raw('ANALYZE tickets, ticket_events, messages');
}

async function inPool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** What the bot stored per ticket: messages and agent replies, to tell a replay/ingest fault from a report one. */
async function storedCounts(h: Harness): Promise<Map<string, { number: number; messages: number; agent: number; status: string }>> {
  const rows = await h.testDb.db('tickets as t')
    .join('messages as m', 'm.ticket_id', 't.id')
    .groupBy('t.id', 't.number', 't.origin_channel_id', 't.origin_ts', 't.status')
    .select('t.number', 't.origin_channel_id', 't.origin_ts', 't.status')
    .count({ messages: 'm.id' })
    .select(h.testDb.db.raw(`SUM(CASE WHEN m.author_role = 'agent' AND m.visibility = 'public' THEN 1 ELSE 0 END) AS agent`));
  return new Map(rows.map((r: Record<string, unknown>) => [`${String(r.origin_channel_id)}/${String(r.origin_ts)}`, { number: Number(r.number), messages: Number(r.messages), agent: Number(r.agent), status: String(r.status) }]));
}

const minutes = (ms: number | null) => (ms === null ? 'n/a' : (ms / 60_000).toFixed(2));

function describeFigures(label: string, f: Pick<Report, 'created' | 'solved' | 'firstReply' | 'replies' | 'oneTouch'> | ExpectedFigures): string {
  return `${label}: created ${f.created}, solved ${f.solved}; first reply (min) median ${minutes(f.firstReply.median)}, mean ${minutes(f.firstReply.mean)}, p90 ${minutes(f.firstReply.p90)} over ${f.firstReply.count} answered, ${f.firstReply.unanswered} unanswered; replies ${f.replies.total}, per solved ticket mean ${f.replies.perSolvedTicket.mean?.toFixed(4)}, median ${f.replies.perSolvedTicket.median}, p90 ${f.replies.perSolvedTicket.p90}; one-touch ${f.oneTouch.count} (${f.oneTouch.rate === null ? 'n/a' : (f.oneTouch.rate * 100).toFixed(2)}%)`;
}

describe.skipIf(!present)('replay of real Twitter support conversations (twcs-head5000)', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('gives the SPEC first reply, replies per ticket and one-touch figures for the tickets of 2017-10-31', async () => {
    const started = Date.now();
    const { tweets, conversations, companyStarted, orphaned } = reconstruct(loadTweets());
    const tsOf = slackTimestamps(conversations);
    const messages = conversations.reduce((n, c) => n + c.tweets.length, 0);
    const lanes = await openLanes(h);
    // Longest conversations first, so the pool does not end waiting on one long tail; lanes dealt in turn.
    const order = [...conversations].sort((a, b) => b.tweets.length - a.tweets.length || a.root.id - b.root.id);
    const laneOf = new Map(order.map((c, i) => [c, lanes[i % lanes.length]!]));
    const cast = castUsers(h, conversations, laneOf);
    const stored = watchStored(h);

    let replayed = 0;
    await inPool(order, CONCURRENCY, async (c) => {
      await replayConversation(h, c, laneOf.get(c)!.intake, tsOf, cast, stored);
      if (++replayed % 100 === 0) await refreshPlannerStatistics(h);
    });
    const postedIn = Date.now() - started;
    await h.settle();
    const replayedIn = Date.now() - started;
    console.log(
      `twcs-replay: ${tweets.length} tweets; ${conversations.length} customer-started conversations replayed as ${messages} Slack messages ` +
        `(${cast.customers.size} customers, ${cast.agents.size} company agents, ${lanes.length} intake channels); left out ${companyStarted} company-started and ${orphaned} orphaned trees; ` +
        `posted and closed in ${(postedIn / 1000).toFixed(1)} s, the bot's Slack output done at ${(replayedIn / 1000).toFixed(1)} s`,
    );

    // The replay itself: one solved ticket per conversation holding every tweet, company tweets as agent replies.
    const perTicket = await storedCounts(h);
    const faults = conversations.flatMap((c) => {
      const got = perTicket.get(`${laneOf.get(c)!.intake}/${tsOf.get(c.root.id)}`);
      const want = { messages: c.tweets.length, agent: c.tweets.filter((t) => !t.inbound).length };
      return got && got.messages === want.messages && got.agent === want.agent && got.status === 'solved'
        ? []
        : [`conversation ${c.root.id} → ticket ${got ? `#${got.number}` : 'none'}: want ${JSON.stringify(want)}, got ${JSON.stringify(got ?? null)}`];
    });
    expect(faults).toEqual([]);
    expect(perTicket.size).toBe(conversations.length);

    const expected = expectedFigures(conversations, FROM, TO);
    const db = h.testDb.db;
    const report = await computeReport({ teamId: h.emu.teamId, from: FROM, to: TO }, { db, serviceLevels: createServiceLevelStore(db), now: Date.now() });
    console.log(`twcs-replay: cohort 2017-10-31 UTC\n  ${describeFigures('expected (CSV)', expected)}\n  ${describeFigures('bot report    ', report)}`);

    expect(report.created).toBe(expected.created);
    expect(report.solved).toBe(expected.solved);
    expect({ count: report.firstReply.count, median: report.firstReply.median, p90: report.firstReply.p90, unanswered: report.firstReply.unanswered }).toEqual({
      count: expected.firstReply.count,
      median: expected.firstReply.median,
      p90: expected.firstReply.p90,
      unanswered: expected.firstReply.unanswered,
    });
    expect(report.firstReply.mean).toBeCloseTo(expected.firstReply.mean!, 3);
    expect(report.replies.total).toBe(expected.replies.total);
    expect({ count: report.replies.perSolvedTicket.count, median: report.replies.perSolvedTicket.median, p90: report.replies.perSolvedTicket.p90 }).toEqual({
      count: expected.replies.perSolvedTicket.count,
      median: expected.replies.perSolvedTicket.median,
      p90: expected.replies.perSolvedTicket.p90,
    });
    expect(report.replies.perSolvedTicket.mean).toBeCloseTo(expected.replies.perSolvedTicket.mean!, 9);
    expect(report.oneTouch.count).toBe(expected.oneTouch.count);
    expect(report.oneTouch.rate).toBeCloseTo(expected.oneTouch.rate!, 12);
    console.log(`twcs-replay: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);
});
