import type { Knex } from 'knex';

// The shops' order webhooks as they arrived, written before they are answered (Shopify gives up waiting after
// 5 s and retries) and processed from here; the same shape as slack_inbox. event_id is "<source>:<the shop's
// delivery id>", so a replayed delivery is stored once. On SQLite it lives in the inbox's own file.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_inbox', (t) => {
    t.increments('id').primary();
    t.string('event_id').notNullable().unique();
    t.string('team_id');
    t.text('body').notNullable(); // JSON: { source, topic, payload (the raw body as text) }
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('not_before').notNullable();
    t.bigInteger('lease_until');
    t.string('claimed_by');
    t.text('last_error');
    t.bigInteger('received_at').notNullable();
    t.bigInteger('done_at');
    t.index(['status', 'not_before', 'id'], 'order_inbox_due_index');
    t.index(['status', 'done_at'], 'order_inbox_done_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_inbox');
}
