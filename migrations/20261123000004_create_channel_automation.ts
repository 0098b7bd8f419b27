import type { Knex } from 'knex';

// Per intake channel: an automatic acknowledgement template, and patterns that pick ticket fields out of
// customer messages (e.g. an order number).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => {
    t.string('ack_template', 64);
  });
  await knex.schema.createTable('channel_field_patterns', (t) => {
    t.string('channel_id').notNullable();
    t.string('field', 64).notNullable();
    t.string('pattern', 500).notNullable();
    t.primary(['channel_id', 'field']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('channel_field_patterns');
  await knex.schema.alterTable('channel_settings', (t) => {
    t.dropColumn('ack_template');
  });
}
