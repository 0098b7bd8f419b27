import type { Knex } from 'knex';

// Messages sent from the chat widget, written before the widget hears "stored" and processed from here (the
// ticket's message, the card): the visitor's answer waits for this one insert, not for the ticket's transaction,
// and a crash leaves the message here for the next start. The same shape as slack_inbox; event_id is
// "<visitor key>:<the widget's id of the message>", so a message sent again (a reconnect) is stored once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_inbox', (t) => {
    t.increments('id').primary();
    t.string('event_id').notNullable().unique();
    t.string('team_id');
    t.text('body').notNullable(); // JSON: { visitorKey, clientId, text, page, email }
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('not_before').notNullable();
    t.bigInteger('lease_until');
    t.string('claimed_by');
    t.text('last_error');
    t.bigInteger('received_at').notNullable();
    t.bigInteger('done_at');
    t.index(['status', 'not_before', 'id'], 'chat_inbox_due_index');
    t.index(['status', 'done_at'], 'chat_inbox_done_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_inbox');
}
