import { wordsWithSurface } from './words.js';

// "Questions that keep coming back": the week's tickets grouped on their first message, so a support lead sees
// which questions the product or the policy should answer once instead of agents answering them again.
//
// Each first message is a TF-IDF vector of its words (smoothed IDF, ln((n + 1) / (df + 1)) + 1, over the week and
// the weeks before it, so a word most tickets share still counts; a word only one ticket used is left out). Tickets are
// taken in the order they came: each joins the group whose centre it is most like (cosine at least THRESHOLD),
// else starts one; groups whose centres are that alike are merged; then every ticket is placed once more against
// the finished centres, so one that came before its group had formed still finds it. The same tickets always give the same groups. Earlier weeks' tickets are
// counted against the same centres, which tells a question that is growing from one that is always there.

/** One ticket as the grouping sees it. */
export interface AskedQuestion {
  ticketId: number;
  at: number;
  /** The customer's first message. */
  text: string;
  /** The template an agent answered it with, if any. */
  template?: string | null;
  /** The first public reply, generalised (src/suggest/generalise.ts): its answer key and text. */
  answer?: { key: string; text: string } | null;
}

export interface RecurringQuestion {
  count: number;
  /** Tickets of each earlier week that asked it, the most recent week first. */
  earlier: number[];
  /** This week's count less the earlier weeks' average. */
  growth: number;
  /** The words that mark the group (as customers wrote them), most telling first. */
  words: string[];
  /** The ticket most like the group's centre. */
  example: AskedQuestion;
  ticketIds: number[];
  /** The template most used to answer the group's tickets. */
  template: { name: string; uses: number } | null;
  /** Without a template: the answer given most (at least twice). */
  answer: { text: string; uses: number } | null;
}

export interface RecurringOptions {
  /** How alike (cosine) a first message must be to a group's centre to join it. */
  threshold: number;
  /** The fewest tickets that make a question "coming back". */
  minCount: number;
  largest: number;
  growing: number;
}

export const RECURRING: RecurringOptions = { threshold: 0.45, minCount: 3, largest: 5, growing: 3 };

type Vector = Map<string, number>;

interface Group {
  centre: Vector;
  /** Squared length of the centre (kept as words are added). */
  squared: number;
  members: number[];
}

/** Tickets grouped between two turns of the event loop: a busy week (20,000 tickets, a few seconds) never holds up requests. */
const SLICE = 200;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** The week's largest recurring questions and, besides them, those growing fastest against the earlier weeks. */
export async function recurringQuestions(week: AskedQuestion[], earlierWeeks: AskedQuestion[][], options: RecurringOptions = RECURRING): Promise<{ largest: RecurringQuestion[]; growing: RecurringQuestion[] }> {
  const ordered = [...week].sort((a, b) => a.at - b.at || a.ticketId - b.ticketId);
  // Each text is read once: its words serve the IDF, its vector and, for a group's members, the group's words.
  const wordsOf = new Map<AskedQuestion, Written[]>();
  for (const [i, q] of [ordered, ...earlierWeeks].flat().entries()) {
    if (i % SLICE === SLICE - 1) await turn();
    wordsOf.set(q, wordsWithSurface(q.text));
  }
  const idf = inverseFrequencies([...wordsOf.values()]);
  const vectors = ordered.map((q) => vectorOf(wordsOf.get(q)!, idf));

  // First pass: in the order the tickets came, each joins its nearest group or starts one.
  const groups: Group[] = [];
  const groupsOfWord = new Map<string, number[]>();
  for (const [i, vector] of vectors.entries()) {
    if (i % SLICE === SLICE - 1) await turn();
    const best = nearest(vector, groups, groupsOfWord, options.threshold);
    if (best === null) {
      const group: Group = { centre: new Map(), squared: 0, members: [] };
      groups.push(group);
      addTo(group, groups.length - 1, vector, groupsOfWord);
      group.members.push(i);
    } else {
      addTo(groups[best]!, best, vector, groupsOfWord);
      groups[best]!.members.push(i);
    }
  }

  // Groups of one question that formed apart (the first tickets happened to differ) become one.
  const merged: Group[] = [];
  const mergedOfWord = new Map<string, number[]>();
  for (const [i, group] of groups.filter((g) => g.members.length > 1).entries()) {
    if (i % SLICE === SLICE - 1) await turn();
    const direction = new Map([...group.centre].map(([word, weight]) => [word, weight / Math.sqrt(group.squared)]));
    let into = nearest(direction, merged, mergedOfWord, options.threshold);
    if (into === null) {
      merged.push({ centre: new Map(), squared: 0, members: [] });
      into = merged.length - 1;
    }
    addTo(merged[into]!, into, group.centre, mergedOfWord);
    merged[into]!.members.push(...group.members);
  }

  // Last pass: each ticket against the finished centres of the groups large enough to show.
  const candidates = merged.filter((g) => g.members.length >= options.minCount);
  const frozenIndex = new Map<string, number[]>();
  candidates.forEach((g, n) => {
    for (const word of g.centre.keys()) {
      const list = frozenIndex.get(word);
      if (list) list.push(n);
      else frozenIndex.set(word, [n]);
    }
  });
  const placed = candidates.map(() => [] as number[]);
  for (const [i, vector] of vectors.entries()) {
    if (i % SLICE === SLICE - 1) await turn();
    const best = nearest(vector, candidates, frozenIndex, options.threshold);
    if (best !== null) placed[best]!.push(i);
  }
  const earlierCounts: number[][] = [];
  for (const questions of earlierWeeks) {
    const counts = candidates.map(() => 0);
    for (const [i, q] of questions.entries()) {
      if (i % SLICE === SLICE - 1) await turn();
      const best = nearest(vectorOf(wordsOf.get(q)!, idf), candidates, frozenIndex, options.threshold);
      if (best !== null) counts[best]! += 1;
    }
    earlierCounts.push(counts);
  }

  const found: RecurringQuestion[] = [];
  for (const [n, group] of candidates.entries()) {
    if (n % SLICE === SLICE - 1) await turn();
    const members = placed[n]!;
    if (members.length < options.minCount) continue;
    const earlier = earlierCounts.map((counts) => counts[n]!);
    const average = earlier.length ? earlier.reduce((a, b) => a + b, 0) / earlier.length : 0;
    const asked = members.map((i) => ordered[i]!);
    found.push({
      count: members.length,
      earlier,
      growth: members.length - average,
      words: markingWords(group, asked.map((q) => wordsOf.get(q)!), idf),
      example: asked[mostTypical(members.map((i) => vectors[i]!), group)]!,
      ticketIds: asked.map((q) => q.ticketId),
      template: mostCommon(asked.map((q) => q.template ?? null).filter((t): t is string => Boolean(t)), (t) => t),
      answer: answerGiven(asked),
    });
  }

  const firstTicket = (q: RecurringQuestion) => q.example.ticketId;
  const largest = [...found].sort((a, b) => b.count - a.count || b.growth - a.growth || firstTicket(a) - firstTicket(b)).slice(0, options.largest);
  const growing = found
    .filter((q) => !largest.includes(q) && q.growth > 0)
    .sort((a, b) => b.growth - a.growth || b.count - a.count || firstTicket(a) - firstTicket(b))
    .slice(0, options.growing);
  return { largest, growing };
}

type Written = { word: string; surface: string };

function inverseFrequencies(texts: Written[][]): Map<string, number> {
  const documents = new Map<string, number>();
  for (const words of texts) for (const word of new Set(words.map((w) => w.word))) documents.set(word, (documents.get(word) ?? 0) + 1);
  const idf = new Map<string, number>();
  // A word no other ticket used cannot make a question recur: left out, it does not dilute the words shared.
  for (const [word, count] of documents) if (count > 1) idf.set(word, Math.log((texts.length + 1) / (count + 1)) + 1);
  return idf;
}

/** A message's words weighted by how rare they are, scaled to length 1. */
function vectorOf(words: Written[], idf: Map<string, number>): Vector {
  const vector: Vector = new Map();
  for (const { word } of words) {
    const weight = idf.get(word);
    if (weight !== undefined) vector.set(word, weight);
  }
  let squared = 0;
  for (const weight of vector.values()) squared += weight * weight;
  const length = Math.sqrt(squared) || 1;
  for (const [word, weight] of vector) vector.set(word, weight / length);
  return vector;
}

function addTo(group: Group, index: number, vector: Vector, groupsOfWord: Map<string, number[]>): void {
  for (const [word, weight] of vector) {
    const before = group.centre.get(word);
    if (before === undefined) {
      const list = groupsOfWord.get(word);
      if (list) list.push(index);
      else groupsOfWord.set(word, [index]);
    }
    const after = (before ?? 0) + weight;
    group.centre.set(word, after);
    group.squared += after * after - (before ?? 0) * (before ?? 0);
  }
}

/**
 * Words looked up per ticket: its heaviest (rarest) ones. A group alike enough to join shares one of them in
 * practice, and the lists of the common words (thousands of groups in a busy week) are never walked.
 */
const LOOKUP_WORDS = 3;

/** The group whose centre is most like the vector (ties: the earlier group), if alike enough. */
function nearest(vector: Vector, groups: Group[], groupsOfWord: Map<string, number[]>, threshold: number): number | null {
  const lookup = [...vector].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, LOOKUP_WORDS);
  const tried = new Set<number>();
  let best: number | null = null;
  let bestScore = threshold;
  for (const [word] of lookup) {
    for (const g of groupsOfWord.get(word) ?? []) {
      if (tried.has(g)) continue;
      tried.add(g);
      const centre = groups[g]!.centre;
      let dot = 0;
      for (const [w, weight] of vector) dot += weight * (centre.get(w) ?? 0);
      const score = dot / Math.sqrt(groups[g]!.squared);
      if (score > bestScore || (score === bestScore && best !== null && g < best)) {
        best = g;
        bestScore = score;
      }
    }
  }
  return best;
}

/** The centre's heaviest words that most of the group share, written as customers wrote them most often. */
function markingWords(group: Group, asked: Written[][], idf: Map<string, number>): string[] {
  const surfaces = new Map<string, Map<string, number>>();
  const shared = new Map<string, number>();
  for (const q of asked) {
    const seen = new Set<string>();
    for (const { word, surface } of q) {
      const forms = surfaces.get(word) ?? new Map<string, number>();
      forms.set(surface, (forms.get(surface) ?? 0) + 1);
      surfaces.set(word, forms);
      if (!seen.has(word)) shared.set(word, (shared.get(word) ?? 0) + 1);
      seen.add(word);
    }
  }
  return [...group.centre.keys()]
    .filter((word) => (shared.get(word) ?? 0) * 2 >= asked.length && word !== '#num')
    .sort((a, b) => (shared.get(b) ?? 0) * (idf.get(b) ?? 0) - (shared.get(a) ?? 0) * (idf.get(a) ?? 0) || a.localeCompare(b))
    .slice(0, 3)
    .map((word) => mostCommon([...surfaces.get(word)!].flatMap(([surface, n]) => Array<string>(n).fill(surface)), (s) => s)!.name);
}

/** The member nearest the centre (ties: the earliest). */
function mostTypical(vectors: Vector[], group: Group): number {
  let best = 0;
  let bestScore = -1;
  vectors.forEach((vector, i) => {
    let dot = 0;
    for (const [word, weight] of vector) dot += weight * (group.centre.get(word) ?? 0);
    if (dot > bestScore) {
      best = i;
      bestScore = dot;
    }
  });
  return best;
}

function mostCommon<T>(items: T[], keyOf: (item: T) => string): { name: string; uses: number } | null {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  let best: { name: string; uses: number } | null = null;
  for (const [name, uses] of counts) if (!best || uses > best.uses || (uses === best.uses && name < best.name)) best = { name, uses };
  return best;
}

/** The answer the group's tickets got most, when at least two got it. */
function answerGiven(asked: AskedQuestion[]): { text: string; uses: number } | null {
  const answers = asked.map((q) => q.answer).filter((a): a is { key: string; text: string } => Boolean(a));
  const best = mostCommon(answers, (a) => a.key);
  if (!best || best.uses < 2) return null;
  return { text: answers.find((a) => a.key === best.name)!.text, uses: best.uses };
}
