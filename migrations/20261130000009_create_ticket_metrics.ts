import type { Knex } from 'knex';
import { refreshTicketMetrics } from '../src/store/ticket-metrics.js';

// Per-ticket figures kept as history is written (src/store/ticket-metrics.ts), so reports read one row per
// ticket instead of every message. Existing tickets are filled in from their history.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_metrics', (t) => {
    t.integer('ticket_id').primary().references('id').inTable('tickets').onDelete('CASCADE');
    t.bigInteger('first_reply_at'); // first public agent reply; null while unanswered
    t.string('first_reply_agent');
    t.integer('agent_replies').notNullable();
    t.integer('reopens').notNullable();
    t.bigInteger('first_solved_at');
  });
  await knex.schema.createTable('ticket_waits', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.bigInteger('started_at').notNullable();
    t.bigInteger('ended_at'); // the agent reply that ended it; null while the requester waits
    t.integer('after_reply').notNullable(); // 0: waiting for the first reply, 1: for a next reply
    t.index(['ticket_id', 'started_at']);
  });
  await knex.schema.createTable('ticket_agent_replies', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('agent_id').notNullable();
    t.integer('replies').notNullable();
    t.primary(['ticket_id', 'agent_id']);
  });
  // Tickets solved in a period (reports, digests' chart, the Home tab): the period's solves, read in one range.
  await knex.schema.alterTable('ticket_events', (t) => t.index(['kind', 'to_value', 'at', 'ticket_id'], 'ticket_events_status_to_index'));
  await refreshTicketMetrics(knex, 'all');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ticket_events', (t) => t.dropIndex([], 'ticket_events_status_to_index'));
  for (const table of ['ticket_agent_replies', 'ticket_waits', 'ticket_metrics']) await knex.schema.dropTableIfExists(table);
}
