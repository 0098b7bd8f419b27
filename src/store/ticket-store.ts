import type { Knex } from 'knex';
import type { ChannelKind, Discarded, Priority, Ticket, TicketEvent, TicketFile, TicketMessage, TicketSource, TicketStatus } from '../domain/ticket.js';
import { messageFromRow, messageRow, ticketFromRow, ticketRow, type MessageRow, type TicketRow } from './ticket-rows.js';
import { writeTransaction } from './db.js';
import { refreshTicketMetrics } from './ticket-metrics.js';
import { createTicketWriter, takeTicketNumbers, type OpeningOutcome, type TicketOpening } from './ticket-writer.js';
import { enqueueDeliveries, type NewDelivery } from './outbox-store.js';

export interface NewTicket {
  teamId: string;
  subject: string;
  requesterId: string;
  requesterTeamId: string | null;
  originChannelId: string;
  originTs: string;
  triageChannelId: string;
  source: TicketSource;
  createdAt: number;
  /** Slack when unset. */
  originKind?: ChannelKind;
  originSource?: string | null;
  customerId?: number | null;
}

export type NewMessage = Omit<TicketMessage, 'id' | 'mirrorTs' | 'editedAt' | 'deletedAt'>;

export interface TicketPatch {
  status?: TicketStatus;
  priority?: Priority;
  assigneeId?: string | null;
  subject?: string;
  solvedAt?: number | null;
  lastRequesterMessageAt?: number;
  discarded?: Discarded | null;
  updatedAt: number;
}

export type TicketListFilter = 'open' | 'mine' | 'unassigned' | 'all';

export type TicketQueries = ReturnType<typeof ticketQueries>;
export type TicketStore = TicketQueries & {
  /** Runs `work` in one transaction with queries bound to it (again, on SQLite, if another process's write got in first: `work` must only touch the database). */
  transaction<T>(work: (tx: TicketQueries) => Promise<T>): Promise<T>;
  /** Opens a ticket with its first message (written in groups under load; see ticket-writer.ts). */
  open(opening: TicketOpening): Promise<OpeningOutcome>;
};

/** Tickets, their messages and their history. */
/** `deliveriesRecorded`: told after a write that recorded Slack deliveries has committed (wakes the delivery worker). */
export function createTicketStore(db: Knex, deliveriesRecorded: () => void = () => undefined): TicketStore {
  const writer = createTicketWriter(db, deliveriesRecorded);
  return {
    ...ticketQueries(db, (ids) => refreshTicketMetrics(db, ids), deliveriesRecorded),
    // A ticket's kept figures are recomputed once, at the end of the transaction that changed it, however many
    // of its messages and status changes the transaction wrote.
    transaction: async (work) => {
      let recorded = false;
      const result = await writeTransaction(db, async (trx) => {
        const changed = new Set<number>();
        recorded = false;
        const result = await work(ticketQueries(trx, async (ids) => ids.forEach((id) => changed.add(id)), () => (recorded = true)));
        await refreshTicketMetrics(trx, [...changed]);
        return result;
      });
      if (recorded) deliveriesRecorded();
      return result;
    },
    open: (opening) => writer.open(opening),
  };
}

/**
 * `figuresChanged`: told which tickets' kept figures (ticket-metrics.ts) a write changed. `deliveriesRecorded`:
 * told when deliveries were written (inside a transaction, the store tells the world after the commit).
 */
function ticketQueries(db: Knex | Knex.Transaction, figuresChanged: (ticketIds: number[]) => Promise<void>, deliveriesRecorded: () => void) {
  const withTags = async (rows: TicketRow[]): Promise<Ticket[]> => {
    if (rows.length === 0) return [];
    const tags = await db('ticket_tags').whereIn('ticket_id', rows.map((r) => r.id)).orderBy('tag');
    return rows.map((row) => ticketFromRow(row, tags.filter((t) => t.ticket_id === row.id).map((t) => t.tag as string)));
  };
  const one = async (query: Knex.QueryBuilder): Promise<Ticket | null> => {
    const row = (await query.first()) as TicketRow | undefined;
    return row ? (await withTags([row]))[0]! : null;
  };

  return {
    /** Next ticket number for a workspace: sequential from 1, safe under concurrent writers. */
    allocateNumber: (teamId: string): Promise<number> => takeTicketNumbers(db, teamId, 1),

    async insertTicket(input: NewTicket, number: number): Promise<Ticket> {
      const [row] = await db('tickets').insert(ticketRow(input, number)).returning('*');
      return ticketFromRow(row as TicketRow, []);
    },

    /** Stores a message once per (channel, ts); returns null when it was already stored (a redelivery). */
    async insertMessage(input: NewMessage): Promise<TicketMessage | null> {
      const rows = await db('messages')
        .insert(messageRow(input))
        .onConflict(['channel_id', 'ts'])
        .ignore()
        .returning('*');
      if (rows.length === 0) return null;
      await figuresChanged([input.ticketId]);
      return messageFromRow(rows[0] as MessageRow);
    },

    async messageExists(channelId: string, ts: string): Promise<boolean> {
      return Boolean(await db('messages').where({ channel_id: channelId, ts }).first('id'));
    },

    async addEvent(ticketId: number, event: TicketEvent): Promise<void> {
      const ticket = (await db('tickets').where({ id: ticketId }).first('team_id')) as { team_id: string } | undefined;
      await db('ticket_events').insert({
        ticket_id: ticketId,
        team_id: ticket?.team_id ?? null,
        kind: event.kind,
        actor_id: event.actorId,
        from_value: event.fromValue,
        to_value: event.toValue,
        message_id: event.messageId,
        at: event.at,
      });
      if (event.kind === 'status_changed') await figuresChanged([ticketId]);
    },

    async events(ticketId: number): Promise<TicketEvent[]> {
      const rows = await db('ticket_events').where({ ticket_id: ticketId }).orderBy([{ column: 'at' }, { column: 'id' }]);
      return rows.map((r) => ({
        kind: r.kind,
        actorId: r.actor_id,
        fromValue: r.from_value,
        toValue: r.to_value,
        messageId: r.message_id,
        at: Number(r.at),
      }));
    },

    async updateTicket(id: number, patch: TicketPatch): Promise<void> {
      const row: Record<string, unknown> = { updated_at: patch.updatedAt };
      if (patch.status !== undefined) row.status = patch.status;
      if (patch.priority !== undefined) row.priority = patch.priority;
      if (patch.assigneeId !== undefined) row.assignee_id = patch.assigneeId;
      if (patch.subject !== undefined) row.subject = patch.subject;
      if (patch.solvedAt !== undefined) row.solved_at = patch.solvedAt;
      if (patch.lastRequesterMessageAt !== undefined) row.last_requester_message_at = patch.lastRequesterMessageAt;
      if (patch.discarded !== undefined) row.discarded = patch.discarded;
      await db('tickets').where({ id }).update(row);
    },

    async setCardTs(id: number, cardTs: string, originPermalink?: string): Promise<void> {
      await db('tickets')
        .where({ id })
        .update({ card_ts: cardTs, ...(originPermalink ? { origin_permalink: originPermalink } : {}) });
    },

    /** The customer a ticket's requester turned out to be (a Slack user, by their profile's address). */
    async setCustomer(id: number, customerId: number): Promise<void> {
      await db('tickets').where({ id }).whereNull('customer_id').update({ customer_id: customerId });
    },

    /** Adds a tag; returns false when the ticket already had it. */
    async addTag(ticketId: number, tag: string): Promise<boolean> {
      const rows = await db('ticket_tags').insert({ ticket_id: ticketId, tag }).onConflict(['ticket_id', 'tag']).ignore().returning('tag');
      return rows.length > 0;
    },

    byId: (id: number) => one(db('tickets').where({ id })),
    byNumber: (teamId: string, number: number) => one(db('tickets').where({ team_id: teamId, number })),
    byOrigin: (channelId: string, ts: string) => one(db('tickets').where({ origin_channel_id: channelId, origin_ts: ts })),
    byCard: (triageChannelId: string, cardTs: string) => one(db('tickets').where({ triage_channel_id: triageChannelId, card_ts: cardTs })),

    /** The requester's still-active ticket in a channel that they last wrote to at or after `since`. */
    recentActiveTicket: (channelId: string, requesterId: string, since: number) =>
      one(
        db('tickets')
          .where({ origin_channel_id: channelId, requester_id: requesterId })
          .whereNotIn('status', ['solved', 'closed'])
          .where('last_requester_message_at', '>=', since)
          .orderBy('last_requester_message_at', 'desc'),
      ),

    async list(teamId: string, filter: TicketListFilter, userId: string, limit = 20): Promise<Ticket[]> {
      const query = db('tickets').where({ team_id: teamId }).orderBy('number', 'desc').limit(limit);
      if (filter !== 'all') query.whereNotIn('status', ['solved', 'closed']);
      if (filter === 'mine') query.where({ assignee_id: userId });
      if (filter === 'unassigned') query.whereNull('assignee_id');
      return withTags((await query) as TicketRow[]);
    },

    async firstMessage(ticketId: number): Promise<TicketMessage | null> {
      const row = (await db('messages').where({ ticket_id: ticketId }).orderBy([{ column: 'sent_at' }, { column: 'id' }]).first()) as MessageRow | undefined;
      return row ? messageFromRow(row) : null;
    },

    /** Ticket fields (order.number …) by name. */
    async fields(ticketId: number): Promise<Record<string, string>> {
      const rows = await db('ticket_fields').where({ ticket_id: ticketId }).orderBy('name');
      return Object.fromEntries(rows.map((r) => [r.name as string, r.value as string]));
    },

    async setField(ticketId: number, name: string, value: string, now: number): Promise<void> {
      await db('ticket_fields').insert({ ticket_id: ticketId, name, value, updated_at: now }).onConflict(['ticket_id', 'name']).merge({ value, updated_at: now });
    },

    /** Adds followers; returns those who were not following yet. */
    async follow(ticketId: number, userIds: string[], now: number): Promise<string[]> {
      if (userIds.length === 0) return [];
      const rows = await db('ticket_followers')
        .insert(userIds.map((userId) => ({ ticket_id: ticketId, user_id: userId, since: now })))
        .onConflict(['ticket_id', 'user_id'])
        .ignore()
        .returning('user_id');
      return rows.map((r: { user_id: string }) => r.user_id);
    },

    async followers(ticketId: number): Promise<string[]> {
      return (await db('ticket_followers').where({ ticket_id: ticketId }).orderBy('user_id')).map((r) => r.user_id as string);
    },

    /** Active tickets whose requester has waited longest since writing. */
    async waitingLongest(teamId: string, limit = 5): Promise<Ticket[]> {
      return withTags((await db('tickets').where({ team_id: teamId }).whereIn('status', ['new', 'open']).orderBy('last_requester_message_at').limit(limit)) as TicketRow[]);
    },

    /** The team's figures since an instant: tickets created, tickets solved, and the active backlog now. */
    async figuresSince(teamId: string, since: number): Promise<{ created: number; solved: number; active: number }> {
      const count = async (query: Knex.QueryBuilder) => Number(((await query.count({ n: '*' })) as { n: number | string }[])[0]!.n);
      const [created, solved, active] = await Promise.all([
        count(db('tickets').where({ team_id: teamId }).where('created_at', '>=', since)),
        count(db('ticket_events').where({ team_id: teamId, kind: 'status_changed', to_value: 'solved' }).where('at', '>=', since)),
        count(db('tickets').where({ team_id: teamId }).whereIn('status', ['new', 'open', 'pending'])),
      ]);
      return { created, solved, active };
    },

    /** The tickets of a customer known by several requester ids (a Slack user and their email addresses). */
    async ofRequester(teamId: string, requesterIds: string | string[], limit = 20): Promise<{ tickets: Ticket[]; byStatus: Record<string, number> }> {
      const ids = Array.isArray(requesterIds) ? requesterIds : [requesterIds];
      const rows = (await db('tickets').where({ team_id: teamId }).whereIn('requester_id', ids).orderBy('created_at', 'desc').limit(limit)) as TicketRow[];
      const counts = (await db('tickets').where({ team_id: teamId }).whereIn('requester_id', ids).groupBy('status').select('status').count({ n: '*' })) as unknown as { status: string; n: number | string }[];
      return { tickets: await withTags(rows), byStatus: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])) };
    },

    /** A customer's tickets still being worked on (not merged into another), newest first: their cards show her orders. */
    async activeOfCustomer(customerId: number, limit = 10): Promise<Ticket[]> {
      const rows = (await db('tickets').where({ customer_id: customerId }).whereNotIn('status', ['solved', 'closed']).whereNull('merged_into_id').orderBy('created_at', 'desc').limit(limit)) as TicketRow[];
      return withTags(rows);
    },

    /** Tickets of this requester on this channel that were merged into another, newest first (where a message moved from). */
    async mergedOfRequester(channelId: string, requesterId: string, limit = 20): Promise<Ticket[]> {
      const rows = (await db('tickets').where({ origin_channel_id: channelId, requester_id: requesterId }).whereNotNull('merged_into_id').orderBy('id', 'desc').limit(limit)) as TicketRow[];
      return withTags(rows);
    },

    async messages(ticketId: number): Promise<TicketMessage[]> {
      const rows = await db('messages').where({ ticket_id: ticketId }).orderBy([{ column: 'sent_at' }, { column: 'id' }]);
      return (rows as MessageRow[]).map(messageFromRow);
    },

    async messageById(id: number): Promise<TicketMessage | null> {
      const row = (await db('messages').where({ id }).first()) as MessageRow | undefined;
      return row ? messageFromRow(row) : null;
    },

    async messageByTs(channelId: string, ts: string): Promise<TicketMessage | null> {
      const row = (await db('messages').where({ channel_id: channelId, ts }).first()) as MessageRow | undefined;
      return row ? messageFromRow(row) : null;
    },

    async editMessage(id: number, text: string, editedAt: number, files?: TicketFile[]): Promise<void> {
      const row: Record<string, unknown> = { text, edited_at: editedAt };
      if (files) row.files_json = files.length > 0 ? JSON.stringify(files) : null;
      await db('messages').where({ id }).update(row);
    },

    /** Solved tickets whose quiet period ended (solved at or before `solvedBy`), the longest solved first. */
    async solvedBefore(solvedBy: number, limit: number): Promise<Ticket[]> {
      const rows = (await db('tickets').where({ status: 'solved' }).where('solved_at', '<=', solvedBy).orderBy('solved_at').limit(limit)) as TicketRow[];
      return withTags(rows);
    },

    /** Solved → closed, only if the ticket is still solved by that same solve (another instance may be first). */
    async closeIfSolvedAt(id: number, solvedAt: number, at: number): Promise<boolean> {
      const changed = await db('tickets').where({ id, status: 'solved', solved_at: solvedAt }).update({ status: 'closed', updated_at: at });
      return changed > 0;
    },

    async markMessageDeleted(id: number, deletedAt: number): Promise<void> {
      const rows = await db('messages').where({ id }).update({ deleted_at: deletedAt }).returning('ticket_id');
      await figuresChanged(rows.map((r: { ticket_id: number }) => r.ticket_id));
    },

    /** Moves a duplicate's messages to the ticket it is merged into, and marks it merged. */
    async mergeInto(duplicateId: number, survivorId: number): Promise<void> {
      await db('messages').where({ ticket_id: duplicateId }).update({ ticket_id: survivorId });
      await db('tickets').where({ id: duplicateId }).update({ merged_into_id: survivorId });
      await figuresChanged([duplicateId, survivorId]);
    },

    /** Records Slack deliveries (src/bot/delivery-intents.ts); inside a transaction, together with the change they show. */
    async enqueue(deliveries: NewDelivery[]): Promise<void> {
      if (deliveries.length === 0) return;
      await enqueueDeliveries(db, deliveries, Date.now());
      deliveriesRecorded();
    },

    async setMirrorTs(messageId: number, mirrorTs: string): Promise<void> {
      await db('messages').where({ id: messageId }).update({ mirror_ts: mirrorTs });
    },
  };
}
