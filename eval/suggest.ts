/**
 * `npm run eval:suggest` — how good the suggested replies are, measured on real support conversations kept outside
 * the repository (../shared/datasets, test use only: nothing of them is copied into the repository).
 *
 * For each dataset the conversations are split by time: the earlier 80 % are the team's history (indexed as the
 * bot indexes its own), the later 20 % are the test. For each test customer message that got an agent reply: is
 * the reply the agent actually sent among the suggestions (the same answer after generalising names and numbers,
 * src/suggest/generalise.ts: the same help articles when it links any, else the same words)? Printed: top-1 and
 * top-3 accuracy of the suggestions, of two baselines (the team's most used answers; plain BM25 over past
 * conversations) and the ceiling (the share of test answers given at least once in the history: no retrieval can
 * suggest an answer it never saw). Each company of a dataset is a team with its own history.
 *
 * Learned routing: on the Twitter dataset, which company's team answers a customer's first message, from the
 * teams that answered similar first messages; against always guessing the busiest team.
 *
 * Options: --tune (choose the ranking weights on a validation split of the history, the last 20 % of it, and
 * print the grid's best; the test split is never looked at), --json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { answerKey, generaliseReply } from '../src/suggest/generalise.js';
import { RANKING, SuggestionIndex, type Ranking } from '../src/suggest/suggestion-index.js';
import { LabelIndex } from '../src/suggest/label-index.js';
import { loadTweets, reconstruct } from '../test/support/twcs.js';

const DATASETS = path.resolve(fileURLToPath(new URL('../', import.meta.url)), '../shared/datasets');
const { values } = parseArgs({ options: { tune: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });

/** One customer message that got an agent reply: what the team knew of the conversation, and what it answered. */
interface Case {
  team: string;
  at: number;
  conversation: string;
  reply: string;
}

// --- the datasets ----------------------------------------------------------------------------------------------

/** IBM's dialogs: each ends with the agent's reply linking a help article (its time is in its tweet id). */
function ibmCases(): Case[] {
  const dir = path.join(DATASETS, 'ibm-twitter-cdp');
  const dialogs = ['dev.json', 'test.json'].flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as IbmDialog[]);
  return dialogs.map((d) => ({
    team: d.dialogHeader.company,
    at: Number((BigInt(d.agentURL.tweet_ID) >> 22n) + 1288834974657n),
    conversation: d.dialogContent.map((m) => m.message).join('\n'),
    reply: generaliseReply(d.agentURL.url_utterance),
  }));
}
interface IbmDialog {
  dialogHeader: { company: string };
  dialogContent: { message: string }[];
  agentURL: { tweet_ID: string; url_utterance: string };
}

/** Kaggle's Twitter sample: every customer tweet a company answered, with the conversation up to it. */
function twitterCases(): { cases: Case[]; firstMessages: { team: string; at: number; text: string }[] } {
  const { conversations } = reconstruct(loadTweets());
  const cases: Case[] = [];
  const firstMessages: { team: string; at: number; text: string }[] = [];
  for (const c of conversations) {
    const byId = new Map(c.tweets.map((t) => [t.id, t]));
    const seen: string[] = [];
    for (const t of c.tweets) {
      if (t.inbound) seen.push(t.text);
      const parent = t.parentId === null ? undefined : byId.get(t.parentId);
      if (!t.inbound && parent?.inbound) cases.push({ team: t.author, at: t.at, conversation: seen.join('\n'), reply: generaliseReply(t.text) });
    }
    const firstAnswer = c.tweets.find((t) => !t.inbound);
    if (firstAnswer) firstMessages.push({ team: firstAnswer.author, at: c.root.at, text: c.root.text });
  }
  return { cases, firstMessages };
}

// --- measuring -------------------------------------------------------------------------------------------------

const splitByTime = <T extends { at: number }>(items: T[], share = 0.8): [T[], T[]] => {
  const sorted = [...items].sort((a, b) => a.at - b.at);
  const cut = Math.floor(sorted.length * share);
  return [sorted.slice(0, cut), sorted.slice(cut)];
};

interface Accuracy {
  top1: number;
  top3: number;
}
interface Figures {
  cases: number;
  teams: number;
  suggestions: Accuracy;
  mostUsed: Accuracy;
  bm25: Accuracy;
  ceiling: number;
}

function measure(history: Case[], test: Case[], ranking: Ranking): Figures {
  const indexes = new Map<string, SuggestionIndex>();
  for (const c of history) {
    let index = indexes.get(c.team);
    if (!index) indexes.set(c.team, (index = new SuggestionIndex(ranking)));
    index.addConversation(c.conversation, c.reply, c.at);
  }
  const hits = { suggestions: [0, 0], mostUsed: [0, 0], bm25: [0, 0] };
  let ceiling = 0;
  const empty = new SuggestionIndex(ranking);
  for (const c of test) {
    const index = indexes.get(c.team) ?? empty;
    const wanted = answerKey(c.reply);
    if (index.knows(wanted)) ceiling++;
    const count = (name: keyof typeof hits, keys: string[]) => {
      if (keys[0] === wanted) hits[name][0]! += 1;
      if (keys.slice(0, 3).includes(wanted)) hits[name][1]! += 1;
    };
    count('suggestions', index.suggest(c.conversation, 3).map((s) => s.key));
    count('mostUsed', index.mostUsed(3).map((s) => s.key));
    count('bm25', index.nearest(c.conversation, 3).map((s) => s.key));
  }
  const share = (n: number) => Math.round((1000 * n) / (test.length || 1)) / 10;
  const accuracy = ([top1, top3]: number[]) => ({ top1: share(top1!), top3: share(top3!) });
  return { cases: test.length, teams: new Set(test.map((c) => c.team)).size, suggestions: accuracy(hits.suggestions), mostUsed: accuracy(hits.mostUsed), bm25: accuracy(hits.bm25), ceiling: share(ceiling) };
}

/** The weights that do best on the last 20 % of the history, trained on the rest of it. */
function tune(history: Case[]): { ranking: Ranking; figures: Figures } {
  const [train, validation] = splitByTime(history);
  let best: { ranking: Ranking; figures: Figures } | null = null;
  for (const neighbours of [5, 10, 20, 50])
    for (const answerWeight of [0, 0.25, 0.5, 1])
      for (const useWeight of [0, 1, 2, 4])
        for (const halfLifeDays of [0, 30, 90, 365]) {
        const ranking = { ...RANKING, neighbours, answerWeight, useWeight, halfLifeDays };
        const figures = measure(train, validation, ranking);
        const better = !best || figures.suggestions.top3 + figures.suggestions.top1 / 100 > best.figures.suggestions.top3 + best.figures.suggestions.top1 / 100;
        if (better) best = { ranking, figures };
      }
  return best!;
}

/** Learned routing: the company whose team answered the most similar past first messages. */
function routing(firstMessages: { team: string; at: number; text: string }[]) {
  const [history, test] = splitByTime(firstMessages);
  const index = new LabelIndex();
  const counts = new Map<string, number>();
  for (const m of history) {
    index.add(m.text, [m.team]);
    counts.set(m.team, (counts.get(m.team) ?? 0) + 1);
  }
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  let right = 0;
  let majority = 0;
  for (const m of test) {
    if ((index.labelsFor(m.text)[0]?.label ?? busiest) === m.team) right++;
    if (busiest === m.team) majority++;
  }
  const share = (n: number) => Math.round((1000 * n) / test.length) / 10;
  return { cases: test.length, teams: counts.size, accuracy: share(right), majority: share(majority), busiest };
}

// --- the run ---------------------------------------------------------------------------------------------------

const pct = (n: number) => `${n.toFixed(1)}%`.padStart(6);
const line = (name: string, a: Accuracy) => `  ${name.padEnd(34)} top-1 ${pct(a.top1)}   top-3 ${pct(a.top3)}`;

const twitter = twitterCases();
const datasets: [string, Case[]][] = [
  ['IBM Twitter customer care (ibm-twitter-cdp)', ibmCases()],
  ['Customer Support on Twitter (twcs-head5000)', twitter.cases],
];
const results: Record<string, unknown> = {};
for (const [name, cases] of datasets) {
  const [history, test] = splitByTime(cases);
  const tuned = values.tune ? tune(history) : null;
  const figures = measure(history, test, RANKING);
  results[name] = { ...figures, ...(tuned ? { tuned: tuned.ranking, validation: tuned.figures } : {}) };
  if (values.json) continue;
  console.log(`\n${name}: ${history.length} answered messages as history, ${test.length} later ones tested, ${figures.teams} teams`);
  console.log(line('suggestions (threaddesk)', figures.suggestions));
  console.log(line('baseline: most used answers', figures.mostUsed));
  console.log(line('baseline: plain BM25', figures.bm25));
  console.log(`  ${'ceiling (answer seen in history)'.padEnd(34)} ${pct(figures.ceiling)}`);
  const beats = figures.suggestions.top1 > Math.max(figures.mostUsed.top1, figures.bm25.top1) && figures.suggestions.top3 > Math.max(figures.mostUsed.top3, figures.bm25.top3);
  console.log(`  beats both baselines: ${beats ? 'yes' : 'NO'} · top-3 is ${(figures.ceiling - figures.suggestions.top3).toFixed(1)} points under the ceiling`);
  if (tuned) console.log(`  --tune: best on validation ${JSON.stringify(tuned.ranking)} → top-1 ${tuned.figures.suggestions.top1}% top-3 ${tuned.figures.suggestions.top3}% (in use: ${JSON.stringify(RANKING)})`);
}
const route = routing(twitter.firstMessages);
results.routing = route;
if (values.json) console.log(JSON.stringify(results, null, 2));
else {
  console.log(`\nLearned routing (twcs-head5000): which company's team answers a first message; ${route.cases} tested, ${route.teams} teams`);
  console.log(`  learned from similar past tickets  ${pct(route.accuracy)}`);
  console.log(`  baseline: always the busiest team  ${pct(route.majority)} (${route.busiest})`);
}
