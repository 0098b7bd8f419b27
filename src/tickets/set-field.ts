import { DomainError } from '../domain/errors.js';
import { changeTicket, type ActionInput, type ActionResult, type TicketDeps } from './ticket-action.js';

/** Field names are dotted words (order.number, order.ship_date) so templates can use them as snippets. */
export const FIELD_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,3}$/;
const RESERVED = ['customer', 'ticket', 'agent', 'channel'];

/** Sets a ticket field by hand (`!set order.number 1234`); the value is data, shown on the card and usable in templates. */
export async function setField(input: ActionInput & { name: string; value: string }, deps: TicketDeps): Promise<ActionResult> {
  const name = input.name.toLowerCase();
  if (!FIELD_NAME.test(name) || RESERVED.includes(name.split('.')[0]!)) {
    throw new DomainError('bad_field', `\`${input.name.slice(0, 64)}\` cannot be a field name: use dotted words like \`order.number\` (not starting with ${RESERVED.join(', ')}).`);
  }
  const value = input.value.trim().slice(0, 500);
  if (value === '') throw new DomainError('bad_field', 'Give the field a value, like `!set order.number 1234`.');
  return changeTicket(input, deps, () => ({
    events: [{ kind: 'field_set', fromValue: name, toValue: value }],
    after: (tx) => tx.setField(input.ticketId, name, value, deps.clock.now()),
  }));
}
