// Turning Slack-formatted customer text into something safe to show again.
// https://docs.slack.dev/messaging/formatting-message-text#escaping : &, < and > are control characters.

const TOKEN = /<([^<>]*)>/g;

/** One Slack control sequence (`<@U1>`, `<!here>`, `<https://x|label>`) as readable, inert plain text. */
function flattenToken(body: string): string {
  const [target = '', label] = splitOnce(body, '|');
  if (target.startsWith('@')) return label ? `@${label.replace(/^@/, '')}` : target;
  if (target.startsWith('#')) return label ? `#${label}` : target;
  if (target.startsWith('!subteam^')) return label ?? '@group';
  if (target.startsWith('!date^')) return label ?? '(date)';
  if (target.startsWith('!')) return `@${target.slice(1)}`;
  // A link: show where it really goes, so a label cannot disguise it.
  return label && label !== target ? `${label} (${target})` : target;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Slack message text (entity-escaped, with control sequences) -> what a person reads, as plain text. */
export function slackToPlain(text: string): string {
  return text
    .replace(TOKEN, (_match, body: string) => flattenToken(body))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Escapes plain text for a mrkdwn field: nothing in it can ping, mention or link. */
export function escapeMrkdwn(plain: string): string {
  return plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Customer text (as Slack sent it) -> inert mrkdwn. */
export const inertMrkdwn = (slackText: string): string => escapeMrkdwn(slackToPlain(slackText));

/**
 * Cuts text to at most `max` characters (by code point, never splitting a surrogate pair or an entity)
 * and says visibly how much was left out.
 */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const marker = (left: number) => `… [truncated: ${left} more characters]`;
  let keep = max - marker(chars.length).length;
  // Do not cut an escaped entity such as &amp; in half.
  const head = chars.slice(0, keep).join('');
  const brokenEntity = /&[a-z]{0,4}$/.exec(head);
  if (brokenEntity) keep -= Array.from(brokenEntity[0]).length;
  return chars.slice(0, keep).join('') + marker(chars.length - keep);
}

/** A ticket subject: the first non-empty line, in plain text, at most 120 characters. */
export function subjectFrom(slackText: string, fallback: string): string {
  const firstLine = slackToPlain(slackText)
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  return firstLine ? truncate(firstLine.replace(/\s+/g, ' '), 120) : fallback;
}
