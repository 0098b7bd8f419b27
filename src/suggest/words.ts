// Words for retrieval: what a customer's message and a past conversation have in common. English-leaning (the
// stop words, the suffixes), which is what the teams' histories we measure on are written in; other languages
// still work, with their common words weighing less through their low IDF rather than by a list.

const STOP_WORDS = new Set(
  ('a an and are as at be been but by can could did do does for from get got had has have he her hi hello hey his how i if in ' +
    'is it its just me my no not of on or our please she so than thank thanks that the their them then there they this to ' +
    'too us was we were what when which who why will with would you your yours im ive dont cant').split(' '),
);

/** A light stemmer: plural and verb endings go, so "orders", "ordered" and "ordering" meet on "order". */
function stem(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 6) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('es') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The words of a text that say what it is about: links, mentions and Slack markup out, stop words out, stemmed. */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  eachWord(text, (word) => words.push(word));
  return words;
}

/** The same words, each with how it was written (lower-cased): what a person reads when a word is shown. */
export function wordsWithSurface(text: string): { word: string; surface: string }[] {
  const words: { word: string; surface: string }[] = [];
  eachWord(text, (word, surface) => words.push({ word, surface }));
  return words;
}

function eachWord(text: string, take: (word: string, surface: string) => void): void {
  const plain = text
    .toLowerCase()
    .replace(/<[^>\s]+>/g, ' ') // Slack's <@U…>, <#C…>, <https://…|label>
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/@\w+/g, ' ')
    .replace(/’/g, "'");
  for (const match of plain.matchAll(/[\p{L}\p{N}][\p{L}\p{N}']*/gu)) {
    const surface = match[0].replace(/'(s|t|re|ve|ll|d|m)?$/, '').replace(/'/g, '');
    if (surface.length < 2 || STOP_WORDS.has(surface)) continue;
    take(/^\d+$/.test(surface) ? (surface.length >= 4 ? '#num' : surface) : stem(surface), surface);
  }
}
