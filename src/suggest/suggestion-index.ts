import { Bm25Index } from './bm25.js';
import { answerKey } from './generalise.js';
import { wordsOf } from './words.js';

// Suggested replies for one team: its past conversations (what the customer wrote, which answer it got) and its
// templates, ranked for a new conversation. The ranking blends three things, measured by `npm run eval:suggest`:
// - neighbours: the past conversations most like this one (BM25 on the team's own vocabulary) vote for the
//   answers they got, weighted by how alike they are;
// - the answer itself: how well its own words (a template's name and body) match the conversation;
// - use: answers the team gives often, and suggestions agents actually sent, rank higher.

/** How the three parts weigh (chosen on a validation split of the training data, see docs/suggestions.md). */
export const RANKING = { neighbours: 10, answerWeight: 0.5, useWeight: 2, feedbackWeight: 0.3, halfLifeDays: 0 };

export type Ranking = typeof RANKING;

export interface Suggestion {
  /** The generalised answer: mustache source with snippets. */
  text: string;
  source: 'template' | 'reply';
  /** A template's name. */
  template?: string;
  key: string;
  score: number;
}

interface Answer {
  key: string;
  text: string;
  source: 'template' | 'reply';
  template?: string;
  uses: number;
  /** Uses weighted by how recent they are: each counts 2^(days since the first / half-life). */
  recent: number;
  /** A template that was deleted or rewritten and no reply ever used: no longer suggested. */
  hidden?: boolean;
  /** Its document in the answers' own index. */
  doc: number;
}

export class SuggestionIndex {
  private readonly conversations = new Bm25Index();
  /** Per conversation document: which answer it got. */
  private answerOfConversation = new Int32Array(1024);
  private readonly answersText = new Bm25Index();
  private readonly answers: Answer[] = [];
  private readonly answerByKey = new Map<string, number>();
  private readonly answerByDoc: number[] = [];
  /** How often agents sent each answer from a suggestion (by key: the answer may not be indexed yet). */
  private readonly sentByKey = new Map<string, number>();
  /** The templates as last given (setTemplates), by name. */
  private templates = new Map<string, { key: string; uses: number }>();
  private totalUses = 0;
  private totalRecent = 0;
  private firstAt: number | null = null;
  private latestAt = 0;

  constructor(private readonly ranking: Ranking = RANKING) {}

  private answerFor(key: string, text: string, source: Answer['source'], template?: string): number {
    const known = this.answerByKey.get(key);
    if (known !== undefined) {
      const answer = this.answers[known]!;
      // A template stays the answer's face; among replies the latest wording wins.
      if (answer.source === 'reply' && source === 'reply') answer.text = text;
      if (source === 'template' && (answer.source === 'reply' || answer.template !== template)) Object.assign(answer, { source, template, text });
      return known;
    }
    const doc = this.answersText.add(wordsOf(template ? `${template.replace(/[-_]/g, ' ')} ${text}` : text));
    this.answers.push({ key, text, source, ...(template ? { template } : {}), uses: 0, recent: 0, doc });
    this.answerByDoc[doc] = this.answers.length - 1;
    this.answerByKey.set(key, this.answers.length - 1);
    return this.answers.length - 1;
  }

  /** A past conversation: the customer's words and the (generalised) reply it got. */
  addConversation(customerText: string, generalisedReply: string, at = 0): void {
    const answer = this.answerFor(answerKey(generalisedReply), generalisedReply, 'reply');
    this.answers[answer]!.uses += 1;
    this.totalUses += 1;
    this.countRecent(this.answers[answer]!, 1, at);
    const doc = this.conversations.add(wordsOf(customerText));
    if (doc >= this.answerOfConversation.length) {
      const grown = new Int32Array(this.answerOfConversation.length * 2);
      grown.set(this.answerOfConversation);
      this.answerOfConversation = grown;
    }
    this.answerOfConversation[doc] = answer;
  }

  /** Recent use counts more when the ranking has a half-life (an answer of last month over one of last year). */
  private countRecent(answer: Answer, uses: number, at: number): void {
    if (!this.ranking.halfLifeDays) return;
    this.firstAt ??= at;
    this.latestAt = Math.max(this.latestAt, at);
    const weight = uses * 2 ** ((at - this.firstAt) / 86_400_000 / this.ranking.halfLifeDays);
    answer.recent += weight;
    this.totalRecent += weight;
  }

  /**
   * The team's templates now (name, mustache body, times used): new ones become answers, a rewritten or deleted
   * one stops being suggested (unless replies gave the same answer), and use counts follow.
   */
  setTemplates(templates: { name: string; body: string; uses: number }[]): void {
    const next = new Map(templates.map((t) => [t.name, { key: answerKey(t.body), uses: t.uses + 1, body: t.body }]));
    for (const [name, before] of this.templates) {
      const now = next.get(name);
      if (now && now.key === before.key) continue;
      const answer = this.answers[this.answerByKey.get(before.key)!]!;
      answer.uses -= before.uses;
      this.totalUses -= before.uses;
      if (answer.template === name) {
        delete answer.template;
        answer.source = 'reply';
        answer.hidden = answer.uses <= 0;
      }
    }
    for (const [name, now] of next) {
      const before = this.templates.get(name);
      const answer = this.answers[this.answerFor(now.key, now.body, 'template', name)]!;
      answer.hidden = false;
      const added = before && before.key === now.key ? now.uses - before.uses : now.uses;
      answer.uses += added;
      this.totalUses += added;
    }
    this.templates = new Map([...next].map(([name, t]) => [name, { key: t.key, uses: t.uses }]));
  }

  /** Agents sent this answer from a suggestion `total` times in all: it ranks higher. */
  setSent(key: string, total: number): void {
    this.sentByKey.set(key, total);
  }

  /** Up to `limit` answers for a conversation, best first; none when it shares no word with anything known. */
  suggest(customerText: string, limit = 3): Suggestion[] {
    const words = wordsOf(customerText);
    const votes = new Map<number, number>();
    const neighbours = this.conversations.search(words, this.ranking.neighbours);
    for (const hit of neighbours) {
      const answer = this.answerOfConversation[hit.doc]!;
      votes.set(answer, (votes.get(answer) ?? 0) + hit.score);
    }
    const matches = new Map<number, number>();
    for (const hit of this.answersText.search(words, 50)) matches.set(this.answerByDoc[hit.doc]!, hit.score);
    const topVote = Math.max(0, ...votes.values()) || 1;
    const topMatch = Math.max(0, ...matches.values()) || 1;
    const score = (i: number) => {
      const answer = this.answers[i]!;
      return (
        (votes.get(i) ?? 0) / topVote +
        (this.ranking.answerWeight * (matches.get(i) ?? 0)) / topMatch +
        this.ranking.useWeight * Math.sqrt(this.ranking.halfLifeDays ? answer.recent / (this.totalRecent || 1) : answer.uses / (this.totalUses || 1)) +
        this.ranking.feedbackWeight * Math.log1p(this.sentByKey.get(answer.key) ?? 0)
      );
    };
    const rank = (ids: number[]) =>
      ids
        .filter((i) => !this.answers[i]!.hidden)
        .map((i) => ({ answer: this.answers[i]!, score: score(i) }))
        .sort((a, b) => b.score - a.score || b.answer.uses - a.answer.uses);
    const matched = rank([...new Set([...votes.keys(), ...matches.keys()])]);
    // Something fits: the team's most used answers complete a short list, after what fits (the agent may want
    // one of them); nothing fits: no suggestion at all rather than a guess.
    const fill = matched.length > 0 && matched.length < limit ? rank(this.mostUsedAnswers(limit).filter((i) => !votes.has(i) && !matches.has(i))) : [];
    // A filler ranks (and scores: a higher score is a better match) below everything that fits.
    const floor = matched.at(-1)?.score ?? 0;
    const scored = [...matched, ...fill.map((f) => ({ ...f, score: Math.min(f.score, floor * 0.999) }))];
    return scored.slice(0, limit).map(({ answer, score }) => ({
      text: answer.text,
      source: answer.source,
      ...(answer.template ? { template: answer.template } : {}),
      key: answer.key,
      score: Math.round(score * 1000) / 1000,
    }));
  }

  /** The `limit` most used answers (one pass, no sort of them all: a team may have hundreds of thousands). */
  private mostUsedAnswers(limit: number): number[] {
    const best: number[] = [];
    this.answers.forEach((answer, i) => {
      if (answer.hidden) return;
      let at = best.length;
      while (at > 0 && this.answers[best[at - 1]!]!.uses < answer.uses) at--;
      if (at < limit) {
        best.splice(at, 0, i);
        if (best.length > limit) best.pop();
      }
    });
    return best;
  }

  /** Baseline: the team's most used answers, whatever the conversation says. */
  mostUsed(limit = 3): Suggestion[] {
    return this.mostUsedAnswers(limit).map((i) => this.answers[i]!).map((a) => ({ text: a.text, source: a.source, key: a.key, score: a.uses }));
  }

  /** Baseline: the answers of the most similar past conversations, plain BM25, nothing blended. */
  nearest(customerText: string, limit = 3): Suggestion[] {
    const out: Suggestion[] = [];
    for (const hit of this.conversations.search(wordsOf(customerText), 50)) {
      const answer = this.answers[this.answerOfConversation[hit.doc]!]!;
      if (!out.some((s) => s.key === answer.key)) out.push({ text: answer.text, source: answer.source, key: answer.key, score: hit.score });
      if (out.length === limit) break;
    }
    return out;
  }

  /** Whether an answer with this key was ever given (the evaluation's ceiling). */
  knows(key: string): boolean {
    return this.answerByKey.has(key);
  }
}
