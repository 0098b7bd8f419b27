// "thanks", "hello", "ok 👍" alone are pleasantries: they open no ticket and reopen none.
const PLEASANTRY_WORDS = new Set([
  'hi', 'hello', 'hey', 'hiya', 'yo', 'morning', 'good morning', 'good afternoon', 'good evening',
  'thanks', 'thank you', 'thx', 'ty', 'tnx', 'thanks a lot', 'thank you so much', 'thanks so much', 'many thanks',
  'cheers', 'ok', 'okay', 'k', 'kk', 'cool', 'great', 'perfect', 'awesome', 'nice', 'got it', 'noted',
  'sounds good', 'will do', 'bye', 'goodbye', 'see you', 'all good', 'no worries', 'np', 'yes', 'yep', 'sure',
  'thanks again', 'appreciate it', 'much appreciated', 'thank u', 'tysm', 'ok thanks', 'ok thank you',
  'great thanks', 'perfect thanks', 'awesome thanks', 'cool thanks', 'thanks team', 'thank you team',
]);

// Words that only pad a greeting ("hi there", "thanks all"); alone they are not a pleasantry.
const FILLER_WORDS = new Set(['there', 'all', 'team', 'everyone', 'folks', 'guys', 'so', 'much', 'again', 'you', 'a', 'lot']);

// Emoji (unicode or :shortcode:), punctuation and Slack mentions carry no request.
const NOISE = /(:[a-z0-9_+-]+:|<@[a-z0-9]+(\|[^>]*)?>|[\p{Extended_Pictographic}\u{FE0F}\u{200D}]|[!.,?~\-–—)(*_'"])/gu;

export function isPleasantry(text: string): boolean {
  if (text.length > 400) return false; // a long message is never only "thanks" (and is not worth lowercasing whole)
  const words = text.toLowerCase().replace(NOISE, ' ').replace(/\s+/g, ' ').trim();
  if (words === '') return true;
  if (words.length > 40) return false;
  if (PLEASANTRY_WORDS.has(words)) return true;
  const parts = words.split(' ');
  return parts.every((word) => PLEASANTRY_WORDS.has(word) || FILLER_WORDS.has(word)) && parts.some((word) => PLEASANTRY_WORDS.has(word));
}
