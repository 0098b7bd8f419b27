import type { Knex } from 'knex';

// Issue 12: visitors of the chat widget. A visitor is known by a random token kept in their browser; only its
// SHA-256 is stored, so the table leaks no way into a conversation. `visitor_key` (random, never secret) is the
// conversation key of the visitor's ticket (tickets.origin_ts on "chat:web").
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_visitors', (t) => {
    t.increments('id').primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('visitor_key', 40).notNullable().unique();
    t.string('team_id').notNullable();
    t.string('email', 320);
    // The last message an open widget of theirs was sent: a reply after it that nobody saw goes by email.
    t.integer('shown_up_to').notNullable().defaultTo(0);
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_visitors');
}
