import type { TicketListFilter } from '../../store/ticket-store.js';
import { ACTION_USAGE, firstWord, parseListFilter, parseTicketAction, type Parsed, type TicketAction } from './grammar.js';

export type ThreadCommand = { kind: 'help' } | { kind: 'list'; filter: TicketListFilter } | { kind: 'action'; action: TicketAction };

export const THREAD_COMMAND_USAGE = [
  ...ACTION_USAGE.map((a) => `\`!${a}\``),
  '`!list [open|mine|unassigned|all]`',
  '`!help`',
  'Any other message in this thread is an internal note: the requester never sees it.',
].join('\n');

/** Whether a triage-thread message is a command rather than an internal note. */
export const isThreadCommand = (text: string): boolean => /^\s*!\S/.test(text);

/** `!assign me` -> a command, or an error that says what is wrong. */
export function parseThreadCommand(text: string): Parsed<ThreadCommand> {
  const body = text.trim().replace(/^!/, '');
  const [head, rest] = firstWord(body);
  if (head.toLowerCase() === 'help') return { ok: true, value: { kind: 'help' } };
  if (head.toLowerCase() === 'list') {
    const filter = parseListFilter(rest);
    return filter.ok ? { ok: true, value: { kind: 'list', filter: filter.value } } : filter;
  }
  const action = parseTicketAction(body);
  return action.ok ? { ok: true, value: { kind: 'action', action: action.value } } : action;
}
