// Reading Slack-formatted text (https://docs.slack.dev/messaging/formatting-message-text): control sequences
// like <@U1>, <!here>, <https://x|label> and the entities &lt; &gt; &amp;.
import { truncateText } from '../domain/truncate.js';

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

/**
 * Plain text from a channel that is not Slack (the chat widget, the intake API) as Slack would have sent it: &, <
 * and > as entities. Stored so, it is shown by the same code as Slack messages and read back by slackToPlain, and
 * a `<script>` or `<!channel>` a customer typed stays literal text.
 */
export const plainToSlackText = (plain: string): string => plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A ticket subject: the first non-empty line, in plain text, at most 120 characters. */
export function subjectFrom(slackText: string, fallback: string): string {
  const firstLine = slackToPlain(slackText)
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  return firstLine ? truncateText(firstLine.replace(/\s+/g, ' '), 120) : fallback;
}
