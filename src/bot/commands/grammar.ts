import { PRIORITIES, type Priority } from '../../domain/ticket.js';
import type { TicketListFilter } from '../../store/ticket-store.js';

// One grammar for the three doors: `/ticket 42 <action>`, `!<action>` in a triage thread, and the card buttons.

export type TicketAction =
  | { kind: 'show' }
  | { kind: 'assign'; assignee: 'me' | string }
  | { kind: 'reply'; text: string }
  /** Solves an active ticket (`survey: false`: without asking the requester to rate it); closes a solved one. */
  | { kind: 'close'; survey?: false }
  | { kind: 'reopen' }
  /** Waiting on the requester: their next message opens it again. */
  | { kind: 'pending' }
  /** Closed and left out of every figure; its sender's follow-ups do not open it again. */
  | { kind: 'spam' }
  | { kind: 'priority'; priority: Priority }
  | { kind: 'tag'; tag: string }
  | { kind: 'set'; name: string; value: string }
  | { kind: 'template'; name: string }
  | { kind: 'suggest' }
  | { kind: 'merge'; into: number };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const LIST_FILTERS: TicketListFilter[] = ['open', 'mine', 'unassigned', 'all'];

export const ACTION_USAGE = [
  'assign me | assign @user',
  'reply <text>',
  'close [no-survey]',
  'reopen',
  'pending',
  'spam',
  `priority ${PRIORITIES.join('|')}`,
  'tag <word>',
  'set <field> <value>',
  'order <number>',
  'template <name>',
  'suggest',
  'merge <number>',
  'show',
];

const fail = (error: string): Parsed<never> => ({ ok: false, error });
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

/** A user mention as Slack sends it (`<@U123>` or `<@U123|name>`) -> the user id. */
export function parseUserMention(word: string): string | null {
  return /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(word)?.[1] ?? null;
}

/** A channel mention (`<#C123>`, `<#C123|name>`) or a bare channel id -> the channel id. */
export function parseChannelMention(word: string): string | null {
  return /^<#([CGD][A-Z0-9]+)(\|[^>]*)?>$/.exec(word)?.[1] ?? /^([CGD][A-Z0-9]{2,})$/.exec(word)?.[1] ?? null;
}

/** Splits off the first word; the rest keeps its own spacing and line breaks (reply text). */
export function firstWord(text: string): [string, string] {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return match ? [match[1]!, match[2]!] : ['', ''];
}

/** Parses the action part, e.g. `assign me`, `priority high`, `reply Thanks, fixed!`. */
export function parseTicketAction(text: string): Parsed<TicketAction> {
  const [verb, rest] = firstWord(text);
  const args = rest.trim();
  switch (verb.toLowerCase()) {
    case '':
    case 'show':
      return ok({ kind: 'show' });
    case 'assign': {
      if (args.toLowerCase() === 'me') return ok({ kind: 'assign', assignee: 'me' });
      const user = parseUserMention(args);
      return user ? ok({ kind: 'assign', assignee: user }) : fail('`assign` needs `me` or a @mention of an agent.');
    }
    case 'reply':
      return ok({ kind: 'reply', text: rest.trim() });
    case 'close':
    case 'solve':
      if (args.toLowerCase() === 'no-survey') return ok({ kind: 'close', survey: false });
      return args ? fail('`close` takes nothing, or `no-survey` to solve without the satisfaction survey.') : ok({ kind: 'close' });
    case 'reopen':
      return args ? fail('`reopen` takes no arguments.') : ok({ kind: 'reopen' });
    case 'spam':
      return args ? fail('`spam` takes no arguments.') : ok({ kind: 'spam' });
    case 'pending':
      return args ? fail('`pending` takes no arguments.') : ok({ kind: 'pending' });
    case 'priority': {
      const priority = args.toLowerCase() as Priority;
      return PRIORITIES.includes(priority) ? ok({ kind: 'priority', priority }) : fail(`Priority must be one of ${PRIORITIES.join(', ')}.`);
    }
    case 'tag': {
      const tag = args.toLowerCase().replace(/^#/, '');
      return /^[a-z0-9][a-z0-9_.-]{0,39}$/.test(tag) ? ok({ kind: 'tag', tag }) : fail('A tag is one word (letters, digits, `-`, `_`, `.`), at most 40 characters.');
    }
    case 'set': {
      const [name, value] = firstWord(rest);
      return name && value.trim() ? ok({ kind: 'set', name, value: value.trim() }) : fail('`set` needs a field and a value, like `set order.number 1234`.');
    }
    case 'order': {
      // The order the ticket is about (the card shows it, order.* snippets use it): the order.number field.
      const number = args.replace(/^#/, '');
      return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(number) ? ok({ kind: 'set', name: 'order.number', value: number }) : fail('`order` needs an order number, like `order 1021`.');
    }
    case 'suggest':
      return args ? fail('`suggest` takes no arguments.') : ok({ kind: 'suggest' });
    case 'merge': {
      const into = /^#?(\d{1,9})$/.exec(args)?.[1];
      return into ? ok({ kind: 'merge', into: Number(into) }) : fail('`merge` needs the number of the ticket to keep, like `merge 41`.');
    }
    case 'template':
      return /^[a-z0-9][a-z0-9_-]{0,63}$/i.test(args) ? ok({ kind: 'template', name: args.toLowerCase() }) : fail('`template` needs a template name, like `template refund-approved`.');
    default:
      return fail(`I don't know \`${verb.slice(0, 40)}\`.`);
  }
}

export function parseListFilter(text: string): Parsed<TicketListFilter> {
  const filter = (text.trim().toLowerCase() || 'open') as TicketListFilter;
  return LIST_FILTERS.includes(filter) ? ok(filter) : fail(`List one of: ${LIST_FILTERS.join(', ')}.`);
}

/** An address as typed, or as Slack sends it in a command (`<mailto:a@b.example|a@b.example>`); lower-cased. */
export function parseEmailAddress(text: string): string | null {
  const bare = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/i.exec(text)?.[1] ?? text;
  return /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/.test(bare) ? bare.toLowerCase() : null;
}
