import { DomainError } from '../domain/errors.js';
import type { Ticket, TicketEvent } from '../domain/ticket.js';
import type { IngestDeps } from '../ingest/ingest-deps.js';
import type { ChannelStore } from '../store/channel-store.js';
import type { TicketPatch, TicketQueries, TicketStore } from '../store/ticket-store.js';
import type { NewDelivery } from '../store/outbox-store.js';

/** The ticket use cases call more of the stores than ingest does (list, fields, addTag, mergeInto…). */
export interface TicketDeps extends IngestDeps {
  tickets: TicketStore;
  channels: ChannelStore;
}

export interface ActionInput {
  ticketId: number;
  actorId: string;
  /** What Slack should show for the change (the card, a line in the thread), recorded in its transaction. */
  show?: (updated: Ticket) => NewDelivery[];
}

export interface ActionResult {
  ticket: Ticket;
  /** False when the action changed nothing (assigning to the current assignee, tagging twice…). */
  changed: boolean;
}

export interface PlannedChange {
  patch?: Omit<TicketPatch, 'updatedAt'>;
  events: Omit<TicketEvent, 'at' | 'actorId' | 'messageId'>[];
  /** Extra writes in the same transaction (a tag row…). */
  after?: (tx: TicketQueries) => Promise<unknown>;
}

/** Only agents act on tickets: anyone else is refused and nothing changes. */
export async function requireAgent(userId: string, ticket: Ticket, deps: TicketDeps): Promise<void> {
  if (!(await deps.isAgent(userId, ticket.triageChannelId))) {
    throw new DomainError('not_agent', `Only agents (members of <#${ticket.triageChannelId}>) can work tickets.`);
  }
}

/**
 * The shape every agent action shares: load the ticket, check the actor is an agent, let `plan` decide the
 * change from the current state, then write the change and its history in one transaction.
 */
export async function changeTicket(
  input: ActionInput,
  deps: TicketDeps,
  plan: (ticket: Ticket) => PlannedChange | null,
): Promise<ActionResult> {
  const ticket = await deps.tickets.byId(input.ticketId);
  if (!ticket) throw new DomainError('ticket_not_found', 'That ticket no longer exists.');
  await requireAgent(input.actorId, ticket, deps);
  const at = deps.clock.now();
  const changed = await deps.tickets.transaction(async (tx) => {
    const current = (await tx.byId(ticket.id))!;
    const change = plan(current);
    if (!change) return false;
    if (change.patch) await tx.updateTicket(ticket.id, { ...change.patch, updatedAt: at });
    if (change.after) await change.after(tx);
    for (const event of change.events) await tx.addEvent(ticket.id, { ...event, actorId: input.actorId, messageId: null, at });
    if (input.show) await tx.enqueue(input.show((await tx.byId(ticket.id))!));
    return true;
  });
  return { ticket: (await deps.tickets.byId(ticket.id))!, changed };
}
