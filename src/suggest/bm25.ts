// Okapi BM25 over an inverted index that grows one document at a time (a reply is searchable as soon as it is
// written, no rebuild). Postings live in typed arrays: a million documents cost tens of MB, not hundreds.

const K1 = 1.2;
const B = 0.75;

class Postings {
  docs = new Int32Array(4);
  freqs = new Uint16Array(4);
  length = 0;

  push(doc: number, freq: number): void {
    if (this.length === this.docs.length) {
      const docs = new Int32Array(this.length * 2);
      docs.set(this.docs);
      this.docs = docs;
      const freqs = new Uint16Array(this.length * 2);
      freqs.set(this.freqs);
      this.freqs = freqs;
    }
    this.docs[this.length] = doc;
    this.freqs[this.length] = Math.min(freq, 65535);
    this.length += 1;
  }
}

export interface Hit {
  doc: number;
  score: number;
}

export class Bm25Index {
  private readonly postings = new Map<string, Postings>();
  private lengths = new Float32Array(1024);
  private totalLength = 0;
  size = 0;

  /** Adds a document (its words); returns its number, 0, 1, 2… in the order added. */
  add(words: string[]): number {
    const doc = this.size;
    if (doc === this.lengths.length) {
      const lengths = new Float32Array(doc * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.lengths[doc] = words.length;
    this.totalLength += words.length;
    this.size += 1;
    const counts = new Map<string, number>();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    for (const [word, count] of counts) {
      let list = this.postings.get(word);
      if (!list) this.postings.set(word, (list = new Postings()));
      list.push(doc, count);
    }
    return doc;
  }

  /** How many documents hold the word. */
  documentFrequency(word: string): number {
    return this.postings.get(word)?.length ?? 0;
  }

  /** The documents sharing a word with the query, best `limit` first. */
  search(words: string[], limit: number): Hit[] {
    if (this.size === 0) return [];
    const average = this.totalLength / this.size || 1;
    const scores = new Map<number, number>();
    for (const word of new Set(words)) {
      const list = this.postings.get(word);
      if (!list) continue;
      const idf = Math.log(1 + (this.size - list.length + 0.5) / (list.length + 0.5));
      for (let i = 0; i < list.length; i++) {
        const doc = list.docs[i]!;
        const freq = list.freqs[i]!;
        const norm = K1 * (1 - B + (B * this.lengths[doc]!) / average);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * freq * (K1 + 1)) / (freq + norm));
      }
    }
    return topHits(scores, limit);
  }
}

/** The `limit` best of many scores, without sorting them all. */
function topHits(scores: Map<number, number>, limit: number): Hit[] {
  const best: Hit[] = [];
  for (const [doc, score] of scores) {
    if (best.length === limit && score <= best[best.length - 1]!.score) continue;
    let at = best.length;
    while (at > 0 && (best[at - 1]!.score < score || (best[at - 1]!.score === score && best[at - 1]!.doc < doc))) at--;
    best.splice(at, 0, { doc, score });
    if (best.length > limit) best.pop();
  }
  return best;
}
