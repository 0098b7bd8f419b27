import type { TicketListFilter } from '../../store/ticket-store.js';
import { ACTION_USAGE, firstWord, parseListFilter, parseTicketAction, parseUserMention, type Parsed, type TicketAction } from './grammar.js';

export type TicketCommand =
  | { kind: 'help' }
  | { kind: 'list'; filter: TicketListFilter }
  | { kind: 'customer'; userId: string }
  | { kind: 'action'; number: number; action: TicketAction };

export const TICKET_COMMAND_USAGE = [
  '`/ticket 42` shows ticket #42',
  ...ACTION_USAGE.filter((a) => a !== 'show').map((a) => `\`/ticket 42 ${a}\``),
  '`/ticket list [open|mine|unassigned|all]`',
  '`/ticket customer @user` shows a customer and all their tickets',
  '`/ticket help`',
].join('\n');

/** `/ticket …` text -> a command, or an error that says what is wrong. */
export function parseTicketCommand(text: string): Parsed<TicketCommand> {
  const [head, rest] = firstWord(text);
  if (head === '' || head.toLowerCase() === 'help') return { ok: true, value: { kind: 'help' } };
  if (head.toLowerCase() === 'list') {
    const filter = parseListFilter(rest);
    return filter.ok ? { ok: true, value: { kind: 'list', filter: filter.value } } : filter;
  }
  if (head.toLowerCase() === 'customer') {
    const userId = parseUserMention(rest.trim());
    return userId ? { ok: true, value: { kind: 'customer', userId } } : { ok: false, error: 'Name the customer, like `/ticket customer @carol`.' };
  }
  const number = /^#?(\d{1,9})$/.exec(head)?.[1];
  if (!number) return { ok: false, error: `Start with a ticket number, like \`/ticket 42 close\` (got \`${head.slice(0, 40)}\`).` };
  const action = parseTicketAction(rest);
  return action.ok ? { ok: true, value: { kind: 'action', number: Number(number), action: action.value } } : action;
}
