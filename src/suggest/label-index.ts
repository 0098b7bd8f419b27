import { Bm25Index } from './bm25.js';
import { wordsOf } from './words.js';

/** A label and the share of the neighbours' weight that carried it (0 to 1). */
export interface LabelShare {
  label: string;
  share: number;
  /** How many of the neighbours carried it. */
  count: number;
}

/**
 * Learned routing and tagging: past tickets' first messages with the labels they ended up with (who solved them,
 * their tags); a new ticket gets the labels of the past tickets most like it (BM25), each with the share of their
 * weight that carried it.
 */
export class LabelIndex {
  private readonly tickets = new Bm25Index();
  private readonly labelsOf: string[][] = [];

  add(text: string, labels: string[]): void {
    const doc = this.tickets.add(wordsOf(text));
    this.labelsOf[doc] = labels;
  }

  get size(): number {
    return this.tickets.size;
  }

  /** The labels of the `neighbours` past tickets most like the text, best first (none when nothing is alike). */
  labelsFor(text: string, neighbours = 15): LabelShare[] {
    const votes = new Map<string, { weight: number; count: number }>();
    let total = 0;
    for (const hit of this.tickets.search(wordsOf(text), neighbours)) {
      total += hit.score;
      for (const label of this.labelsOf[hit.doc] ?? []) {
        const vote = votes.get(label) ?? { weight: 0, count: 0 };
        votes.set(label, { weight: vote.weight + hit.score, count: vote.count + 1 });
      }
    }
    return [...votes].map(([label, v]) => ({ label, share: v.weight / (total || 1), count: v.count })).sort((a, b) => b.share - a.share || a.label.localeCompare(b.label));
  }
}
