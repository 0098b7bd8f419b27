import { chatOfRequester, emailOfRequester, externalOfRequester } from '../domain/customer.js';
// Showing customer text again, safely (https://docs.slack.dev/messaging/formatting-message-text#escaping):
// &, < and > are control characters in mrkdwn.
import type { TicketFile } from '../domain/ticket.js';
import { slackToPlain } from '../ingest/slack-text.js';

export { truncateText as truncate } from '../domain/truncate.js';

/** Escapes plain text for a mrkdwn field: nothing in it can ping, mention or link. */
export function escapeMrkdwn(plain: string): string {
  return plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Links and user/channel mentions an agent writes on purpose: <https://x|label>, <@U1>, <#C1>.
const AUTHORED_MARKUP = /(<(?:https?:\/\/[^<>|\s]+(?:\|[^<>]*)?|[@#][UWCG][A-Z0-9]+(?:\|[^<>]*)?)>)/;

/**
 * Text an agent typed in a modal, as Slack's composer would send it: &, < and > escaped, except the links and
 * mentions written on purpose. Mass mentions (<!channel>) are escaped too.
 */
export function escapeAuthoredMrkdwn(typed: string): string {
  return typed
    .split(AUTHORED_MARKUP)
    .map((part, i) => (i % 2 === 1 ? part : escapeMrkdwn(part)))
    .join('');
}

/** Mrkdwn source as a person edits it: entities turned back into the characters they stand for. */
export const unescapeMrkdwn = (mrkdwn: string): string => mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Customer text (as Slack sent it) -> inert mrkdwn. */
export const inertMrkdwn = (slackText: string): string => escapeMrkdwn(slackToPlain(slackText));

/** Attached files as mrkdwn lines, each linking to Slack's copy when we have its permalink. */
export function fileLines(files: TicketFile[]): string[] {
  return files.map((f) => `:paperclip: ${f.permalink ? `<${f.permalink}|${inertMrkdwn(f.name)}>` : inertMrkdwn(f.name)}`);
}

/** A person in mrkdwn: a Slack user as a mention, a customer known by email as their address (escaped, no ping). */
export function person(id: string | null): string {
  if (id === null) return 'someone';
  const email = emailOfRequester(id);
  if (email !== null) return `:email: ${escapeMrkdwn(email)}`;
  const external = externalOfRequester(id);
  if (external !== null) return `:electric_plug: ${escapeMrkdwn(external)}`;
  const visitor = chatOfRequester(id);
  return visitor !== null ? `:iphone: visitor ${escapeMrkdwn(visitor.slice(0, 8))}` : `<@${id}>`;
}
