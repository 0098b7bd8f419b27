import type { Knex } from 'knex';
import { refreshTicketMetrics } from '../src/store/ticket-metrics.js';

// Per-ticket figures kept as history is written (src/store/ticket-metrics.ts), so reports read one row per
// ticket instead of every message (existing tickets are filled in from their history); and the indexes that
// let a report read its cohort and its period's activity without visiting every row.
const REPORT_COLUMNS = ['merged_into_id', 'origin_channel_id', 'assignee_id', 'status', 'priority', 'solved_at', 'number', 'first_reply_at', 'first_reply_agent', 'agent_replies', 'reopens', 'first_solved_at'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.bigInteger('first_reply_at'); // first public agent reply; null while unanswered
    t.string('first_reply_agent');
    t.integer('agent_replies').notNullable().defaultTo(0); // public replies by agents
    t.integer('reopens').notNullable().defaultTo(0); // solved or closed, then active again
    t.bigInteger('first_solved_at');
  });
  await knex.schema.createTable('ticket_waits', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.bigInteger('started_at').notNullable();
    t.bigInteger('ended_at'); // the agent reply that ended it; null while the requester waits
    t.integer('after_reply').notNullable(); // 0: waiting for the first reply, 1: for a next reply
    t.index(['ticket_id', 'started_at', 'ended_at', 'after_reply'], 'ticket_waits_ticket_index'); // covering: a cohort's waits from the index alone
  });
  // Read by ticket id for a cohort: the key holds the count (PostgreSQL: INCLUDE; SQLite: a table without row
  // ids is stored in key order), so no table row is visited.
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE TABLE ticket_agent_replies (ticket_id integer NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
      agent_id varchar(255) NOT NULL, replies integer NOT NULL, PRIMARY KEY (ticket_id, agent_id) INCLUDE (replies))`);
  } else {
    await knex.raw(`CREATE TABLE ticket_agent_replies (ticket_id integer NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
      agent_id varchar(255) NOT NULL, replies integer NOT NULL, PRIMARY KEY (ticket_id, agent_id)) WITHOUT ROWID`);
  }
  await refreshTicketMetrics(knex, 'all');

  // A cohort (tickets created in a period) read from one index range holding every column a report uses:
  // a narrow, ordered copy the database keeps for us, instead of a visit to each wide ticket row.
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE INDEX tickets_report_index ON tickets (team_id, created_at) INCLUDE (id, ${REPORT_COLUMNS.join(', ')})`);
  } else {
    await knex.schema.alterTable('tickets', (t) => t.index(['team_id', 'created_at', ...REPORT_COLUMNS], 'tickets_report_index')); // the row id comes with it
  }
  await knex.schema.alterTable('tickets', (t) => {
    // merged tickets, few, left out of activity
    t.index(['team_id', 'id'], 'tickets_merged_index', { predicate: knex.whereNotNull('merged_into_id') });
  });

  // A period's activity (tickets solved, public replies) is read from the events of one workspace in one index
  // range, without looking up each event's ticket: events carry their ticket's workspace (it never changes).
  await knex.schema.alterTable('ticket_events', (t) => t.string('team_id'));
  await knex.raw('UPDATE ticket_events SET team_id = (SELECT t.team_id FROM tickets t WHERE t.id = ticket_events.ticket_id)');
  await knex.schema.alterTable('ticket_events', (t) => {
    t.dropIndex([], 'ticket_events_activity_index');
    t.index(['team_id', 'kind', 'to_value', 'at', 'ticket_id'], 'ticket_events_team_activity_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ticket_events', (t) => {
    t.dropIndex([], 'ticket_events_team_activity_index');
    t.index(['kind', 'at', 'to_value', 'ticket_id'], 'ticket_events_activity_index');
  });
  await knex.schema.alterTable('ticket_events', (t) => t.dropColumn('team_id'));
  await knex.schema.alterTable('tickets', (t) => {
    t.dropIndex([], 'tickets_merged_index');
    t.dropIndex([], 'tickets_report_index');
  });
  for (const table of ['ticket_agent_replies', 'ticket_waits']) await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('tickets', (t) => {
    for (const column of ['first_reply_at', 'first_reply_agent', 'agent_replies', 'reopens', 'first_solved_at']) t.dropColumn(column);
  });
}
