/**
 * Loader for the "Customer Support on Twitter" sample (ThoughtVector, Kaggle, CC BY-NC-SA 4.0) kept OUTSIDE
 * the repository in ../shared/datasets/twcs-head5000 (see its README.md). Test use only: nothing of the data
 * may be copied into the repository; it is read from that path at test time.
 *
 * It rebuilds the customer-started conversations and computes the SPEC figures straight from the tweets,
 * independently of the bot and of the metrics engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export const TWCS_CSV = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/datasets/twcs-head5000/twcs.csv');

export interface Tweet {
  id: number;
  /** Company handle (outbound) or anonymised customer id (inbound). */
  author: string;
  /** True when sent to a company (a customer's tweet); the file's only direction signal. */
  inbound: boolean;
  /** Epoch ms (the file has whole seconds). */
  at: number;
  text: string;
  parentId: number | null;
}

export interface Conversation {
  root: Tweet;
  /** Every tweet of the tree, root first, then in (time, tweet id) order: the replay order. */
  tweets: Tweet[];
}

export interface Reconstruction {
  tweets: Tweet[];
  conversations: Conversation[];
  /** Trees whose root is a company tweet with no parent. */
  companyStarted: number;
  /** Trees whose root answers a tweet missing from the file (the conversation started before the sample). */
  orphaned: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue Oct 31 22:10:47 +0000 2017` (always +0000 in this file) as epoch ms. */
export function parseTwitterTime(value: string): number {
  const m = /^\w{3} (\w{3}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) \+0000 (\d{4})$/.exec(value);
  const month = m ? MONTHS.indexOf(m[1]!) : -1;
  if (!m || month < 0) throw new Error(`twcs: unexpected created_at "${value}"`);
  return Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

export function loadTweets(file = TWCS_CSV): Tweet[] {
  // Quirk 3: tweet 3399 has bare CRs in an unquoted field; records end in LF, so drop every CR first.
  const text = fs.readFileSync(file, 'utf8').replace(/\r/g, '');
  const rows = parse(text, { columns: true, skip_empty_lines: false, relax_column_count: false }) as Record<string, string>[];
  return rows.map((r) => {
    // Quirk 2: the parent id is written as a float ("3.0").
    const parent = r.in_response_to_tweet_id!.trim();
    return {
      id: Number(r.tweet_id),
      author: r.author_id!,
      inbound: r.inbound === 'True',
      at: parseTwitterTime(r.created_at!),
      text: r.text!,
      parentId: parent === '' ? null : Number(parent.replace(/\.0$/, '')),
    };
  });
}

const byTimeThenId = (a: Tweet, b: Tweet) => a.at - b.at || a.id - b.id;

/** Trees built from in_response_to_tweet_id only (quirk 4); the customer-started ones become conversations. */
export function reconstruct(tweets: Tweet[]): Reconstruction {
  const byId = new Map(tweets.map((t) => [t.id, t]));
  if (byId.size !== tweets.length) throw new Error('twcs: duplicate tweet ids');
  const children = new Map<number, Tweet[]>();
  const roots: Tweet[] = [];
  for (const t of tweets) {
    if (t.parentId !== null && byId.has(t.parentId)) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t]);
    else roots.push(t); // quirk 5: a tweet whose parent is not in the file is a root
  }
  const conversations: Conversation[] = [];
  let companyStarted = 0;
  let orphaned = 0;
  for (const root of roots) {
    if (root.parentId !== null) {
      orphaned += 1;
      continue;
    }
    if (!root.inbound) {
      companyStarted += 1;
      continue;
    }
    const members: Tweet[] = [];
    const stack = [root];
    while (stack.length > 0) {
      const t = stack.pop()!;
      members.push(t);
      stack.push(...(children.get(t.id) ?? []));
    }
    const rest = members.filter((t) => t !== root).sort(byTimeThenId);
    if (rest.some((t) => t.at < root.at)) throw new Error(`twcs: conversation ${root.id} has a tweet older than its root`);
    conversations.push({ root, tweets: [root, ...rest] });
  }
  return { tweets, conversations, companyStarted, orphaned };
}

/**
 * A Slack ts for every replayed tweet: its real second, plus a microsecond counter that keeps ts unique in the
 * one intake channel (several tweets share a second). The counter stays far below 500 µs, so the bot's
 * millisecond time is the tweet's own second; within a conversation it grows in replay order.
 */
export function slackTimestamps(conversations: Conversation[]): Map<number, string> {
  const all = conversations.flatMap((c) => c.tweets.map((t, position) => ({ t, position })));
  all.sort((a, b) => a.t.at - b.t.at || a.position - b.position || a.t.id - b.t.id);
  const used = new Map<number, number>();
  const result = new Map<number, string>();
  for (const { t } of all) {
    const seconds = t.at / 1000;
    const counter = used.get(seconds) ?? 0;
    if (counter >= 500) throw new Error(`twcs: more than 500 tweets at second ${seconds}`);
    used.set(seconds, counter + 1);
    result.set(t.id, `${seconds}.${String(counter).padStart(6, '0')}`);
  }
  return result;
}

export interface Distribution {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
}

/** Mean, median (mean of the middle two for an even count) and p90 by nearest rank: the ⌈0.9·n⌉-th smallest. */
export function distribution(values: number[]): Distribution {
  const n = values.length;
  if (n === 0) return { count: 0, mean: null, median: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { count: n, mean: sorted.reduce((s, v) => s + v, 0) / n, median, p90: sorted[Math.ceil((9 * n) / 10) - 1]! };
}

export interface ExpectedFigures {
  created: number;
  solved: number;
  firstReply: Distribution & { unanswered: number };
  replies: { total: number; perSolvedTicket: Distribution };
  oneTouch: { count: number; rate: number | null };
}

/**
 * SPEC figures for the conversations created in [from, to), every one of them solved after its last tweet:
 * first reply time = first company tweet − the customer's first tweet (the root; a run of customer tweets is
 * one wait, so later customer tweets do not move it); replies = company tweets; one-touch = exactly one.
 */
export function expectedFigures(conversations: Conversation[], from: number, to: number): ExpectedFigures {
  const cohort = conversations.filter((c) => c.root.at >= from && c.root.at < to);
  const firstReplies: number[] = [];
  const replyCounts: number[] = [];
  for (const c of cohort) {
    const company = c.tweets.filter((t) => !t.inbound);
    replyCounts.push(company.length);
    if (company.length > 0) firstReplies.push(Math.min(...company.map((t) => t.at)) - c.root.at);
  }
  const oneTouch = replyCounts.filter((n) => n === 1).length;
  return {
    created: cohort.length,
    solved: cohort.length,
    firstReply: { ...distribution(firstReplies), unanswered: cohort.length - firstReplies.length },
    replies: { total: replyCounts.reduce((s, n) => s + n, 0), perSolvedTicket: distribution(replyCounts) },
    oneTouch: { count: oneTouch, rate: cohort.length > 0 ? oneTouch / cohort.length : null },
  };
}
