// A past reply becomes a template the agent can trust: what belonged to that one customer (their name, their
// order number) becomes a snippet, and what belonged to the agent who wrote it (a greeting to a handle, a
// signature) goes, so the suggestion reads right for the next customer and the reply path fills it in.

/** What is known of the conversation a reply was written in; any of it may be missing. */
export interface ReplyContext {
  customerName?: string | null;
  agentName?: string | null;
  orderNumbers?: string[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A whole word (or words) of the text, case-insensitive. */
const wordPattern = (value: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(value)}(?![\\p{L}\\p{N}])`, 'giu');

/** Words after a greeting that are not a name ("Hi there", "Hello again"). */
const NOT_NAMES = new Set(['there', 'again', 'all', 'team', 'everyone', 'friend', 'folks', 'guys', 'and', 'from', 'to', 'sir', 'madam', 'customer']);

/**
 * A reply as a mustache template: `{{customer.name}}`, `{{customer.first_name}}`, `{{order.number}}` where the
 * reply named them; leading handles (`@jane`, `<@U…>`) and a trailing signature (`^JK`, `*SR`, `-Becky`,
 * `— Sam Okafor`) dropped; any braces of the reply itself neutralised (it is text, never template source).
 */
export function generaliseReply(text: string, context: ReplyContext = {}): string {
  let out = text.replace(/\{\{|\}\}/g, (b) => b[0]!).trim();
  out = out.replace(/^(?:(?:@\w+|<@[A-Z0-9]+>)[\s,:]*)+/, '');
  out = out.replace(/\s*(?:[\^*]\s?[A-Z]{1,3}|[-~–—]\s?[A-Z][\p{L}]*(?: [A-Z][\p{L}]*)?)\s*$/u, '');
  const name = context.customerName?.trim();
  if (name) {
    out = out.replace(wordPattern(name), '{{customer.name}}');
    const first = name.split(/\s+/)[0]!;
    if (first.length > 1 && first !== name) out = out.replace(wordPattern(first), '{{customer.first_name}}');
  }
  const agent = context.agentName?.trim();
  if (agent) out = out.replace(wordPattern(agent), '{{agent.name}}').replace(wordPattern(agent.split(/\s+/)[0]!), '{{agent.first_name}}');
  // A greeting's name the context did not know ("Hi Maya," from a chat visitor).
  out = out.replace(/^((?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\s+)([A-Z][\p{L}'-]+)(?=\s*[,!.:])/iu, (whole, greeting: string, word: string) =>
    NOT_NAMES.has(word.toLowerCase()) || word === word.toLowerCase() ? whole : `${greeting}{{customer.first_name}}`,
  );
  for (const number of context.orderNumbers ?? []) if (number) out = out.replace(wordPattern(number.replace(/^#/, '')), '{{order.number}}');
  out = out.replace(/(\border\s*(?:number|no\.?)?\s*#?\s*)(\d{4,})\b/gi, '$1{{order.number}}').replace(/#\{\{order\.number\}\}/g, '#{{order.number}}');
  return out.replace(/(\{\{order\.number\}\})(?:\s*\{\{order\.number\}\})+/g, '$1').trim();
}

/** Links without what only tells one visit from another (an archive's prefix, a query, a fragment). */
const linkKey = (url: string) =>
  url
    .replace(/^https?:\/\/web\.archive\.org\/web\/\d+\//, '')
    .replace(/^https?:\/\//, '')
    .replace(/[?#].*$/, '')
    .replace(/[/.,)]+$/, '')
    .toLowerCase();

/**
 * What makes two generalised replies the same answer: the help articles they link to when they link any (two
 * agents pointing to one article give one answer in their own words), else their words (case, punctuation,
 * spacing and numbers aside).
 */
export function answerKey(generalised: string): string {
  const links = [...generalised.matchAll(/https?:\/\/[^\s<>|]+/g)].map((m) => linkKey(m[0]));
  if (links.length > 0) return `links:${[...new Set(links)].sort().join(' ')}`;
  return `text:${generalised
    .toLowerCase()
    .replace(/\d+/g, '#')
    .replace(/[^\p{L}\p{N}#{}._]+/gu, ' ')
    .trim()}`;
}
