// Names for the people customers mention, looked up when their text is shown (a card, a list, the Home tab),
// never while an event is stored: ingest makes no Slack call. The directory caches the people it looked up;
// an id it cannot name stays as it is. What comes out is still customer text: callers escape it as before.
import type { Directory } from './directory.js';

type Names = Pick<Directory, 'user'>;

/**
 * A user mention as a stored subject has it: the customer's `<@U0ALICE1>` flattened to `@U0ALICE1`
 * (ingest/slack-text.ts). A Slack user id is U or W and upper-case letters and digits, with a digit somewhere;
 * a word like `@URGENT` or `@UPDATES` is left alone without asking Slack.
 */
const FLATTENED_MENTION = /(?<![\w@])@([UW](?=[A-Z]*\d)[A-Z0-9]{6,14})(?!\w)/g;

/** A user mention in Slack's own text, without a label: `<@U0ALICE1>`. */
const BARE_MENTION = /<@([UW][A-Z0-9]+)>/g;

async function namesOf(ids: Iterable<string>, directory: Names): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const user = await directory.user(id).catch(() => null);
      if (user?.name && user.name !== id) names.set(id, user.name);
    }),
  );
  return names;
}

/** The subject as people read it: `@U0ALICE1 test` becomes `@Alice Agent test`. */
export async function subjectWithNames(subject: string, directory: Names): Promise<string> {
  const ids = Array.from(subject.matchAll(FLATTENED_MENTION), (m) => m[1]!);
  if (ids.length === 0) return subject;
  const names = await namesOf(ids, directory);
  return subject.replace(FLATTENED_MENTION, (match, id: string) => (names.has(id) ? `@${names.get(id)}` : match));
}

/** A ticket (or a report's ticket reference) with its subject as people read it. */
export async function withSubjectNames<T extends { subject: string }>(ticket: T, directory: Names): Promise<T> {
  const subject = await subjectWithNames(ticket.subject, directory);
  return subject === ticket.subject ? ticket : { ...ticket, subject };
}

/** Several tickets at once (a list, the Home tab). */
export function withSubjectsNamed<T extends { subject: string }>(tickets: T[], directory: Names): Promise<T[]> {
  return Promise.all(tickets.map((ticket) => withSubjectNames(ticket, directory)));
}

/**
 * A message as Slack sent it, its bare mentions given the person's name as label (`<@U0ALICE1|Alice Agent>`),
 * so that the inert rendering (inertMrkdwn) shows `@Alice Agent`. The label is entity-escaped like Slack's own.
 */
export async function withMentionNames<T extends { text: string }>(message: T, directory: Names): Promise<T> {
  const ids = Array.from(message.text.matchAll(BARE_MENTION), (m) => m[1]!);
  if (ids.length === 0) return message;
  const names = await namesOf(ids, directory);
  const label = (name: string) => name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const text = message.text.replace(BARE_MENTION, (match, id: string) => (names.has(id) ? `<@${id}|${label(names.get(id)!)}>` : match));
  return { ...message, text };
}
