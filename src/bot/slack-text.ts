// Showing customer text again, safely (https://docs.slack.dev/messaging/formatting-message-text#escaping):
// &, < and > are control characters in mrkdwn.
import type { TicketFile } from '../domain/ticket.js';
import { slackToPlain } from '../ingest/slack-text.js';

export { truncateText as truncate } from '../domain/truncate.js';

/** Escapes plain text for a mrkdwn field: nothing in it can ping, mention or link. */
export function escapeMrkdwn(plain: string): string {
  return plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Customer text (as Slack sent it) -> inert mrkdwn. */
export const inertMrkdwn = (slackText: string): string => escapeMrkdwn(slackToPlain(slackText));

/** Attached files as mrkdwn lines, each linking to Slack's copy when we have its permalink. */
export function fileLines(files: TicketFile[]): string[] {
  return files.map((f) => `:paperclip: ${f.permalink ? `<${f.permalink}|${inertMrkdwn(f.name)}>` : inertMrkdwn(f.name)}`);
}
