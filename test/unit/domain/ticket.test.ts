import { describe, expect, it } from 'vitest';
import { statusAfterAgentTouch, statusAfterRequesterMessage, type TicketStatus } from '../../../src/domain/ticket.js';

describe('ticket lifecycle', () => {
  it.each<[TicketStatus, TicketStatus]>([
    ['new', 'open'],
    ['open', 'open'],
    ['pending', 'pending'],
    ['solved', 'solved'],
  ])('an agent touching a %s ticket leaves it %s', (from, to) => expect(statusAfterAgentTouch(from)).toBe(to));

  it.each<[TicketStatus, boolean, TicketStatus]>([
    ['new', false, 'new'],
    ['open', false, 'open'],
    ['pending', false, 'open'],
    ['pending', true, 'open'],
    ['solved', false, 'open'],
    ['solved', true, 'solved'],
    ['closed', false, 'open'],
    ['closed', true, 'closed'],
  ])('a requester message on a %s ticket (pleasantry: %s) makes it %s', (from, pleasantry, to) => expect(statusAfterRequesterMessage(from, pleasantry)).toBe(to));
});
