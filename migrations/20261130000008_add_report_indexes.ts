import type { Knex } from 'knex';

// Reports read every public message and status change of the tickets in a period. These indexes hold all the
// columns those reads need, so they never visit the tables themselves (measured on 1M tickets / 5M messages).
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    // PostgreSQL index entries do not carry the row id the report's window orders by: it goes in the key.
    await knex.raw('CREATE INDEX messages_report_index ON messages (ticket_id, sent_at, id) INCLUDE (author_role, visibility, deleted_at, user_id)');
  } else {
    await knex.schema.alterTable('messages', (t) => {
      t.index(['ticket_id', 'sent_at', 'author_role', 'visibility', 'deleted_at', 'user_id'], 'messages_report_index');
    });
  }
  await knex.schema.alterTable('ticket_events', (t) => {
    t.index(['ticket_id', 'kind', 'at', 'from_value', 'to_value'], 'ticket_events_report_index');
    // the period's activity: solves and replies by time
    t.index(['kind', 'at', 'to_value', 'ticket_id'], 'ticket_events_activity_index');
  });
  await knex.schema.alterTable('tickets', (t) => {
    // the backlog at a past instant: tickets changed since then
    t.index(['team_id', 'updated_at'], 'tickets_team_updated_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => t.dropIndex([], 'messages_report_index'));
  await knex.schema.alterTable('ticket_events', (t) => {
    t.dropIndex([], 'ticket_events_report_index');
    t.dropIndex([], 'ticket_events_activity_index');
  });
  await knex.schema.alterTable('tickets', (t) => t.dropIndex([], 'tickets_team_updated_index'));
}
