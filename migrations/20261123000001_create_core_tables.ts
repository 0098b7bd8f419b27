import type { Knex } from 'knex';

// The foundation schema. Instants are epoch milliseconds (UTC) in BIGINT columns so that
// time arithmetic in SQL is the same on SQLite and PostgreSQL.
// Unique keys make Slack's redeliveries harmless:
// a message is stored once per (channel, ts), a ticket once per origin message,
// so the same Slack message delivered under several event_ids still lands once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('channel_settings', (t) => {
    t.string('channel_id').primary();
    t.string('team_id').notNullable();
    t.string('triage_channel_id').notNullable();
    t.boolean('pleasantry_filter').notNullable().defaultTo(true);
    t.integer('burst_window_seconds').notNullable().defaultTo(300);
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('workspace_settings', (t) => {
    t.string('team_id').primary();
    t.string('default_triage_channel_id');
    t.integer('next_ticket_number').notNullable().defaultTo(1);
  });

  await knex.schema.createTable('tickets', (t) => {
    t.increments('id').primary();
    t.string('team_id').notNullable();
    t.integer('number').notNullable();
    t.string('subject', 500).notNullable();
    t.string('status', 16).notNullable();
    t.string('priority', 16).notNullable();
    t.string('requester_id').notNullable();
    t.string('requester_team_id');
    t.string('origin_channel_id').notNullable();
    t.string('origin_ts').notNullable();
    t.string('triage_channel_id').notNullable();
    t.string('origin_permalink', 1000);
    t.string('card_ts');
    t.string('assignee_id');
    t.string('source', 16).notNullable(); // message | reaction | shortcut | dm
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('solved_at');
    t.bigInteger('last_requester_message_at').notNullable();
    t.unique(['team_id', 'number']);
    t.unique(['origin_channel_id', 'origin_ts']);
    t.index(['team_id', 'status']);
    t.index(['origin_channel_id', 'requester_id', 'status']);
    t.index(['triage_channel_id', 'card_ts']);
  });

  await knex.schema.createTable('ticket_tags', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('tag', 64).notNullable();
    t.primary(['ticket_id', 'tag']);
  });

  await knex.schema.createTable('messages', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('channel_id').notNullable();
    t.string('ts').notNullable();
    t.string('thread_ts');
    t.string('user_id');
    t.string('author_role', 16).notNullable(); // requester | agent | bot
    t.string('visibility', 16).notNullable(); // public | internal
    t.text('text').notNullable();
    t.text('files_json');
    t.string('mirror_ts'); // our copy of it in the triage thread, when mirrored
    t.bigInteger('sent_at').notNullable();
    t.bigInteger('edited_at');
    t.bigInteger('deleted_at');
    t.unique(['channel_id', 'ts']);
    t.index(['ticket_id', 'sent_at']);
  });

  await knex.schema.createTable('ticket_events', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('kind', 32).notNullable();
    t.string('actor_id');
    t.string('from_value');
    t.string('to_value');
    t.integer('message_id').references('id').inTable('messages').onDelete('SET NULL');
    t.bigInteger('at').notNullable();
    t.index(['ticket_id', 'at']);
    t.index(['kind', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['ticket_events', 'messages', 'ticket_tags', 'tickets', 'workspace_settings', 'channel_settings']) {
    await knex.schema.dropTableIfExists(table);
  }
}
