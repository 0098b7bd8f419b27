import { systemClock, type Clock } from '../domain/clock.js';
import type { Knex } from 'knex';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import { messageFromRow, messageRow, ticketFromRow, ticketRow, type MessageRow, type TicketRow } from './ticket-rows.js';
import { writeTransaction } from './db.js';
import { refreshTicketMetrics } from './ticket-metrics.js';
import type { NewMessage, NewTicket } from './ticket-store.js';
import { enqueueDeliveries, type NewDelivery } from './outbox-store.js';

/** A new ticket with its first message and the actor of its `created` event. */
export interface TicketOpening {
  ticket: NewTicket;
  message: Omit<NewMessage, 'ticketId'>;
  openedBy: string;
  /** What Slack should show for the new ticket, recorded in the same transaction. */
  deliveries?: (ticket: Ticket, message: TicketMessage) => NewDelivery[];
}

export type OpeningOutcome = { kind: 'created'; ticket: Ticket; message: TicketMessage } | { kind: 'duplicate' };

interface Pending {
  opening: TicketOpening;
  resolve: (outcome: OpeningOutcome) => void;
  reject: (err: unknown) => void;
}

const key = (channel: string, ts: string) => `${channel}\u0000${ts}`;
const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(e.message ?? ''));
};

/**
 * Writes new tickets in groups ("group commit"). Under a burst, the tickets that arrive while one group is
 * being written go into the next group: one transaction and a handful of multi-row statements for all of
 * them, instead of six statements and a commit each. A quiet moment writes a group of one, at once.
 * Numbers stay sequential without gaps: repeats (a redelivered message, a thread that already has its ticket)
 * are found before numbers are taken. If another writer (a second instance) wins a race and a unique key
 * refuses the group, its tickets are written one by one so that only the repeat is refused.
 */
export function createTicketWriter(db: Knex, deliveriesRecorded: () => void = () => undefined, maxGroup = 100, clock: Clock = systemClock) {
  const queue: Pending[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const group = queue.splice(0, maxGroup);
      await writeGroup(group);
    }
    writing = false;
  }

  async function writeGroup(group: Pending[]): Promise<void> {
    try {
      const outcomes = await writeTransaction(db, (trx) => writeOpenings(trx, group.map((p) => p.opening), clock.now()));
      deliveriesRecorded();
      group.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      if (group.length === 1) return settleAlone(group[0]!, err);
      for (const pending of group) {
        try {
          pending.resolve((await writeTransaction(db, (trx) => writeOpenings(trx, [pending.opening], clock.now())))[0]!);
          deliveriesRecorded();
        } catch (alone) {
          settleAlone(pending, alone);
        }
      }
    }
  }

  const settleAlone = (pending: Pending, err: unknown) => (isUniqueViolation(err) ? pending.resolve({ kind: 'duplicate' }) : pending.reject(err));

  return {
    /** Opens a ticket; `duplicate` when its message or its origin thread is already stored. */
    open(opening: TicketOpening): Promise<OpeningOutcome> {
      return new Promise((resolve, reject) => {
        queue.push({ opening, resolve, reject });
        if (!writing) {
          writing = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}

/** `now` stamps the deliveries recorded with the tickets (the outbox's wall clock). */
async function writeOpenings(trx: Knex.Transaction, openings: TicketOpening[], now: number): Promise<OpeningOutcome[]> {
  const fresh = await withoutRepeats(trx, openings);
  if (fresh.size === 0) return openings.map(() => ({ kind: 'duplicate' }));
  const numbers = await allocateNumbers(trx, [...fresh.values()]);

  const ticketRows = (await trx('tickets')
    .insert([...fresh.values()].map((o, i) => ticketRow(o.ticket, numbers[i]!)))
    .returning('*')) as TicketRow[];
  const ticketByOrigin = new Map(ticketRows.map((row) => [key(row.origin_channel_id, row.origin_ts), row]));
  const idOf = (o: TicketOpening) => ticketByOrigin.get(key(o.ticket.originChannelId, o.ticket.originTs))!.id;

  const messageRows = (await trx('messages')
    .insert([...fresh.values()].map((o) => messageRow({ ...o.message, ticketId: idOf(o) })))
    .returning('*')) as MessageRow[];
  const messageByKey = new Map(messageRows.map((row) => [key(row.channel_id, row.ts), row]));
  const messageOf = (o: TicketOpening) => messageByKey.get(key(o.message.channelId, o.message.ts))!;

  await trx('ticket_events').insert(
    [...fresh.values()].map((o) => ({ ticket_id: idOf(o), team_id: o.ticket.teamId, kind: 'created', actor_id: o.openedBy, to_value: 'new', message_id: messageOf(o).id, at: o.ticket.createdAt })),
  );
  await refreshTicketMetrics(trx, ticketRows.map((row) => row.id));
  const outcomes: OpeningOutcome[] = openings.map((o, i) => {
    if (!fresh.has(i)) return { kind: 'duplicate' };
    const row = ticketByOrigin.get(key(o.ticket.originChannelId, o.ticket.originTs))!;
    return { kind: 'created', ticket: ticketFromRow(row, []), message: messageFromRow(messageOf(o)) };
  });
  const deliveries = outcomes.flatMap((outcome, i) => (outcome.kind === 'created' ? (openings[i]!.deliveries?.(outcome.ticket, outcome.message) ?? []) : []));
  await enqueueDeliveries(trx, deliveries, now);
  return outcomes;
}

/** The openings whose message and origin thread are new (also within the group), by position. */
async function withoutRepeats(trx: Knex.Transaction, openings: TicketOpening[]): Promise<Map<number, TicketOpening>> {
  const storedMessages = await trx('messages')
    .whereIn(['channel_id', 'ts'], openings.map((o) => [o.message.channelId, o.message.ts]))
    .select('channel_id', 'ts');
  const storedOrigins = await trx('tickets')
    .whereIn(['origin_channel_id', 'origin_ts'], openings.map((o) => [o.ticket.originChannelId, o.ticket.originTs]))
    .select('origin_channel_id', 'origin_ts');
  const seen = new Set([...storedMessages.map((r) => `m${key(r.channel_id, r.ts)}`), ...storedOrigins.map((r) => `o${key(r.origin_channel_id, r.origin_ts)}`)]);
  const fresh = new Map<number, TicketOpening>();
  openings.forEach((o, i) => {
    const keys = [`m${key(o.message.channelId, o.message.ts)}`, `o${key(o.ticket.originChannelId, o.ticket.originTs)}`];
    if (keys.some((k) => seen.has(k))) return;
    keys.forEach((k) => seen.add(k));
    fresh.set(i, o);
  });
  return fresh;
}

/** Takes `count` consecutive ticket numbers of a workspace; returns the first. Safe under concurrent writers. */
export async function takeTicketNumbers(db: Knex | Knex.Transaction, teamId: string, count: number): Promise<number> {
  const take = () => db('workspace_settings').where({ team_id: teamId }).increment('next_ticket_number', count).returning('next_ticket_number');
  let [row] = await take();
  if (!row) {
    await db('workspace_settings').insert({ team_id: teamId, next_ticket_number: 1 }).onConflict('team_id').ignore();
    [row] = await take();
  }
  return Number((row as { next_ticket_number: number }).next_ticket_number) - count;
}

/** Consecutive ticket numbers per workspace, in the group's order. */
async function allocateNumbers(trx: Knex.Transaction, openings: TicketOpening[]): Promise<number[]> {
  const next = new Map<string, number>();
  for (const teamId of new Set(openings.map((o) => o.ticket.teamId))) {
    next.set(teamId, await takeTicketNumbers(trx, teamId, openings.filter((o) => o.ticket.teamId === teamId).length));
  }
  return openings.map((o) => {
    const number = next.get(o.ticket.teamId)!;
    next.set(o.ticket.teamId, number + 1);
    return number;
  });
}
